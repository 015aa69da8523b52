"""tenancy: row-level security on agency-owned tables; append-only audit trail

Revision ID: 7a1c0e5b2f10
Revises: 01e646ddd7ea
Create Date: 2026-11-23 19:20:00

"""
from alembic import op

from puja_indah.core import rls

revision = '7a1c0e5b2f10'
down_revision = '01e646ddd7ea'
branch_labels = None
depends_on = None

AGENCY_TABLES = ("agency_profiles",)


def upgrade():
    if rls.is_postgresql(op.get_bind()):
        op.execute(rls.FUNCTIONS_SQL)
    for table in AGENCY_TABLES:
        rls.enable_agency_rls(op, table)
    rls.make_append_only(op, "audit_entries")


def downgrade():
    rls.drop_append_only(op, "audit_entries")
    for table in AGENCY_TABLES:
        rls.disable_agency_rls(op, table)
    if rls.is_postgresql(op.get_bind()):
        op.execute(rls.DROP_FUNCTIONS_SQL)
