"""Public catalogue of published innovations (issue 3 point 10)."""
