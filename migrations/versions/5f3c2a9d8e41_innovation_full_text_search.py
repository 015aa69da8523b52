"""innovation full-text search

PostgreSQL: a GIN index on to_tsvector('indonesian', name || summary || goals || rancang bangun),
the same expression puja_indah/innovations/search.py queries. SQLite: an FTS5 table with the
innovation id as rowid, filled from the existing rows and kept in step by triggers. Neither is
mapped by a model (core.db.UNMAPPED_SCHEMA_PREFIXES lets autogenerate ignore them).

Revision ID: 5f3c2a9d8e41
Revises: 7f04bb95856d
Create Date: 2026-11-29 09:20:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '5f3c2a9d8e41'
down_revision = '7f04bb95856d'
branch_labels = None
depends_on = None

# Kept literal here (a migration must not change when the code does); equal to
# innovations.models.SEARCH_COLUMNS and search.PG_DOCUMENT_SQL at the time of writing.
COLUMNS = (
    'name', 'summary', 'goals', 'design_legal_basis', 'design_problem',
    'design_strategic_issues', 'design_method', 'design_advantages', 'design_how_it_works',
)
PG_DOCUMENT = "to_tsvector('indonesian'::regconfig, " + " || ' ' || ".join(COLUMNS) + ")"
SQLITE_BODY = " || ' ' || ".join(f"{{row}}.{c}" for c in COLUMNS[3:])


def _sqlite_values(row):
    return f"{row}.name, {row}.summary, {row}.goals || ' ' || " + SQLITE_BODY.format(row=row)


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        op.execute(f"CREATE INDEX ix_innovations_search ON innovations USING gin ({PG_DOCUMENT})")
    elif dialect == 'sqlite':
        op.execute(
            "CREATE VIRTUAL TABLE innovations_search USING fts5("
            "name, summary, body, tokenize = 'unicode61 remove_diacritics 2')"
        )
        op.execute(
            "INSERT INTO innovations_search (rowid, name, summary, body) "
            f"SELECT id, {_sqlite_values('innovations')} FROM innovations"
        )
        op.execute(
            "CREATE TRIGGER innovations_search_insert AFTER INSERT ON innovations BEGIN "
            "INSERT INTO innovations_search (rowid, name, summary, body) "
            f"VALUES (new.id, {_sqlite_values('new')}); END"
        )
        op.execute(
            "CREATE TRIGGER innovations_search_update AFTER UPDATE ON innovations BEGIN "
            "DELETE FROM innovations_search WHERE rowid = old.id; "
            "INSERT INTO innovations_search (rowid, name, summary, body) "
            f"VALUES (new.id, {_sqlite_values('new')}); END"
        )
        op.execute(
            "CREATE TRIGGER innovations_search_delete AFTER DELETE ON innovations BEGIN "
            "DELETE FROM innovations_search WHERE rowid = old.id; END"
        )


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        op.execute("DROP INDEX IF EXISTS ix_innovations_search")
    elif dialect == 'sqlite':
        for trigger in ('insert', 'update', 'delete'):
            op.execute(f"DROP TRIGGER IF EXISTS innovations_search_{trigger}")
        op.execute("DROP TABLE IF EXISTS innovations_search")
