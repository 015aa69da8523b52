"""Screens over the audit trail (the trail itself lives in core/audit.py). Read-only: there is no
route that edits or deletes an entry, and the database refuses both anyway."""

from __future__ import annotations

import contextlib
import re
from datetime import datetime
from typing import Any

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from wtforms import SelectChoice

from puja_indah.audit import queries
from puja_indah.audit.forms import AuditFilterForm
from puja_indah.audit.labels import action_label, object_label
from puja_indah.core import region_filter
from puja_indah.core.audit import verify_chain
from puja_indah.core.i18n import format_local_datetime
from puja_indah.core.permissions import can_manage_platform, can_view_audit, requires
from puja_indah.core.tenancy import current_scope
from puja_indah.extensions import db

bp = Blueprint("audit", __name__, template_folder="templates")

MAX_ID = 2**31 - 1
MAX_PAGE = 10_000
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _page() -> int:
    page = request.args.get("page", 1, type=int) or 1
    return min(max(page, 1), MAX_PAGE)


def _is_diff(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"before", "after"}


bp.add_app_template_filter(action_label, "audit_action")
bp.add_app_template_filter(object_label, "audit_object")


@bp.app_template_filter("audit_value")
def audit_value(value: Any) -> str:
    """One stored value as text: empty values as a dash, structures as key: value pairs."""
    if value is None or value == "":
        return "–"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {audit_value(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(audit_value(v) for v in value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, str) and ISO_DATETIME.match(value):
        # Stored as ISO text in UTC; shown like every other time, in WITA.
        with contextlib.suppress(ValueError):
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is not None:
                return format_local_datetime(moment)
    return str(value)


@bp.route("/jejak-audit")
@requires(can_view_audit)
def list_entries() -> Any:
    scope = current_scope()
    form = AuditFilterForm(formdata=request.args)
    form.action.choices = [SelectChoice("", _("All actions"))] + [
        SelectChoice(a, action_label(a)) for a in queries.distinct_values(scope, "action")
    ]
    form.object_type.choices = [SelectChoice("", _("All object types"))] + [
        SelectChoice(t, object_label(t)) for t in queries.distinct_values(scope, "object_type")
    ]
    all_agencies = SelectChoice("", _("All agencies"))
    if scope.kind == "national":
        # A region first, then only its agencies: never every agency of the country as options.
        region_filter.region_then_agency(
            form.region, form.agency, all_agencies, SelectChoice("", _("All regions"))
        )
        show_agency_filter = True
    else:
        del form.region
        agencies = queries.visible_agencies(scope)
        form.agency.choices = [all_agencies] + [SelectChoice(str(a.id), a.name) for a in agencies]
        show_agency_filter = len(agencies) > 1 or bool(form.agency.process_errors)
    filters = queries.AuditFilters()
    if form.validate():
        filters = queries.AuditFilters(
            action=form.action.data or "",
            object_type=form.object_type.data or "",
            actor=(form.actor.data or "").strip(),
            date_from=form.date_from.data,
            date_to=form.date_to.data,
            region_id=form.region.data if "region" in form else None,
            agency_id=form.agency.data,
        )
    page = queries.list_entries(scope, filters, _page())
    agency_names, region_names = queries.names_of(list(page.items))
    pager_args = {
        key: value
        for key, value in (
            ("action", filters.action),
            ("object_type", filters.object_type),
            ("actor", filters.actor),
            ("date_from", filters.date_from.isoformat() if filters.date_from else ""),
            ("date_to", filters.date_to.isoformat() if filters.date_to else ""),
            ("region", str(filters.region_id) if filters.region_id else ""),
            ("agency", str(filters.agency_id) if filters.agency_id else ""),
        )
        if value
    }
    chain = None
    if can_manage_platform(scope) and request.args.get("periksa") == "1":
        # On request only: the check reads the whole trail.
        chain = {"problems": verify_chain(db.session), "count": queries.count_visible(scope)}
    return render_template(
        "audit/list.html",
        form=form,
        page=page,
        pager_args=pager_args,
        agency_names=agency_names,
        region_names=region_names,
        show_agency_filter=show_agency_filter or bool(form.agency.errors),
        show_chain_box=can_manage_platform(scope),
        chain=chain,
    )


@bp.route("/jejak-audit/<int:entry_id>")
@requires(can_view_audit)
def entry_detail(entry_id: int) -> Any:
    if not 0 < entry_id <= MAX_ID:
        abort(404)
    entry = queries.get_visible_entry(current_scope(), entry_id)
    if entry is None:
        abort(404)
    changes = entry.changes if isinstance(entry.changes, dict) else {}
    diffs = {k: v for k, v in changes.items() if _is_diff(v)}
    details = {k: v for k, v in changes.items() if not _is_diff(v)}
    agency_names, region_names = queries.names_of([entry])
    return render_template(
        "audit/detail.html",
        entry=entry,
        diffs=diffs,
        details=details,
        agency=agency_names.get(entry.agency_id) if entry.agency_id else None,
        region=region_names.get(entry.region_id) if entry.region_id else None,
    )
