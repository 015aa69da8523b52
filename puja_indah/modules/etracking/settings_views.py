"""The desk's settings screens: working calendar, collective leave (per region) and process
definitions (versioned). Thin views: the services validate and flush, the view commits once and
rolls back a refused change."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from wtforms import Field, FieldList, FormField
from wtforms.fields.choices import SelectChoice

from puja_indah.core.db import utcnow
from puja_indah.core.forms import BaseForm
from puja_indah.core.models import Region
from puja_indah.core.permissions import (
    MAX_ID,
    can_configure_desk,
    can_edit_managed,
    can_manage_region,
    can_view_collective_leave,
    can_work_desk,
    get_managed_or_404,
    requires,
)
from puja_indah.core.tenancy import current_scope
from puja_indah.extensions import db
from puja_indah.modules.etracking import settings_queries as queries
from puja_indah.modules.etracking import settings_services as services
from puja_indah.modules.etracking.blueprint import bp
from puja_indah.modules.etracking.models import CollectiveLeave, Process, ProcessVersion
from puja_indah.modules.etracking.settings_forms import (
    ROLES,
    CalendarForm,
    ConfirmForm,
    LeaveForm,
    ProcessForm,
)
from puja_indah.modules.etracking.worktime import WITA, WorkCalendar

PROCESS_ID = f"<int(max={MAX_ID}):process_id>"
LEAVE_ID = f"<int(max={MAX_ID}):leave_id>"


def _attach(form: BaseForm, errors: dict[str, str]) -> dict[str, str]:
    """Put each error beside its field (by the field's id); return the ones no field has."""
    fields: dict[str, Field] = {}

    def walk(field: Any) -> None:
        if isinstance(field, FieldList):
            for entry in field.entries:
                walk(entry)
        elif isinstance(field, FormField):
            for sub in field.form:
                walk(sub)
        else:
            fields[field.id] = field

    for field in form:
        walk(field)
    rest: dict[str, str] = {}
    for key, message in errors.items():
        if key in fields:
            fields[key].errors = [*fields[key].errors, message]
        else:
            rest[key] = message
    return rest


def _csrf_failed(form: BaseForm) -> bool:
    """Only the CSRF token can fail WTForms' own validation here; the rules are the service's."""
    form.validate_on_submit()
    token = getattr(form, "csrf_token", None)  # absent when CSRF is off (tests)
    return bool(token is not None and token.errors)


def _int(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if services.DIGITS.match(text) else None


def _this_year() -> int:
    return utcnow().astimezone(WITA).year


def _year_arg() -> int:
    year = request.args.get("year", type=int)
    if year is None or not services.FIRST_YEAR <= year <= services.LAST_YEAR:
        return _this_year()
    return year


def _agency_id() -> int:
    agency_id = current_scope().agency_id
    assert agency_id is not None  # can_work_desk: an agency scope
    return agency_id


# --- working calendar ----------------------------------------------------------------------------


def _calendar_form() -> CalendarForm:
    row = services.calendar_row(_agency_id())
    if row is None:  # the engine's default until the lead saves one
        default = WorkCalendar()
        data = {
            "opens": default.opens,
            "closes": default.closes,
            "weekdays": sorted(default.weekdays),
            "zone": "Asia/Makassar",
            "version": "0",
        }
        return CalendarForm(formdata=None, data=data)
    weekdays = [int(p) for p in row.weekdays.split(",") if p.strip().isdigit()]
    return CalendarForm(
        formdata=None,
        data={
            "opens": row.opens,
            "closes": row.closes,
            "weekdays": weekdays,
            "zone": row.zone,
            "version": str(row.version),
        },
    )


def _calendar_page(form: CalendarForm, status: int = 200) -> Any:
    agency_id = _agency_id()
    region = queries.region_of_agency(agency_id)
    year = _year_arg()
    return (
        render_template(
            "etracking/settings_calendar.html",
            form=form,
            row=services.calendar_row(agency_id),
            region=region,
            year=year,
            days_off=queries.days_off(region.id if region else None, year),
            editable=can_configure_desk(current_scope()),
        ),
        status,
    )


@bp.route("/calendar")
@requires(can_work_desk)
def calendar() -> Any:
    return _calendar_page(_calendar_form())


@bp.route("/calendar", methods=["POST"])
@requires(can_configure_desk)
def save_calendar() -> Any:
    form = CalendarForm()
    if _csrf_failed(form):
        flash(_("The form expired. Please try again."), "danger")
        return redirect(url_for(".calendar"))
    try:
        services.save_calendar(
            _agency_id(),
            _int(form.version.data) if form.version.data is not None else None,
            form.opens.data,
            form.closes.data,
            list(form.weekdays.data or []),
            form.zone.data or "",
        )
        db.session.commit()
    except services.SettingsRefused as refused:
        db.session.rollback()
        flash(refused.message, "danger")
        if not refused.errors:  # stale: show what is saved now
            return _calendar_page(_calendar_form(), 409)
        # A time that is not one reaches the service as None: its message replaces WTForms'.
        form.opens.errors, form.closes.errors = [], []
        _attach(form, refused.errors)
        return _calendar_page(form)
    flash(_("The working calendar is saved. SLA times are counted with it from now on."), "success")
    return redirect(url_for(".calendar"))


# --- collective leave ----------------------------------------------------------------------------


def _leave_region() -> Region | None:
    """A monitor works in its region, desk staff read their agency's, an administrator (national
    scope) chooses one with `?region=`."""
    scope = current_scope()
    if scope.kind == "region" and scope.region_id is not None:
        return db.session.get(Region, scope.region_id)
    if scope.kind == "agency" and scope.agency_id is not None:
        return queries.region_of_agency(scope.agency_id)
    region_id = request.args.get("region", type=int)
    if region_id is None or not 0 < region_id <= MAX_ID:
        return None
    return db.session.get(Region, region_id)


def _leave_page(form: LeaveForm, region: Region | None, status: int = 200) -> Any:
    scope = current_scope()
    return (
        render_template(
            "etracking/settings_leave.html",
            form=form,
            region=region,
            leave=queries.leave_days(region.id) if region else [],
            regions=queries.regions() if scope.kind == "national" else [],
            editable=can_manage_region(scope),
            today=utcnow().astimezone(WITA).date(),
        ),
        status,
    )


@bp.route("/collective-leave")
@requires(can_view_collective_leave)
def collective_leave() -> Any:
    return _leave_page(LeaveForm(formdata=None), _leave_region())


@bp.route("/collective-leave", methods=["POST"])
@requires(can_manage_region)
def add_collective_leave() -> Any:
    region = _leave_region()
    form = LeaveForm()
    if region is None:
        flash(_("Choose a region first."), "danger")
        return _leave_page(form, None)
    if _csrf_failed(form):
        flash(_("The form expired. Please try again."), "danger")
        return redirect(_leave_url(region))
    try:
        leave = services.add_leave(region, form.day.data, form.name.data or "")
        db.session.commit()
    except services.SettingsRefused as refused:
        db.session.rollback()
        form.day.errors = []  # a date that is not one: the service's message says so
        _attach(form, refused.errors)
        return _leave_page(form, region)
    flash(
        _(
            "“%(name)s” on %(day)s is a collective-leave day of %(region)s. SLA times are"
            " counted without it from now on; minutes already recorded for earlier steps are"
            " not rewritten.",
            name=leave.name,
            day=format_date(leave.day, "long"),
            region=region.name,
        ),
        "success",
    )
    return redirect(_leave_url(region))


def _leave_url(region: Region) -> str:
    if current_scope().kind == "national":
        return url_for(".collective_leave", region=region.id)
    return url_for(".collective_leave")


def _editable_leave_or_404(leave_id: int) -> CollectiveLeave:
    leave = get_managed_or_404(CollectiveLeave, leave_id)
    if not can_edit_managed(current_scope(), leave):
        abort(404)
    return leave


@bp.route(f"/collective-leave/{LEAVE_ID}/remove")
@requires(can_manage_region)
def confirm_remove_collective_leave(leave_id: int) -> Any:
    leave = _editable_leave_or_404(leave_id)
    return render_template(
        "etracking/settings_leave_remove.html", leave=leave, form=ConfirmForm(formdata=None)
    )


@bp.route(f"/collective-leave/{LEAVE_ID}/remove", methods=["POST"])
@requires(can_manage_region)
def remove_collective_leave(leave_id: int) -> Any:
    leave = _editable_leave_or_404(leave_id)
    region, name, day = leave.region, leave.name, leave.day
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash(_("The form expired. Please try again."), "danger")
        return redirect(url_for(".confirm_remove_collective_leave", leave_id=leave_id))
    services.remove_leave(leave)
    db.session.commit()
    flash(
        _(
            "“%(name)s” on %(day)s is no longer a day off. SLA times count it as a working day"
            " from now on; minutes already recorded are not rewritten.",
            name=name,
            day=format_date(day, "long"),
        ),
        "success",
    )
    return redirect(_leave_url(region))


# --- process definitions -------------------------------------------------------------------------


def _process_or_404(process_id: int) -> Process:
    process = queries.get_process(process_id)
    if process is None:
        abort(404)
    return process


def _process_form(version: ProcessVersion) -> ProcessForm:
    data = {
        "based_on": str(version.number),
        "stages": [
            {
                "code": s.code,
                "name": s.name,
                "public_label": s.public_label,
                "roles": s.role_list,
                "sla_minutes": "" if s.sla_minutes is None else str(s.sla_minutes),
                "may_return": s.may_return,
                "terminal": s.terminal,
            }
            for s in version.stages
        ],
        "kinds": [
            {"code": k.code, "name": k.name, "checklist": "\n".join(k.checklist), "remove": False}
            for k in version.file_kinds
        ],
    }
    return ProcessForm(formdata=None, data=data)


def _process_page(
    process: Process,
    form: ProcessForm | None,
    general: dict[str, str] | None = None,
    status: int = 200,
) -> Any:
    versions = list(process.versions)
    if not versions:
        abort(404)
    current = versions[-1]
    wanted = request.args.get("version", type=int)
    shown = next((v for v in versions if v.number == wanted), current)
    editable = can_configure_desk(current_scope())
    if editable and form is None:
        form = _process_form(current)
    if form is not None:
        count = len(form.stages.entries)
        form.new_stage_before.choices = [
            SelectChoice(n, _("Stage %(number)d", number=n)) for n in range(1, count + 1)
        ] + [SelectChoice(count + 1, _("(at the end)"))]
        if form.new_stage_before.data is None:
            form.new_stage_before.data = max(1, count)  # before the terminal stage
    return (
        render_template(
            "etracking/settings_process.html",
            process=process,
            versions=versions,
            current=current,
            shown=shown,
            counts=queries.files_per_version(process.id),
            form=form if editable else None,
            general=general or {},
            role_choices=[(choice.value, choice.label) for choice in ROLES],
        ),
        status,
    )


@bp.route(f"/processes/{PROCESS_ID}")
@requires(can_work_desk)
def process_detail(process_id: int) -> Any:
    return _process_page(_process_or_404(process_id), None)


def _stage_draft(stage: Any, prefix: str) -> services.StageDraft:
    return services.StageDraft(
        code=stage.code.data or "",
        name=stage.name.data or "",
        public_label=stage.public_label.data or "",
        roles=[str(role) for role in stage.roles.data or []],
        sla_minutes=stage.sla_minutes.data or "",
        may_return=bool(stage.may_return.data),
        terminal=bool(stage.terminal.data),
        remove=bool(stage.remove.data),
        prefix=prefix,
    )


@bp.route(f"/processes/{PROCESS_ID}", methods=["POST"])
@requires(can_configure_desk)
def save_process(process_id: int) -> Any:
    process = _process_or_404(process_id)
    form = ProcessForm()
    if _csrf_failed(form):
        flash(_("The form expired. Please try again."), "danger")
        return redirect(url_for(".process_detail", process_id=process.id))
    stages = [_stage_draft(entry.form, f"{entry.id}-") for entry in form.stages.entries]
    new_stage = form.new_stage.form
    if any((new_stage.code.data, new_stage.name.data, new_stage.public_label.data)):
        # "Before stage n" counts the stages as the page showed them; past the end: append.
        before = form.new_stage_before.data or len(stages) + 1
        stages.insert(
            max(0, min(before, len(stages) + 1) - 1), _stage_draft(new_stage, "new_stage-")
        )
    kinds = [
        services.KindDraft(
            code=entry.form.code.data or "",
            name=entry.form.name.data or "",
            checklist=entry.form.checklist.data or "",
            remove=bool(entry.form.remove.data),
            prefix=f"{entry.id}-",
        )
        for entry in form.kinds.entries
    ]
    if any((form.new_code.data, form.new_name.data, (form.new_checklist.data or "").strip())):
        kinds.append(
            services.KindDraft(
                code=form.new_code.data or "",
                name=form.new_name.data or "",
                checklist=form.new_checklist.data or "",
                prefix="new_",
            )
        )
    try:
        version = services.new_version(
            process, _int(form.based_on.data), stages, kinds, form.note.data or ""
        )
        db.session.commit()
    except services.SettingsRefused as refused:
        db.session.rollback()
        flash(refused.message, "danger")
        process = _process_or_404(process_id)
        if not refused.errors:  # stale or unchanged: show what is saved now
            return _process_page(process, None, status=409)
        general = _attach(form, refused.errors)
        return _process_page(process, form, general)
    flash(
        _(
            "Version %(number)d is saved. New files follow it; files already at the desk keep"
            " the version they started with.",
            number=version.number,
        ),
        "success",
    )
    return redirect(url_for(".process_detail", process_id=process.id))
