"""`flask decree …` commands (import is filled in by agencies/importer.py)."""

from flask.cli import AppGroup

decree_cli = AppGroup("decree", help="Decrees (SK) and their appointments.")
