"""The national scope's agency filter: a region first (the ~500 regions, each under its province),
then only that region's agencies (tens) — never the country's seventeen thousand agencies as
options on every request. Shared by every list a national scope filters by agency (the
innovation list, the review workspace, the audit trail, the users list) and by the national
administrator's forms that pick an agency (grant a role, an agency's parent).

Works without JavaScript: choose a region, press Filter (a form: its "show agencies" button), its
agencies appear. An old link or form with only the agency gets that agency's region filled in. A
bad id is reported by the select's own validation (200, never 500).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import aliased
from wtforms import SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import Select

from puja_indah.core import dataversion
from puja_indah.core.models import Agency, Region
from puja_indah.core.permissions import MAX_ID
from puja_indah.extensions import db

# A form (POST) that picks an agency has this button beside its region select: pressed, the form
# comes back with the region's agencies and what was typed, nothing saved.
SHOW_AGENCIES = "show_agencies"
FORM_HINT = _l("Choose a region and press Show its agencies: its agencies appear here.")


def show_agencies_button() -> SubmitField:
    """The `show_agencies` field of a form that picks a region, then one of its agencies."""
    return SubmitField(_l("Show its agencies"))


def showing_agencies(form: Any, region: SelectField, agency: SelectField) -> bool:
    """True when the form came back by its "Show its agencies" button, to be shown again with the
    chosen region's agencies rather than saved. Only the two selects are judged then: a bad id
    gets its message, the fields not filled in yet get none."""
    button = form._fields.get(SHOW_AGENCIES)
    if request.method != "POST" or button is None or not button.data:
        return False
    region.validate(form)
    agency.validate(form)
    return True


class PlainSelect(Select):
    """WTForms' select, a plain option written by one format call instead of `html_params` (the
    national scope's region select has about 500 options on every request)."""

    @classmethod
    def render_option(cls, choice: SelectChoice, **kwargs: Any) -> Markup:
        if kwargs or choice.render_kw or isinstance(choice.value, bool):
            return super().render_option(choice, **kwargs)
        selected = Markup(" selected") if choice.selected else ""
        label = choice.label or choice.value
        return Markup('<option value="%s"%s>%s</option>') % (choice.value, selected, label)


def region_choices(empty: SelectChoice, *, every_region: bool = False) -> list[SelectChoice]:
    """The regions that have agencies, each under its province (≈500 for the whole country);
    `every_region` adds those without any yet (a form may create an agency or a monitor there).
    One statement once per data version in each worker (they change rarely); the list grows with
    the country's regions, never with agencies or rows."""
    return dataversion.remember(
        "region_choices",
        (dataversion.scope_key(), every_region, empty.value, str(empty.label)),
        lambda: _read_region_choices(empty, every_region),
    )


def _read_region_choices(empty: SelectChoice, every_region: bool) -> list[SelectChoice]:
    province = aliased(Region)
    stmt = (
        select(Region.id, Region.name, Region.parent_id, province.name)
        .outerjoin(province, province.id == Region.parent_id)
        .order_by(
            func.coalesce(province.code, Region.code), Region.parent_id.is_not(None), Region.code
        )
    )
    if not every_region:
        stmt = stmt.where(Region.id.in_(select(Agency.region_id)))
    rows = db.session.execute(stmt).all()
    return [
        empty,
        *(
            SelectChoice(str(row[0]), row[1], optgroup=row[3] if row[2] is not None else row[1])
            for row in rows
        ),
    ]


def agency_choices(
    region_id: int | None, empty: SelectChoice, *, active_only: bool = False
) -> list[SelectChoice]:
    """The agencies of one region (tens): a monitor's own region, or the region a national scope
    chose; none before a region is chosen. `active_only` for a form that gives an agency
    something new (an inactive agency's old rows are still filtered by). Read once per data
    version in each worker."""
    if region_id is None:
        return [empty]
    return dataversion.remember(
        "agency_choices",
        (dataversion.scope_key(), region_id, active_only, empty.value, str(empty.label)),
        lambda: _read_agency_choices(region_id, empty, active_only),
    )


def _read_agency_choices(
    region_id: int, empty: SelectChoice, active_only: bool
) -> list[SelectChoice]:
    stmt = select(Agency.id, Agency.name).where(Agency.region_id == region_id)
    if active_only:
        stmt = stmt.where(Agency.active.is_(True))
    rows = db.session.execute(stmt.order_by(Agency.name, Agency.id)).all()
    return [empty, *(SelectChoice(str(row[0]), row[1]) for row in rows)]


def agency_region(agency_id: int) -> int | None:
    """The region of an agency the scope may read (an old `?agency=` link without a region)."""
    return db.session.scalar(select(Agency.region_id).where(Agency.id == agency_id))


def region_then_agency(
    region: SelectField,
    agency: SelectField,
    empty: SelectChoice,
    region_empty: SelectChoice | None = None,
    *,
    agencies: Callable[[int], list[SelectChoice]] | None = None,
    every_region: bool = False,
    hint: str | None = None,
) -> None:
    """Fill a form's region and agency selects for a national scope: every region, and the
    agencies of the chosen region only (of the agency's region for a link with only
    `agency=`); a hint in the agency's description until a region is chosen. Call before the
    form validates: a region or agency outside these choices is then reported beside its field.
    `empty` is the "no choice" option of both selects unless `region_empty` is given. A form
    that offers only some of a region's agencies, or labels them otherwise, passes `agencies`
    (the options of one region, its "no choice" first); `hint` replaces the Filter hint."""
    region.choices = region_choices(region_empty or empty, every_region=every_region)
    region_id = region.data if not region.process_errors else None
    agency_id = agency.data if not agency.process_errors else None
    if region_id is None and agency_id is not None and 0 < agency_id <= MAX_ID:
        region_id = agency_region(agency_id)
        if region_id is not None:
            region.data = region_id
    elif region_id is not None and not 0 < region_id <= MAX_ID:
        region_id = None
    if region_id is not None and str(region_id) not in {c.value for c in region.choices}:
        region_id = None  # reported by the region select's own validation
    if agencies is None or region_id is None:
        agency.choices = agency_choices(region_id, empty)
    else:
        agency.choices = agencies(region_id)
    if region_id is None:
        filter_hint = _("Choose a region and press Filter: its agencies appear here.")
        agency.description = hint or filter_hint
