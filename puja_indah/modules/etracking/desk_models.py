"""Data of the desk screens (intake, file page, queue) that the engine does not need.

`IntakeToken`: the one-time token of an intake form. Each rendered form carries a fresh random
token; registering a file stores it here in the same transaction, under a unique key. A form
posted twice (a double click, a resent request, a second gunicorn worker handling the retry)
inserts the same token again: the database refuses the second insert — on PostgreSQL it waits
for the first transaction and then fails — so the second request rolls back its file and is sent
to the file the first one registered. The database is the only place every worker shares, which
is why the token is not kept in the session or in a worker's memory.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKeyConstraint, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from puja_indah.core.db import AgencyScoped, Base, utcnow


class IntakeToken(AgencyScoped, Base):
    __tablename__ = "et_intake_tokens"
    __table_args__ = (
        UniqueConstraint("agency_id", "token"),
        ForeignKeyConstraint(["file_id", "agency_id"], ["et_files.id", "et_files.agency_id"]),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64))
    file_id: Mapped[int] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
