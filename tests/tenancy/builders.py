"""Build a valid row of any mapped model for a given agency, from its table definition alone, so
that the tenancy tests cover a new agency-scoped model without anyone writing a builder.

A model whose columns need a value the generic rules cannot guess registers one in OVERRIDES.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy import inspect

from puja_indah.core.db import AgencyScoped
from puja_indah.core.models import Agency
from puja_indah.extensions import db

_counter = itertools.count(1)


def _agency_region(agency_id: int) -> int:
    return int(db.session.scalar(sa.select(Agency.region_id).where(Agency.id == agency_id)))


def _fresh_affair(agency_id: int) -> int:
    from puja_indah.reference.models import Affair

    n = next(_counter)
    affair = Affair(code=f"t{n}", name=f"Affair {n}")
    db.session.add(affair)
    db.session.flush()
    return affair.id


def _fresh_innovation(agency_id: int) -> int:
    from puja_indah.innovations.models import Innovation

    return int(build(Innovation, agency_id).id)


def _fresh_evidence(agency_id: int) -> int:
    from puja_indah.evidence.models import Evidence

    return int(build(Evidence, agency_id).id)


def _fresh_row(model_name: str) -> Any:
    """A new parent row each time: for children unique per (parent, something) pair."""

    def make(agency_id: int) -> int:
        return int(build(model_for_name(model_name), agency_id).id)

    return make


def model_for_name(name: str) -> type:
    for mapper in db.Model.registry.mappers:
        if mapper.class_.__name__ == name:
            return mapper.class_
    raise LookupError(name)


# model name -> {column: value or callable(agency_id) -> value}
OVERRIDES: dict[str, dict[str, Any]] = {
    # An innovation's region is its agency's region (a composite foreign key checks it).
    "Innovation": {"region_id": _agency_region},
    # (innovation, affair) is unique: each row links its own affair.
    "InnovationAffair": {"affair_id": _fresh_affair},
    # One replication per replica innovation (unique): each row gets its own replica.
    "Replication": {"replica_id": _fresh_innovation},
    # (replication, evidence) is unique: each link row cites its own document.
    "ReplicationDocument": {"evidence_id": _fresh_evidence},
    # (innovation, indicator) and (claim, evidence) are unique: each row gets a fresh parent.
    "Claim": {"innovation_id": _fresh_row("Innovation")},
    "ClaimEvidence": {"claim_id": _fresh_row("Claim")},
    # --- reviews: (innovation, indicator, version) is unique: each decision gets its innovation ---
    "ReviewDecision": {"innovation_id": _fresh_row("Innovation")},
    # (milestone, evidence) is unique: each attachment cites its own document.
    "MilestoneAttachment": {"evidence_id": _fresh_evidence},
    # --- e-pintar: a rating is 1 to 5 (a CHECK constraint) ---
    "Feedback": {"rating": 3},
    # --- e-minduk: one request per e-tracking file (unique), a NIK of 16 digits (checked) ---
    "CivilRequest": {"file_id": _fresh_row("TrackedFile"), "nik": "7406011203850002"},
    # --- e-tracking notifications: (file, user) and (event, user) are unique ---
    "FileSubscription": {"file_id": _fresh_row("TrackedFile")},
    "Notification": {"event_id": _fresh_row("FileEvent")},
}


def _value_for(column: sa.Column[Any], model: type, agency_id: int) -> Any:
    override = OVERRIDES.get(model.__name__, {}).get(column.key)
    if override is not None:
        return override(agency_id) if callable(override) else override
    if column.key == "agency_id":
        return agency_id
    if column.foreign_keys:
        (fk,) = tuple(column.foreign_keys)
        return _parent_id(fk.column.table, agency_id)
    kind = column.type
    if isinstance(kind, sa.Enum):
        return kind.enums[0]
    python_type = getattr(kind, "impl", kind).python_type  # a TypeDecorator: its base type
    n = next(_counter)
    if python_type is str:
        length = getattr(kind, "length", None) or 40
        return f"t{n}"[:length]
    if python_type is bool:
        return False
    if python_type is int:
        return n
    if python_type is Decimal:
        return Decimal(n)
    if python_type is float:
        return float(n)
    if python_type is dt.datetime:
        return dt.datetime.now(dt.UTC)
    if python_type is dt.date:
        return dt.date.today()
    if python_type is dict:
        return {}
    raise NotImplementedError(f"no generic value for {model.__name__}.{column.key}")


def _parent_id(table: sa.Table, agency_id: int) -> int:
    """An existing row to point at: the agency itself, a row of the same agency for an
    agency-scoped parent, otherwise any row (built if the table is empty)."""
    if table.name == Agency.__tablename__:
        return agency_id
    model = model_for_table(table)
    if issubclass(model, AgencyScoped):
        existing = db.session.scalar(
            sa.select(table.c.id).where(table.c.agency_id == agency_id).limit(1)
        )
    else:
        existing = db.session.scalar(sa.select(table.c.id).limit(1))
    if existing is not None:
        return int(existing)
    return build(model, agency_id).id


def model_for_table(table: sa.Table) -> type:
    for mapper in db.Model.registry.mappers:
        if mapper.local_table is table:
            return mapper.class_
    raise LookupError(table.name)


def build(model: type, agency_id: int) -> Any:
    """Insert one valid row of `model` owned by `agency_id` (caller sets a system scope)."""
    mapper = inspect(model)
    values: dict[str, Any] = {}
    for column in mapper.columns:
        if column.primary_key or column.key in ("version",):
            continue
        unique = any(
            isinstance(c, sa.UniqueConstraint) and column.name in c.columns
            for c in column.table.constraints
        )
        needs_value = not column.nullable and column.default is None
        if needs_value or column.key == "agency_id" or unique:
            if column.default is not None and not unique and column.key != "agency_id":
                continue
            values[column.key] = _value_for(column, model, agency_id)
    if issubclass(model, AgencyScoped):
        existing_unique_agency = any(
            isinstance(c, sa.UniqueConstraint) and list(c.columns.keys()) == ["agency_id"]
            for c in mapper.local_table.constraints
        )
        if existing_unique_agency:
            # One row per agency (e.g. the agency profile): reuse it if it exists.
            row = db.session.scalar(sa.select(model).where(model.agency_id == agency_id))
            if row is not None:
                return row
    obj = model(**values)
    db.session.add(obj)
    db.session.flush()
    return obj
