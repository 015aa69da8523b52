"""Writes of the desk's settings: the working calendar, collective leave and new versions of a
process definition. Validate, change, flush — never commit (the view commits once).

Refusals carry every error at once, each keyed by the form field it belongs to (`errors`), so
the screen can show it beside that field; `message` is the summary shown on top.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, time

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from puja_indah.core.models import Region
from puja_indah.extensions import db
from puja_indah.modules.etracking.models import (
    CollectiveLeave,
    FileKind,
    Process,
    ProcessVersion,
    StageDefinition,
    WorkingCalendar,
)
from puja_indah.modules.etracking.worktime import national_holidays

ZONE_NAMES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")
ROLE_NAMES = ("agency_officer", "agency_lead")
MAX_NAME = 120
MAX_CHECKLIST_ITEM = 200
MAX_CHECKLIST_ITEMS = 50
MAX_NOTE = 1000
MAX_STAGES = 40
# A year of working days is far below this; a larger SLA is a typing mistake.
MAX_SLA_MINUTES = 200_000
FIRST_YEAR, LAST_YEAR = 2000, 2100
STAGE_CODE = re.compile(r"^[a-z0-9_]{1,40}$")
DIGITS = re.compile(r"^[0-9]{1,9}$")
KIND_CODE = re.compile(r"^[A-Za-z0-9_-]{1,20}$")


class SettingsRefused(Exception):
    def __init__(self, message: str, errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


def _check_errors(errors: dict[str, str]) -> None:
    if errors:
        raise SettingsRefused(_("The change was not saved: correct the fields marked."), errors)


# --- working calendar ----------------------------------------------------------------------------


def calendar_row(agency_id: int) -> WorkingCalendar | None:
    return db.session.scalar(select(WorkingCalendar).where(WorkingCalendar.agency_id == agency_id))


def _stale_calendar() -> SettingsRefused:
    return SettingsRefused(
        _(
            "Someone saved the working calendar after you opened this page, so your change was"
            " not saved. The page now shows their version: make your change again if it is"
            " still needed."
        )
    )


def save_calendar(
    agency_id: int,
    seen_version: int | None,
    opens: time | None,
    closes: time | None,
    weekdays: list[int],
    zone: str,
) -> WorkingCalendar:
    """Save the desk's office hours over the version the form was loaded with (0: none yet)."""
    errors: dict[str, str] = {}
    if opens is None:
        errors["opens"] = _("Enter the opening time.")
    if closes is None:
        errors["closes"] = _("Enter the closing time.")
    if opens is not None and closes is not None and not opens < closes:
        errors["closes"] = _("The office must close after it opens.")
    days = sorted(set(weekdays))
    if not days:
        errors["weekdays"] = _("Choose at least one working day.")
    elif not set(days) <= set(range(7)):
        errors["weekdays"] = _("Not a valid choice.")
    if zone not in ZONE_NAMES:
        errors["zone"] = _("Choose WIB, WITA or WIT.")
    _check_errors(errors)
    assert opens is not None and closes is not None
    row = calendar_row(agency_id)
    current = row.version if row is not None else 0
    if seen_version is None or seen_version != current:
        raise _stale_calendar()
    if row is None:
        row = WorkingCalendar(agency_id=agency_id)
        db.session.add(row)
    row.opens, row.closes = opens, closes
    row.weekdays = ",".join(str(d) for d in days)
    row.zone = zone
    try:
        # The UPDATE carries `WHERE version = <seen>` (the mapper's version column): a save
        # that slipped in between our read and this write makes it match no row.
        db.session.flush()
    except (StaleDataError, IntegrityError):
        raise _stale_calendar() from None
    return row


# --- collective leave ----------------------------------------------------------------------------


