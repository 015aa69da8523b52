"""Writes of the reference lists: the seed loader and the monitors' edits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from puja_indah.extensions import db
from puja_indah.reference.models import Affair, InitiatorKind, Theme

REFERENCE_FILE = Path(__file__).parent / "data" / "reference.yaml"


def seed(path: Path = REFERENCE_FILE) -> dict[str, int]:
    """Add the reference rows that are missing; rows already present (matched by code, or year
    and name for themes) keep what monitors changed. Returns how many rows were created."""
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    created = {"affairs": 0, "initiator_kinds": 0, "themes": 0}
    existing_affairs = set(db.session.scalars(select(Affair.code)))
    for order, row in enumerate(data["affairs"]):
        if row["code"] not in existing_affairs:
            db.session.add(
                Affair(
                    code=row["code"],
                    name=row["name"],
                    basic_service=bool(row.get("basic_service", False)),
                    sort_order=order,
                )
            )
            created["affairs"] += 1
    existing_kinds = set(db.session.scalars(select(InitiatorKind.code)))
    for order, row in enumerate(data["initiator_kinds"]):
        if row["code"] not in existing_kinds:
            db.session.add(InitiatorKind(code=row["code"], name=row["name"], sort_order=order))
            created["initiator_kinds"] += 1
    existing_themes = {
        (row.year, row.name) for row in db.session.execute(select(Theme.year, Theme.name))
    }
    for row in data["themes"]:
        if (row["year"], row["name"]) not in existing_themes:
            db.session.add(
                Theme(year=row["year"], name=row["name"], is_demo=bool(row.get("demo", False)))
            )
            created["themes"] += 1
    db.session.flush()
    return created
