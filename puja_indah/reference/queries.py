"""Reads of the reference lists (national rows: every signed-in user may read them)."""

from __future__ import annotations

from sqlalchemy import func, select

from puja_indah.extensions import db
from puja_indah.reference.models import Affair, InitiatorKind, Theme


def affairs() -> list[Affair]:
    return list(db.session.scalars(select(Affair).order_by(Affair.sort_order, Affair.code)))


def basic_service_count() -> int:
    return int(
        db.session.scalar(select(func.count(Affair.id)).where(Affair.basic_service.is_(True))) or 0
    )


def theme_years() -> list[int]:
    return list(db.session.scalars(select(Theme.year).distinct().order_by(Theme.year.desc())))


def themes(year: int | None) -> list[Theme]:
    stmt = select(Theme).order_by(Theme.year.desc(), Theme.name)
    if year is not None:
        stmt = stmt.where(Theme.year == year)
    return list(db.session.scalars(stmt))


def initiator_kinds() -> list[InitiatorKind]:
    return list(
        db.session.scalars(
            select(InitiatorKind).order_by(InitiatorKind.sort_order, InitiatorKind.code)
        )
    )
