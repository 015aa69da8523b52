"""Reads of the innovations feature: the filtered list, one innovation, and the choices its
forms offer. Innovations are agency-scoped: the tenancy layer narrows every query here to what
the scope may read (an officer's agency, a monitor's region, everything nationally) — no view
or query filters by the user's agency itself."""

from __future__ import annotations

from dataclasses import dataclass

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, case, or_, select
from sqlalchemy.orm import joinedload, load_only, selectinload
from wtforms.fields.choices import SelectChoice

from puja_indah.agencies.models import Appointment, Decree
from puja_indah.core.models import Agency
from puja_indah.extensions import db
from puja_indah.innovations import search
from puja_indah.innovations.models import (
    Innovation,
    InnovationAffair,
    InnovationForm,
    InnovationKind,
    ProfileStatus,
    Stage,
    StageChange,
)
from puja_indah.reference.models import Affair, InitiatorKind, Theme

PER_PAGE = 20
MAX_PAGE = 10_000
NO_CHOICE = SelectChoice("", "—")


def get_innovation(innovation_id: int) -> Innovation | None:
    """One innovation the scope may read (a query, never an identity-map hit), or None.

    Everything its pages show is loaded here, the many-to-one references joined into the first
    statement: lazy loads would send one statement per reference that is set, so the number of
    statements would depend on how complete the profile is (bench: 20 vs 24)."""
    return db.session.scalar(
        select(Innovation)
        .where(Innovation.id == innovation_id)
        .options(
            joinedload(Innovation.agency),
            joinedload(Innovation.appointment).joinedload(Appointment.decree),
            joinedload(Innovation.initiator_kind),
            joinedload(Innovation.theme),
            joinedload(Innovation.affair),
            selectinload(Innovation.other_affairs).joinedload(InnovationAffair.affair),
            selectinload(Innovation.stage_changes).joinedload(StageChange.user),
        )
    )


@dataclass(frozen=True)
class Filters:
    q: str | None = None
    region: int | None = None
    agency: int | None = None
    stage: str | None = None
    form: str | None = None
    kind: str | None = None
    affair: int | None = None
    theme: int | None = None
    year: int | None = None
    status: str | None = None
    sort: str = "name"


STAGE_ORDER = case(
    {stage.value: stage.rank for stage in Stage}, value=Innovation.stage, else_=len(Stage)
)


def filtered_innovations(filters: Filters) -> Select[Innovation]:
    """The innovations the filters keep, unsorted and without eager loads (the web list and the
    API sort, page and load what they show). The year filter is the theme's year: the yearly
    thematic list it is reported under."""
    stmt = select(Innovation)
    if filters.region is not None:
        stmt = stmt.where(Innovation.region_id == filters.region)
    if filters.agency is not None:
        stmt = stmt.where(Innovation.agency_id == filters.agency)
    if filters.stage:
        stmt = stmt.where(Innovation.stage == Stage(filters.stage))
    if filters.form:
        stmt = stmt.where(Innovation.form == InnovationForm(filters.form))
    if filters.kind:
        stmt = stmt.where(Innovation.kind == InnovationKind(filters.kind))
    if filters.status:
        stmt = stmt.where(Innovation.status == ProfileStatus(filters.status))
    if filters.affair is not None:
        stmt = stmt.where(
            or_(
                Innovation.affair_id == filters.affair,
                Innovation.other_affairs.any(InnovationAffair.affair_id == filters.affair),
            )
        )
    if filters.theme is not None:
        stmt = stmt.where(Innovation.theme_id == filters.theme)
    if filters.year is not None:
        stmt = stmt.where(
            Innovation.theme_id.in_(select(Theme.id).where(Theme.year == filters.year))
        )
    if filters.q:
        found = search.condition(filters.q, db.session.get_bind().dialect.name)
        if found is not None:
            stmt = stmt.where(found)
    return stmt


# The columns a list row shows: the rancang bangun and other long texts stay in the database.
LIST_COLUMNS = (
    Innovation.id,
    Innovation.region_id,
    Innovation.agency_id,
    Innovation.theme_id,
    Innovation.name,
    Innovation.stage,
    Innovation.status,
    Innovation.published,
    Innovation.updated_at,
    Innovation.version,
)


def innovation_page(filters: Filters, page: int = 1) -> Pagination:
    """The list, filtered and sorted with a stable order (ties broken by id). Only the columns a
    row shows; agency and theme joined in the same statement (a page read in the order of
    `ix_innovations_name_key_id` joins only its own rows): two statements, the page and its
    count, whatever the number of rows, agencies or regions — even for an empty page."""
    stmt = filtered_innovations(filters).options(
        load_only(*LIST_COLUMNS),
        joinedload(Innovation.agency).load_only(Agency.name, Agency.short_name),
        joinedload(Innovation.theme),
    )
    if filters.sort == "updated":
        stmt = stmt.order_by(Innovation.updated_at.desc(), Innovation.id.desc())
    elif filters.sort == "stage":
        stmt = stmt.order_by(STAGE_ORDER.desc(), Innovation.name_key, Innovation.id)
    else:
        stmt = stmt.order_by(Innovation.name_key, Innovation.id)
    return db.paginate(
        stmt, page=min(max(page, 1), MAX_PAGE), per_page=PER_PAGE, error_out=False, count=True
    )


# --- choices -------------------------------------------------------------------------------------


def appointment_choices(agency_id: int | None) -> list[SelectChoice]:
    """The agency's own decree appointments (an assigned innovation fulfils one of them)."""
    rows = db.session.scalars(
        select(Appointment)
        .join(Appointment.decree)
        .where(Appointment.agency_id == agency_id)
        .options(selectinload(Appointment.decree))
        .order_by(Decree.signed_on.desc().nulls_last(), Appointment.id)
    )
    return [
        NO_CHOICE,
        *(
            SelectChoice(str(a.id), f"SK {a.decree.number} · {a.innovation_name or '—'}")
            for a in rows
        ),
    ]


def theme_choices(current: int | None = None) -> list[SelectChoice]:
    """Active themes grouped by year, newest year first (and the stored one, even if inactive)."""
    rows = db.session.scalars(
        select(Theme)
        .where(or_(Theme.active.is_(True), Theme.id == current))
        .order_by(Theme.year.desc(), Theme.name)
    )
    return [NO_CHOICE, *(SelectChoice(str(t.id), t.name, optgroup=str(t.year)) for t in rows)]


def affair_choices(current: set[int] | None = None, *, blank: bool = True) -> list[SelectChoice]:
    ids = list(current or ())
    rows = db.session.scalars(
        select(Affair)
        .where(or_(Affair.active.is_(True), Affair.id.in_(ids)))
        .order_by(Affair.sort_order, Affair.name)
    )
    choices = [SelectChoice(str(a.id), f"{a.name} *" if a.basic_service else a.name) for a in rows]
    return [NO_CHOICE, *choices] if blank else choices


def initiator_choices(current: int | None = None) -> list[SelectChoice]:
    rows = db.session.scalars(
        select(InitiatorKind)
        .where(or_(InitiatorKind.active.is_(True), InitiatorKind.id == current))
        .order_by(InitiatorKind.sort_order, InitiatorKind.name)
    )
    return [NO_CHOICE, *(SelectChoice(str(k.id), k.name) for k in rows)]


def theme_filter_choices() -> list[SelectChoice]:
    rows = db.session.scalars(select(Theme).order_by(Theme.year.desc(), Theme.name))
    return [NO_CHOICE, *(SelectChoice(str(t.id), t.name, optgroup=str(t.year)) for t in rows)]