def add_leave(region: Region, day: date | None, name: str) -> CollectiveLeave:
    errors: dict[str, str] = {}
    if day is None:
        errors["day"] = _("Enter the date of the day off.")
    elif not FIRST_YEAR <= day.year <= LAST_YEAR:
        errors["day"] = _("Enter a date between 2000 and 2100.")
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME:
        errors["name"] = _("Enter the name of the day off (at most 120 characters).")
    if day is not None and "day" not in errors:
        holiday = national_holidays([day.year]).get(day)
        if holiday is not None:
            # Refused rather than stored twice: the SLA clock already skips a national holiday,
            # and a duplicate row would linger if the holiday list were ever corrected.
            errors["day"] = _(
                "This date is already a national holiday (%(name)s): the SLA clock skips it"
                " without a collective-leave entry.",
                name=holiday,
            )
        elif _leave_on(region.id, day) is not None:
            errors["day"] = _("This date is already a collective-leave day of the region.")
    _check_errors(errors)
    assert day is not None
    leave = CollectiveLeave(region_id=region.id, day=day, name=name)
    db.session.add(leave)
    try:
        db.session.flush()
    except IntegrityError:  # entered by someone else at the same moment
        raise SettingsRefused(
            _("The change was not saved: correct the fields marked."),
            {"day": _("This date is already a collective-leave day of the region.")},
        ) from None
    return leave


def _leave_on(region_id: int, day: date) -> CollectiveLeave | None:
    return db.session.scalar(
        select(CollectiveLeave).where(
            CollectiveLeave.region_id == region_id, CollectiveLeave.day == day
        )
    )


def remove_leave(leave: CollectiveLeave) -> None:
    db.session.delete(leave)
    db.session.flush()


# --- process definitions -------------------------------------------------------------------------


@dataclass
class StageDraft:
    code: str
    name: str
    public_label: str
    roles: list[str]
    sla_minutes: str
    may_return: bool
    terminal: bool
    remove: bool = False
    prefix: str = ""  # where its fields are on the form, for the error messages


@dataclass
class KindDraft:
    code: str
    name: str
    checklist: str
    remove: bool = False
    # The form's prefix of this file type's fields ("kinds-2-", "new_").
    prefix: str = ""


@dataclass
class _Parsed:
    stages: list[dict[str, object]] = field(default_factory=list)
    kinds: list[dict[str, object]] = field(default_factory=list)


def _stale_process(number: int) -> SettingsRefused:
    return SettingsRefused(
        _(
            "Version %(number)d of this process was saved after you opened this page, so your"
            " changes were not saved. The page now shows version %(number)d: make your changes"
            " again if they are still needed.",
            number=number,
        )
    )


def new_version(
    process: Process,
    based_on: int | None,
    stages: list[StageDraft],
    kinds: list[KindDraft],
    note: str,
) -> ProcessVersion:
    """Make version N+1 of the process from the edited copy of version N. Versions that exist
    are never changed: a running file keeps the stages, SLAs and checklists it started with."""
    versions = list(
        db.session.scalars(
            select(ProcessVersion)
            .where(ProcessVersion.process_id == process.id)
            .order_by(ProcessVersion.number)
        )
    )
    latest = versions[-1] if versions else None
    latest_number = latest.number if latest is not None else 0
    if based_on is None or based_on != latest_number or latest is None:
        raise _stale_process(latest_number)
    parsed, errors = _parse(stages, kinds)
    if len(note) > MAX_NOTE:
        errors["note"] = _("The note is longer than 1000 characters.")
    _check_errors(errors)
    if _same_as(latest, parsed):
        raise SettingsRefused(_("Nothing was changed, so no new version was made."))
    version = ProcessVersion(
        agency_id=process.agency_id, process_id=process.id, number=latest_number + 1, note=note
    )
    db.session.add(version)
    try:
        db.session.flush()  # (process_id, number) is unique: a concurrent save loses here
    except IntegrityError:
        raise _stale_process(latest_number + 1) from None
    for position, stage in enumerate(parsed.stages):
        db.session.add(
            StageDefinition(
                agency_id=process.agency_id, version_id=version.id, position=position, **stage
            )
        )
    for position, kind in enumerate(parsed.kinds):
        db.session.add(
            FileKind(agency_id=process.agency_id, version_id=version.id, position=position, **kind)
        )
    db.session.flush()
    db.session.expire(process, ["versions"])
    return version


