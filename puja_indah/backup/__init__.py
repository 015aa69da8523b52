"""`flask backup …`: one `.tar.gz` archive holding the database, every stored file and a manifest
(alembic revision, database kind, row counts per table, SHA-256 and size of every member), and
the restore that puts both back and checks them against the manifest.

- `archive.py` builds, reads and checks the archive (no Flask request needed, only the app's
  configuration).
- `cli.py` the commands, registered by `register_cli` in puja_indah/cli.py.
"""
