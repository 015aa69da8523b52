"""What every feature relies on. Imports no feature package (checked by import-linter)."""
