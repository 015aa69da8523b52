"""The Kemendagri reviewer workspace: every region's innovations with their review status, one
innovation's claims and evidence with the reviewer's decision per indicator.

Thin: policies from core.permissions (`can_view_reviews` to read, `can_review` to decide), reads
from queries, the one write from services; a request commits at most once. The reviewer's scope
is national and read-only for agency data: the decision is the only row it may add (see
core/tenancy.py `reviewer_writes`); every agency write route answers it 403.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from wtforms.fields.choices import SelectChoice

from puja_indah.assessment.models import AspectCode, AssessmentYear, Indicator
from puja_indah.core import region_filter, staleness
from puja_indah.core.permissions import MAX_ID, can_review, can_view_reviews, requires
from puja_indah.core.tenancy import current_scope
from puja_indah.extensions import db
from puja_indah.innovations.models import Innovation, Stage
from puja_indah.reviews import queries, services
from puja_indah.reviews.forms import DecisionForm, WorkspaceFilter
from puja_indah.reviews.models import ReviewDecision, Verdict

bp = Blueprint("reviews", __name__, template_folder="templates")

INNOVATION_ID = f"<int(max={MAX_ID}):innovation_id>"
YEAR = "<int(min=2000,max=2200):year>"
NUMBER = "<int(max=999):number>"
MAX_PAGE = 10_000

VERDICT_LABELS = {
    Verdict.VALID: _l("Valid"),
    Verdict.NEEDS_REVISION: _l("Needs revision"),
}
STATUS_LABELS = {
    queries.NOT_REVIEWED: _l("Not reviewed"),
    queries.PARTLY: _l("Partly reviewed"),
    queries.ALL_VALID: _l("All valid"),
    queries.NEEDS_REVISION: _l("Needs revision"),
}
STAGE_LABELS = {
    Stage.INITIATIVE: _l("Initiative"),
    Stage.TRIAL: _l("Trial"),
    Stage.IMPLEMENTATION: _l("Implementation"),
}
SORT_LABELS = {
    "name": _l("Name"),
    "region": _l("Region"),
    "agency": _l("Agency"),
    "stage": _l("Stage"),
    "claims": _l("Claims"),
    "reviewed": _l("Reviewed"),
    "revision": _l("Needs revision"),
}


def verdict_label(value: Any) -> str:
    return str(VERDICT_LABELS.get(Verdict(getattr(value, "value", value)), value))


bp.add_app_template_filter(verdict_label, "verdict_label")


@bp.context_processor
def labels() -> dict[str, Any]:
    return {
        "status_labels": STATUS_LABELS,
        "stage_label": lambda stage: str(STAGE_LABELS[Stage(stage)]),
    }


# --- the workspace -------------------------------------------------------------------------------


def _filter_form() -> WorkspaceFilter:
    form = WorkspaceFilter(request.args)
    choices = queries.filter_choices()
    everything = SelectChoice("", _("All"))

    def options(rows: list[tuple[int, str]]) -> list[SelectChoice]:
        return [everything, *(SelectChoice(str(i), label) for i, label in rows)]

    form.year.choices = [SelectChoice(str(i), label) for i, label in choices["years"]]
    # A region first, then only its agencies: never every agency of the country as options.
    region_filter.region_then_agency(form.region, form.agency, everything)
    form.affair.choices = options(choices["affairs"])
    form.stage.choices = [everything, *(SelectChoice(s.value, STAGE_LABELS[s]) for s in Stage)]
    form.status.choices = [
        everything,
        *(SelectChoice(code, STATUS_LABELS[code]) for code in queries.STATUSES),
    ]
    form.sort.choices = [SelectChoice(code, SORT_LABELS[code]) for code in queries.SORTS]
    form.direction.choices = [
        SelectChoice("asc", _("Ascending")),
        SelectChoice("desc", _("Descending")),
    ]
    # Absent filters take their defaults; present ones must be valid (never a 500).
    for name, default in (("sort", "name"), ("direction", "asc")):
        if name not in request.args:
            form[name].data = default
    if "year" not in request.args and choices["years"]:
        form.year.data = choices["years"][0][0]
    form.validate()
    return form


def _page_number() -> tuple[int, bool]:
    text = request.args.get("page", "1").strip()
    if not text.isdigit() or len(text) > 6:
        return 1, True
    return min(max(int(text), 1), MAX_PAGE), False


@bp.route("/review")
@requires(can_view_reviews)
def workspace() -> Any:
    """Every region's innovations with their claims and review status for one year."""
    form = _filter_form()
    page_number, bad_page = _page_number()
    refused = [form[name].label.text for name in form._fields if form[name].errors]
    if bad_page:
        refused.append(_("Page"))
    if refused:
        flash(
            _(
                "Some filters were not understood and are ignored: %(names)s.",
                names=", ".join(str(name) for name in refused),
            ),
            "warning",
        )
    year_id = form.value("year")
    if year_id is None:
        year_id = form.year.choices[0].value if form.year.choices else None
    year = db.session.get(AssessmentYear, int(year_id)) if year_id is not None else None
    page = None
    if year is not None:
        stage = form.value("stage")
        filters = queries.Filters(
            year_id=year.id,
            region_id=form.value("region"),
            agency_id=form.value("agency"),
            stage=Stage(stage) if stage else None,
            affair_id=form.value("affair"),
            status=form.value("status"),
            q=form.value("q"),
            sort=form.value("sort") or "name",
            descending=form.value("direction") == "desc",
        )
        page = queries.workspace_page(filters, page_number)
    args = {
        name: form[name].data
        for name in (
            "q",
            "year",
            "region",
            "agency",
            "stage",
            "affair",
            "status",
            "sort",
            "direction",
        )
        if form.value(name) is not None
    }
    return render_template("reviews/workspace.html", form=form, page=page, year=year, args=args)


