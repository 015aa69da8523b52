"""The desk's file screens: intake, the file page and its steps, opening a file by its public
code, the queue per stage and advancing several files from it. Thin views: the engine validates
and writes, the view commits (once per file) and rolls back what the engine refuses."""

from __future__ import annotations

import secrets
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from puja_indah.core.db import utcnow
from puja_indah.core.permissions import MAX_ID, can_view_desk, can_work_desk, requires
from puja_indah.core.tenancy import current_scope
from puja_indah.extensions import db
from puja_indah.modules.etracking import codes, desk_queries, engine
from puja_indah.modules.etracking.blueprint import bp
from puja_indah.modules.etracking.desk_models import IntakeToken
from puja_indah.modules.etracking.forms import (
    ActionForm,
    BatchForm,
    IntakeForm,
    KindStepForm,
    OpenForm,
)
from puja_indah.modules.etracking.models import (
    FileAction,
    FileKind,
    Process,
    TrackedFile,
)

PROCESS_ID = f"<int(max={MAX_ID}):process_id>"
TRACKED_ID = f"<int(max={MAX_ID}):tracked_id>"
MAX_BATCH = 200
DESK_ACTIONS = (FileAction.ADVANCE, FileAction.RETURN, FileAction.RESUME, FileAction.REJECT)


def work_minutes(minutes: int | None) -> str:
    """Working minutes as hours and minutes ("2 h 05 min")."""
    if minutes is None:
        return "–"
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return _("%(minutes)d min", minutes=rest)
    return _("%(hours)d h %(minutes)02d min", hours=hours, minutes=rest)


def action_label(action: FileAction) -> str:
    return {
        FileAction.RECEIVE: _("received"),
        FileAction.ADVANCE: _("advanced"),
        FileAction.RETURN: _("returned for correction"),
        FileAction.RESUME: _("resumed"),
        FileAction.REJECT: _("rejected"),
        FileAction.COMPLETE: _("completed"),
    }[action]


bp.add_app_template_filter(work_minutes, "et_minutes")
bp.add_app_template_filter(action_label, "et_action")
bp.add_app_template_filter(engine.status_label, "et_status")
bp.add_app_template_filter(codes.display, "et_code")


def _user_id() -> int | None:
    return getattr(current_user, "id", None)


def _process_or_404(process_id: int) -> Process:
    process = db.session.get(Process, process_id)  # another agency's: filtered out by the ORM
    if process is None or not process.versions:
        abort(404)
    return process


# --- intake --------------------------------------------------------------------------------------


def _kind_of(process: Process, kind_id: int | None) -> FileKind | None:
    kinds = engine.current_version(process).file_kinds
    if len(kinds) == 1:
        return kinds[0]
    return next((k for k in kinds if k.id == kind_id), None)


def _intake_form(process: Process, kind: FileKind) -> IntakeForm:
    form = IntakeForm()
    form.amount_required = process.submitted_by_agencies
    form.ticked.choices = [(item, item) for item in kind.checklist]
    if process.submitted_by_agencies:
        form.submitter_agency_id.choices = [(None, _("— choose —"))] + [
            (a.id, a.name) for a in desk_queries.region_agencies(process.agency_id)
        ]
    else:
        form.submitter_agency_id.choices = [(None, "")]
    if not form.is_submitted():
        form.file_kind_id.data = kind.id
        form.token.data = secrets.token_urlsafe(24)
    return form


def _render_kind_step(process: Process, step: KindStepForm, status: int = 200) -> Any:
    step.kind.choices = [(None, _("— choose —"))] + [
        (k.id, k.name) for k in engine.current_version(process).file_kinds
    ]
    return render_template("etracking/intake_kind.html", process=process, step=step), status


def _already_registered(process: Process, token: str) -> Response | None:
    """The file a form with this token registered earlier, if any (a second submission)."""
    file_id = db.session.scalar(
        select(IntakeToken.file_id).where(
            IntakeToken.agency_id == process.agency_id, IntakeToken.token == token
        )
    )
    if file_id is None:
        return None
    flash(_("This form was already sent: the file was registered once, here it is."), "info")
    return redirect(url_for(".file_detail", tracked_id=file_id))