def _parse(stages: list[StageDraft], kinds: list[KindDraft]) -> tuple[_Parsed, dict[str, str]]:
    errors: dict[str, str] = {}
    parsed = _Parsed()
    stages = [stage for stage in stages if not stage.remove]
    if not stages:
        errors["stages"] = _("A process needs at least one stage.")
    elif len(stages) > MAX_STAGES:
        errors["stages"] = _("A process has at most 40 stages.")
    seen_codes: set[str] = set()
    last = len(stages) - 1
    for index, stage in enumerate(stages):
        key = stage.prefix or f"stages-{index}-"
        if not STAGE_CODE.match(stage.code):
            errors[key + "code"] = _("Use 1 to 40 lowercase letters, digits or underscores.")
        elif stage.code in seen_codes:
            errors[key + "code"] = _("Another stage already has this code.")
        seen_codes.add(stage.code)
        if not stage.name or len(stage.name) > MAX_NAME:
            errors[key + "name"] = _("Enter the stage name (at most 120 characters).")
        if not stage.public_label or len(stage.public_label) > MAX_NAME:
            errors[key + "public_label"] = _("Enter the public label (at most 120 characters).")
        roles = [role for role in ROLE_NAMES if role in stage.roles]
        if not roles or set(stage.roles) - set(ROLE_NAMES):
            errors[key + "roles"] = _("Choose at least one role that may act at this stage.")
        sla: int | None = None
        if stage.sla_minutes:
            # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
            if DIGITS.match(stage.sla_minutes) and 0 < int(stage.sla_minutes) <= MAX_SLA_MINUTES:
                sla = int(stage.sla_minutes)
            else:
                errors[key + "sla_minutes"] = _(
                    "Enter the SLA as a whole number of working minutes from 1 to 200000, or"
                    " leave it empty for no SLA."
                )
        if stage.terminal and index != last:
            errors[key + "terminal"] = _("Only the last stage can be the terminal one.")
        if index == last and not stage.terminal:
            errors[key + "terminal"] = _("The last stage must be the terminal one.")
        if stage.terminal and stage.may_return:
            errors[key + "may_return"] = _("A file at the terminal stage cannot be returned.")
        parsed.stages.append(
            {
                "code": stage.code,
                "name": stage.name,
                "public_label": stage.public_label,
                "roles": ",".join(roles),
                "sla_minutes": sla,
                "may_return": stage.may_return,
                "terminal": stage.terminal,
            }
        )
    kind_codes: set[str] = set()
    for kind in kinds:
        if kind.remove:
            continue
        key = kind.prefix
        if not KIND_CODE.match(kind.code):
            errors[key + "code"] = _("Use 1 to 20 letters, digits, hyphens or underscores.")
        elif kind.code.upper() in kind_codes:
            errors[key + "code"] = _("Another file type already has this code.")
        kind_codes.add(kind.code.upper())
        if not kind.name or len(kind.name) > MAX_NAME:
            errors[key + "name"] = _("Enter the name of the file type (at most 120 characters).")
        items = [" ".join(line.split()) for line in kind.checklist.splitlines()]
        items = [item for item in items if item]
        if not items:
            errors[key + "checklist"] = _("Enter at least one document, one per line.")
        elif len(items) > MAX_CHECKLIST_ITEMS:
            errors[key + "checklist"] = _("A checklist has at most 50 documents.")
        elif any(len(item) > MAX_CHECKLIST_ITEM for item in items):
            too_long = next(n for n, item in enumerate(items, 1) if len(item) > MAX_CHECKLIST_ITEM)
            errors[key + "checklist"] = _(
                "Document %(number)d of the checklist is longer than 200 characters.",
                number=too_long,
            )
        elif len(set(items)) != len(items):
            errors[key + "checklist"] = _("The checklist names the same document twice.")
        parsed.kinds.append({"code": kind.code.upper(), "name": kind.name, "checklist": items})
    if not parsed.kinds:
        errors["kinds"] = _("Keep at least one file type.")
    return parsed, errors


def _same_as(version: ProcessVersion, parsed: _Parsed) -> bool:
    stages = [
        {
            "code": s.code,
            "name": s.name,
            "public_label": s.public_label,
            "roles": ",".join(r for r in ROLE_NAMES if r in s.role_list),
            "sla_minutes": s.sla_minutes,
            "may_return": s.may_return,
            "terminal": s.terminal,
        }
        for s in version.stages
    ]
    kinds = [
        {"code": k.code, "name": k.name, "checklist": list(k.checklist)} for k in version.file_kinds
    ]
    return stages == parsed.stages and kinds == parsed.kinds
