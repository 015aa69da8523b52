"""innovation search document as a stored column

PostgreSQL: the full-text document of an innovation (the same to_tsvector expression as
5f3c2a9d8e41) becomes a stored generated column `search_document` with its own GIN index,
replacing the expression index. A search then compares a stored tsvector per row instead of
recomputing to_tsvector over the rancang bangun texts: the planner often filters the rows an
other index found (stage, region, theme) with the search condition, and under row-level security
it must (the non-leakproof @@ stays above the policy), so each row's recomputation (~0.7 ms)
made a national search with a common word take seconds (12,000 rows: 2.5-3.3 s; with the stored
column 60-75 ms). SQLite keeps its FTS5 table. Neither is mapped by a model.

Revision ID: 9b1e7c3d5a20
Revises: c846df5a4e53
Create Date: 2026-11-29 23:50:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '9b1e7c3d5a20'
down_revision = 'c846df5a4e53'
branch_labels = None
depends_on = None

# Kept literal here (a migration must not change when the code does); equal to
# innovations.models.SEARCH_COLUMNS and search.PG_DOCUMENT_SQL at the time of writing.
COLUMNS = (
    'name', 'summary', 'goals', 'design_legal_basis', 'design_problem',
    'design_strategic_issues', 'design_method', 'design_advantages', 'design_how_it_works',
)
PG_DOCUMENT = "to_tsvector('indonesian'::regconfig, " + " || ' ' || ".join(COLUMNS) + ")"


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute(
        "ALTER TABLE innovations ADD COLUMN search_document tsvector"
        f" GENERATED ALWAYS AS ({PG_DOCUMENT}) STORED"
    )
    op.execute(
        "CREATE INDEX ix_innovations_search_document ON innovations USING gin (search_document)"
    )
    op.execute("DROP INDEX IF EXISTS ix_innovations_search")


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute(f"CREATE INDEX ix_innovations_search ON innovations USING gin ({PG_DOCUMENT})")
    op.execute("DROP INDEX IF EXISTS ix_innovations_search_document")
    op.execute("ALTER TABLE innovations DROP COLUMN search_document")