# --- one innovation's review ---------------------------------------------------------------------


def _innovation_or_404(innovation_id: int) -> Innovation:
    innovation = db.session.get(Innovation, innovation_id)
    if innovation is None:
        abort(404)
    return innovation


def _year_or_404(year: int) -> AssessmentYear:
    row = db.session.scalar(select(AssessmentYear).where(AssessmentYear.year == year))
    if row is None:
        abort(404)
    return row


def _level_choices(indicator: Indicator) -> list[SelectChoice]:
    return [SelectChoice(0, _("None of the levels (0)"))] + [
        SelectChoice(lv.level, f"P{lv.level} — {lv.wording}") for lv in indicator.levels
    ]


def _decision_form(row: queries.IndicatorReview, posted: bool = False) -> DecisionForm:
    prefix = f"ind{row.indicator.number}"
    if posted:
        form = DecisionForm(prefix=prefix)
    else:
        form = DecisionForm(formdata=None, prefix=prefix)
        current = row.current
        form.verdict.data = current.verdict.value if current else None
        form.accepted_level.data = current.accepted_level if current else row.claim_level
        form.note.data = current.note if current else ""
        form.version.data = str(current.version if current else 0)
    form.accepted_level.choices = _level_choices(row.indicator)
    return form


def _render(
    innovation: Innovation,
    year: AssessmentYear,
    rows: list[queries.IndicatorReview],
    forms: dict[int, DecisionForm],
    conflict: dict[int, ReviewDecision | None] | None = None,
    status: int = 200,
) -> Any:
    years = list(db.session.scalars(select(AssessmentYear).order_by(AssessmentYear.year.desc())))
    return render_template(
        "reviews/review.html",
        innovation=innovation,
        year=year,
        years=years,
        rows=rows,
        forms=forms,
        conflict=conflict or {},
        may_decide=can_review(current_scope()),
        summary=_summary(rows),
    ), status


def _summary(rows: list[queries.IndicatorReview]) -> dict[str, int]:
    current = [row.current for row in rows if row.current is not None]
    return {
        "claims": sum(1 for row in rows if row.claim_level > 0),
        "valid": sum(1 for d in current if d.verdict is Verdict.VALID),
        "revision": sum(1 for d in current if d.verdict is Verdict.NEEDS_REVISION),
        "changed": sum(1 for row in rows if row.claim_changed),
    }