@bp.route(f"/{PROCESS_ID}/intake", methods=["GET", "POST"])
@requires(can_work_desk)
def intake(process_id: int) -> Any:
    process = _process_or_404(process_id)
    if request.method == "GET":
        step = KindStepForm(request.args)
        kind = _kind_of(process, step.kind.data if step.validate() else None)
        if kind is None:
            if request.args.get("kind"):
                step.kind.errors = [_("Choose a file type of this process.")]
            return _render_kind_step(process, step)
        return render_template(
            "etracking/intake.html", process=process, kind=kind, form=_intake_form(process, kind)
        )

    # POST: the type comes with the form (hidden); an unknown one goes back to step one.
    form_kind = IntakeForm().file_kind_id.data
    kind = _kind_of(process, form_kind if isinstance(form_kind, int) else None)
    if kind is None:
        step = KindStepForm(formdata=None)
        step.kind.errors = [_("Choose a file type of this process.")]
        return _render_kind_step(process, step)
    form = _intake_form(process, kind)
    if not form.validate_on_submit():
        if form.token.errors or ("csrf_token" in form and form["csrf_token"].errors):
            flash(_("The form expired. Please check it and send it again."), "danger")
            form.token.data = secrets.token_urlsafe(24)
        return render_template("etracking/intake.html", process=process, kind=kind, form=form)
    token = form.token.data
    earlier = _already_registered(process, token)
    if earlier is not None:
        return earlier
    data = engine.Intake(
        file_kind_id=kind.id,
        internal_number=form.internal_number.data or "",
        amount=form.amount_value,
        submitter_agency_id=form.submitter_agency_id.data,
        applicant_name=form.applicant_name.data or "",
        ticked=list(form.ticked.data or []),
    )
    try:
        tracked = engine.register_file(current_scope(), process, data, _user_id())
        db.session.add(IntakeToken(agency_id=process.agency_id, token=token, file_id=tracked.id))
        db.session.flush()
    except engine.EngineRefused as refused:
        db.session.rollback()
        if refused.field and refused.field in form and refused.field != "file_kind_id":
            form[refused.field].errors = [*form[refused.field].errors, refused.message]
        else:
            flash(refused.message, "danger")
        return render_template("etracking/intake.html", process=process, kind=kind, form=form)
    except IntegrityError:
        # The same form committed in another request meanwhile: keep that file only.
        db.session.rollback()
        earlier = _already_registered(process, token)
        if earlier is not None:
            return earlier
        raise
    tracked_id, code = tracked.id, tracked.public_code
    db.session.commit()
    flash(_("File registered. Its tracking code is %(code)s.", code=codes.display(code)), "success")
    return redirect(url_for(".file_detail", tracked_id=tracked_id))


# --- the file page and its steps -----------------------------------------------------------------


def _render_file(
    tracked_id: int,
    form: ActionForm | None = None,
    failed: str | None = None,
    refusal: str | None = None,
) -> Any:
    tracked = desk_queries.file_with_history(tracked_id)
    if tracked is None:
        abort(404)
    state = desk_queries.file_state(tracked, desk_queries.acting_role(current_scope()), utcnow())
    return render_template(
        "etracking/file.html",
        tracked=tracked,
        process=tracked.version.process,
        minutes=state.minutes,
        due=state.due,
        late=state.late,
        actions=[a.value for a in state.actions],
        may_act=state.may_act,
        form=form or ActionForm(formdata=None),
        failed=failed,
        refusal=refusal,
    )


@bp.route(f"/files/{TRACKED_ID}")
@requires(can_view_desk)
def file_detail(tracked_id: int) -> Any:
    return _render_file(tracked_id)


@bp.route(f"/files/{TRACKED_ID}/act", methods=["POST"])
@requires(can_work_desk)
def act_on_file(tracked_id: int) -> Any:
    tracked = db.session.get(TrackedFile, tracked_id)
    if tracked is None:
        abort(404)
    form = ActionForm()
    action = next((a for a in DESK_ACTIONS if a.value == form.action.data), None)
    if not form.validate_on_submit() or action is None or form.seen_sequence.data is None:
        flash(_("The form expired or was incomplete. Please try again."), "danger")
        return redirect(url_for(".file_detail", tracked_id=tracked_id))
    try:
        event = engine.act(
            current_scope(),
            tracked,
            action,
            form.seen_sequence.data,
            _user_id(),
            reason=form.reason.data or "",
        )
    except engine.EngineRefused as refused:
        db.session.rollback()
        if refused.field == "reason":
            form.reason.errors = [*form.reason.errors, refused.message]
            return _render_file(tracked_id, form=form, failed=action.value)
        return _render_file(tracked_id, refusal=refused.message)
    done = {
        FileAction.ADVANCE: _("The file moved to “%(stage)s”.", stage=tracked.stage.name),
        FileAction.COMPLETE: _("The file is completed."),
        FileAction.RETURN: _("The file was returned for correction; its clock is paused."),
        FileAction.RESUME: _(
            "The file is back in process at “%(stage)s”.", stage=tracked.stage.name
        ),
        FileAction.REJECT: _("The file was rejected."),
    }[event.action]
    db.session.commit()
    flash(done, "success")
    return redirect(url_for(".file_detail", tracked_id=tracked_id))


