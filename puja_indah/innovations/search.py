"""Full-text search over an innovation's name, summary, goals and rancang bangun.

PostgreSQL: `to_tsvector('indonesian', …)` over the searched columns, kept by the database in the
stored generated column `innovations.search_document` (GIN-indexed), matched with
`plainto_tsquery('indonesian', q)` (every word must occur, stemmed: "pencairan" finds "cair").
The planner uses the index for the table owner (reports, jobs). For the application role,
row-level security's qual is applied first and PostgreSQL does not push the non-leakproof `@@`
below it, so a request scans its scope's rows instead — cheap because the document is stored,
not recomputed per row (a national scope's 30,000 rows: ~70 ms instead of ~20 s);
tests/integration/test_innovations.py checks the index plan.

SQLite: an FTS5 table (`innovations_search`, rowid = innovation id) that triggers keep in step
with `innovations`; each typed word becomes a quoted prefix term ("cair" finds "cairkan"), all
required. SQLite has no Indonesian stemmer, so a word inside another ("pencairan") is not found
there — a local-development limitation, not the production behaviour.

User text never reaches a query as syntax: PostgreSQL parses it with plainto_tsquery, and for
FTS5 only word characters are kept and each word is quoted.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, func, literal_column, text

from puja_indah.innovations.models import (
    SEARCH_COLUMNS,
    SEARCH_DOCUMENT,
    SEARCH_TABLE,
    Innovation,
)

MAX_TERMS = 12
_WORD = re.compile(r"\w+", re.UNICODE)

# The stored column's expression, as the migrations wrote it (9b1e7c3d5a20).
PG_DOCUMENT_SQL = "to_tsvector('indonesian'::regconfig, " + " || ' ' || ".join(SEARCH_COLUMNS) + ")"


def words(query: str) -> list[str]:
    return _WORD.findall(query.lower())[:MAX_TERMS]


def fts5_query(query: str) -> str:
    """An FTS5 MATCH expression that requires every word as a prefix; '' when nothing is left."""
    return " ".join(f'"{word}"*' for word in words(query))


def _pg_document() -> ColumnElement[Any]:
    """The stored document column (no model maps it: the database computes it)."""
    return literal_column(f"{Innovation.__tablename__}.{SEARCH_DOCUMENT}")


def condition(query: str, dialect: str) -> ColumnElement[bool] | None:
    """The WHERE clause that finds `query`, or None when it holds no word to look for."""
    terms = words(query)
    if not terms:
        return None
    if dialect == "postgresql":
        tsquery = func.plainto_tsquery(literal_column("'indonesian'::regconfig"), " ".join(terms))
        return _pg_document().op("@@")(tsquery)
    # The table name is a constant; the user's words travel as a bound parameter.
    sql = f"SELECT rowid FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH :fts"  # noqa: S608
    match = text(sql).bindparams(fts=fts5_query(query))
    return Innovation.id.in_(match)
