"""Benchmarks for PUJA INDAH (issue 7): page latency under load relative to the bare health
route, SQL statements per page at two data scales, and the cost of the big exports.

Run `python -m bench --help`; docs/BENCHMARKS.md has the commands and the figures seen.
Nothing here is imported by the app; it drives the app from outside (HTTP to gunicorn) or, for
statement counts and exports, builds its own app instance against the chosen database.
"""