# --- open a file by its code ---------------------------------------------------------------------


def _code_problem(raw: str) -> str | None:
    """Why a typed code cannot be one, checked before any lookup (None: it is well formed)."""
    cleaned = "".join(raw.split()).replace("-", "").upper()
    if len(cleaned) != codes.BODY_LENGTH + 1:
        return _("A tracking code has 13 letters and digits, e.g. 7K3M-9QXA-2B5D-8.")
    body_ok = all(ch in codes.ALPHABET or ch in "ILO" for ch in cleaned[:-1])
    if not body_ok or cleaned[-1] not in codes.CHECK_ALPHABET + "ILO":
        return _("This code has a character that tracking codes do not use. Check it again.")
    if codes.normalise(cleaned) is None:
        return _(
            "This code is mistyped: its last character (the check character) does not match."
            " Compare each character with the receipt."
        )
    return None


@bp.route("/open")
@requires(can_view_desk)
def open_file() -> Any:
    form = OpenForm(request.args)
    if request.args.get("code") is not None and form.validate():
        raw = form.code.data or ""
        if "/s/" in raw:  # a scanned status address: …/s/<CODE>
            raw = raw.rsplit("/s/", 1)[1].split("?")[0].strip("/")
        problem = _code_problem(raw)
        code = codes.normalise(raw) if problem is None else None
        if code is None:
            form.code.errors = [problem or _("Enter a tracking code.")]
        else:
            tracked_id = db.session.scalar(
                select(TrackedFile.id).where(TrackedFile.public_code == code)
            )
            if tracked_id is None:
                form.code.errors = [_("No file with this code is at this desk.")]
            else:
                return redirect(url_for(".file_detail", tracked_id=tracked_id))
    return render_template("etracking/open.html", form=form)


# --- the queue per stage, and advancing several files --------------------------------------------


@bp.route(f"/{PROCESS_ID}/queue")
@requires(can_view_desk)
def queue(process_id: int) -> Any:
    process = _process_or_404(process_id)
    stage = (request.args.get("stage") or "")[:40] or None
    data = desk_queries.queue(process, utcnow(), stage)
    return render_template(
        "etracking/queue.html",
        process=process,
        queue=data,
        stage=stage,
        form=BatchForm(formdata=None),
        due_soon_percent=int(desk_queries.DUE_SOON_SHARE * 100),
    )


def _pairs(values: list[str]) -> list[tuple[int, int] | None]:
    """ "file_id:seen_sequence" values; None for one that is not such a pair."""
    pairs: list[tuple[int, int] | None] = []
    for value in values[:MAX_BATCH]:
        left, _sep, right = str(value).partition(":")
        if left.isdigit() and right.isdigit() and len(left) <= 9 and len(right) <= 9:
            pairs.append((int(left), int(right)))
        else:
            pairs.append(None)
    return pairs


@bp.route(f"/{PROCESS_ID}/queue/advance", methods=["POST"])
@requires(can_work_desk)
def batch_advance(process_id: int) -> Any:
    process = _process_or_404(process_id)
    stage = (request.args.get("stage") or "")[:40] or None
    back = redirect(url_for(".queue", process_id=process_id, stage=stage))
    form = BatchForm()
    if not form.validate_on_submit():
        flash(_("The form expired. Please try again."), "danger")
        return back
    pairs = _pairs(form.files.data or [])
    if not pairs:
        flash(_("Tick the files to advance first."), "warning")
        return back
    scope, user_id, process_key = current_scope(), _user_id(), process.id
    moved = 0
    refused: list[str] = []
    # Each file is its own step: advanced (and committed) or refused (and rolled back) alone,
    # so one stale file does not undo the others. The engine's compare-and-swap on the sequence
    # each checkbox carries keeps a file from moving twice or skipping a stage.
    for pair in pairs:
        tracked = db.session.get(TrackedFile, pair[0]) if pair else None
        if pair is None or tracked is None or tracked.version.process_id != process_key:
            refused.append(_("A selected file is not in this queue."))
            continue
        label = f"{codes.display(tracked.public_code)} ({tracked.internal_number})"
        try:
            engine.act(scope, tracked, FileAction.ADVANCE, pair[1], user_id)
            db.session.commit()
            moved += 1
        except engine.EngineRefused as error:
            db.session.rollback()
            refused.append(f"{label}: {error.message}")
    flash(
        _("Files moved to the next stage: %(count)d.", count=moved), "success" if moved else "info"
    )
    for message in refused:
        flash(_("Not moved — %(detail)s", detail=message), "danger")
    return back