@bp.route(f"/review/innovations/{INNOVATION_ID}/{YEAR}")
@requires(can_view_reviews)
def review(innovation_id: int, year: int) -> Any:
    """The innovation's profile summary, and per indicator of the year the agency's claim with its
    evidence beside the reviewer's decision (and its history)."""
    innovation = _innovation_or_404(innovation_id)
    assessment_year = _year_or_404(year)
    rows = queries.review_rows(assessment_year, innovation)
    forms = {row.indicator.id: _decision_form(row) for row in rows}
    return _render(innovation, assessment_year, rows, forms)


@bp.route(f"/review/innovations/{INNOVATION_ID}/{YEAR}/{NUMBER}", methods=["POST"])
@requires(can_review)
def decide(innovation_id: int, year: int, number: int) -> Any:
    """Save one indicator's decision as its next version (a stale form is refused with what the
    other reviewer saved: 409)."""
    innovation = _innovation_or_404(innovation_id)
    assessment_year = _year_or_404(year)
    rows = queries.review_rows(assessment_year, innovation)
    row = next((r for r in rows if r.indicator.number == number), None)
    if row is None or row.indicator.aspect.code is not AspectCode.SID:
        abort(404)  # not an innovation indicator of this year's catalogue
    forms = {r.indicator.id: _decision_form(r) for r in rows}
    form = forms[row.indicator.id] = _decision_form(row, posted=True)
    anchor = f"ind-{number}"
    if not form.validate():
        flash(
            _("Nothing was saved: see the message at indicator %(number)s.", number=number),
            "danger",
        )
        return _render(innovation, assessment_year, rows, forms)
    data = services.DecisionInput(
        verdict=form.verdict.data or "",
        accepted_level=form.accepted_level.data or 0,
        note=form.note.data or "",
        seen_version=staleness.parse_version(form.version.data),
    )
    try:
        saved = services.decide(
            current_scope(), innovation, row.indicator, data, getattr(current_user, "id", None)
        )
        db.session.commit()
    except services.StaleDecision as stale:
        db.session.rollback()
        return _conflict(innovation, assessment_year, number, form, stale.message)
    except IntegrityError:
        # Another reviewer's save took the same version number first.
        db.session.rollback()
        return _conflict(
            innovation, assessment_year, number, form, services.StaleDecision(None).message
        )
    except services.NotAllowed:
        db.session.rollback()
        abort(403)
    except services.DecisionError as error:
        db.session.rollback()
        if error.field and error.field in form:
            form[error.field].errors = [*form[error.field].errors, error.message]
        flash(error.message, "danger")
        return _render(innovation, assessment_year, rows, forms)
    if saved is None:
        flash(_("The decision was already saved as it is: nothing changed."), "info")
    else:
        flash(
            _(
                "Decision on indicator %(number)s saved: %(verdict)s.",
                number=number,
                verdict=verdict_label(saved.verdict),
            ),
            "success",
        )
    return redirect(url_for(".review", innovation_id=innovation.id, year=year, _anchor=anchor))


def _conflict(
    innovation: Innovation, year: AssessmentYear, number: int, posted: DecisionForm, message: str
) -> Any:
    """Show what is saved now beside the reviewer's own (unsaved) input; the form now carries the
    current version, so saving again knowingly replaces the other decision."""
    rows = queries.review_rows(year, innovation)
    forms = {r.indicator.id: _decision_form(r) for r in rows}
    row = next(r for r in rows if r.indicator.number == number)
    mine = forms[row.indicator.id]
    mine.verdict.data = posted.verdict.data
    mine.accepted_level.data = posted.accepted_level.data
    mine.note.data = posted.note.data
    flash(message, "danger")
    return _render(innovation, year, rows, forms, {row.indicator.id: row.current}, 409)
