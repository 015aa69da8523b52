"""row-level security: the visibility function written so PostgreSQL inlines it

Same rules (core/rls.py INLINABLE_FUNCTIONS_SQL); the region's agencies move to a function of
their own so that `puja_agency_visible` holds no sub-select and is inlined into every policy
instead of being called once per row behind a blind selectivity guess.

Revision ID: 4e2b7d9c1a08
Revises: 100a52af4687
Create Date: 2026-11-30 04:15:00.000000

"""
from alembic import op

from puja_indah.core import rls


# revision identifiers, used by Alembic.
revision = '4e2b7d9c1a08'
down_revision = '100a52af4687'
branch_labels = None
depends_on = None


def upgrade():
    if rls.is_postgresql(op.get_bind()):
        op.execute(rls.INLINABLE_FUNCTIONS_SQL)


def downgrade():
    if rls.is_postgresql(op.get_bind()):
        op.execute(rls.FUNCTIONS_SQL)  # the sub-select version, as migration 7a1c0e5b2f10 made it
        op.execute("DROP FUNCTION IF EXISTS puja_region_agency_ids()")
