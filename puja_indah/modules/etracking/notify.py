"""E-mail to subscribers of the submitting agency when a file changes stage (issue 4, point 10).

Flow: `engine.act` appends the new event's id to `db.session.info[PENDING_KEY]`; when that
transaction COMMITS, the listener below enqueues `notify_step(event_id)`; a rollback drops the
ids, so a refused or rolled-back step mails nobody. `notify_step` fans out one `send_step_mail`
per subscriber (retried on its own, so one bad address or a flaky server does not re-mail the
others), and `Notification` rows make every send idempotent.

Tasks run without a request: they read in a named system scope, on their own session (in
immediate mode they run inside the request's after-commit hook, where the request's session may
not be used). Only subscriptions owned by the file's submitting agency, of users who are still
officers or leads of that agency, are ever mailed.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from puja_indah import jobs
from puja_indah.core.db import utcnow
from puja_indah.core.i18n import format_local_datetime
from puja_indah.core.models import Membership, Role, User
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db
from puja_indah.jobs import mail
from puja_indah.modules.etracking import codes, submitted_queries
from puja_indah.modules.etracking.engine import EngineRefused, status_label
from puja_indah.modules.etracking.models import FileAction, FileEvent, TrackedFile
from puja_indah.modules.etracking.notify_models import (
    FileSubscription,
    Notification,
    NotificationStatus,
)

log = logging.getLogger(__name__)

# Written by engine.act (one line there): ids of the steps taken in the current transaction.
PENDING_KEY = "etracking.stage_events"
SYSTEM_REASON = "e-tracking: notify the submitting agency's subscribers"
MAIL_RETRIES = 3
MAIL_RETRY_DELAY = 60  # seconds


# --- after commit, never before ------------------------------------------------------------------


def _after_commit(session: Session) -> None:
    for event_id in session.info.pop(PENDING_KEY, []):
        try:
            notify_step(event_id)
        except Exception:  # a queue outage must not turn a committed step into an error page
            log.exception("could not enqueue the notification of step %s", event_id)


def _after_rollback(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)


def _after_transaction_end(session: Session, transaction: Any) -> None:
    # A transaction ended without a commit (closed, or the session removed): its steps are gone.
    # After a commit the ids were already taken by _after_commit, which runs first.
    if transaction.parent is None:
        session.info.pop(PENDING_KEY, None)


def install(session_class: type[Session] = Session) -> None:
    for name, fn in (
        ("after_commit", _after_commit),
        ("after_rollback", _after_rollback),
        ("after_transaction_end", _after_transaction_end),
    ):
        if not sa_event.contains(session_class, name, fn):
            sa_event.listen(session_class, name, fn)


install()


# --- subscriptions (the submitting agency's own rows) ---------------------------------------------


def is_subscribed(tracked_id: int, user_id: int) -> bool:
    return (
        db.session.scalar(
            select(FileSubscription.id).where(
                FileSubscription.file_id == tracked_id, FileSubscription.user_id == user_id
            )
        )
        is not None
    )


def set_subscription(scope: Scope, tracked_id: int, user_id: int, *, on: bool) -> None:
    """Subscribe or unsubscribe the user; only to a file the user's own agency submitted."""
    if scope.kind != "agency" or scope.read_only or scope.agency_id is None:
        raise EngineRefused(_("Only staff of the submitting agency receive e-mail about a file."))
    if not submitted_queries.is_submitted_by(scope.agency_id, tracked_id):
        raise EngineRefused(_("This file was not submitted by your agency."))
    if on and not submitted_queries.is_open_file_submitted_by(scope.agency_id, tracked_id):
        raise EngineRefused(_("This file is closed: it will not change stage any more."))
    existing = db.session.scalar(
        select(FileSubscription).where(
            FileSubscription.file_id == tracked_id, FileSubscription.user_id == user_id
        )
    )
    if on and existing is None:
        db.session.add(
            FileSubscription(agency_id=scope.agency_id, file_id=tracked_id, user_id=user_id)
        )
        try:
            with db.session.begin_nested():
                db.session.flush()
        except IntegrityError:
            pass  # subscribed a moment ago in another tab: the wish is already met
    elif not on and existing is not None:
        db.session.delete(existing)
        db.session.flush()


# --- tasks ---------------------------------------------------------------------------------------


@contextlib.contextmanager
def _system_session() -> Iterator[Session]:
    # Scope.system: tasks read subscriptions of the submitting agency and files of the desk.
    with scoped(Scope.system(SYSTEM_REASON)):
        session = Session(bind=db.engine, autoflush=False, expire_on_commit=False)
        try:
            yield session
        finally:
            session.rollback()
            session.close()


def _recipients(session: Session, tracked: TrackedFile) -> list[int]:
    """Subscribers owned by the file's submitting agency who still work there."""
    if tracked.submitter_agency_id is None:
        return []
    return list(
        session.scalars(
            select(FileSubscription.user_id)
            .join(Membership, Membership.user_id == FileSubscription.user_id)
            .where(
                FileSubscription.file_id == tracked.id,
                FileSubscription.agency_id == tracked.submitter_agency_id,
                Membership.agency_id == tracked.submitter_agency_id,
                Membership.role.in_((Role.AGENCY_OFFICER, Role.AGENCY_LEAD)),
            )
            .distinct()
            .order_by(FileSubscription.user_id)
        )
    )


@jobs.task(retries=MAIL_RETRIES, retry_delay=MAIL_RETRY_DELAY)
def notify_step(event_id: int) -> int:
    """Fan a committed step out to its subscribers; returns how many mails were enqueued."""
    with _system_session() as session:
        step = session.get(FileEvent, event_id)
        if step is None or step.action is FileAction.RECEIVE:
            return 0  # rolled back after all, or not a change of stage
        users = _recipients(session, step.file)
        done = set(
            session.scalars(
                select(Notification.user_id).where(
                    Notification.event_id == event_id,
                    Notification.status == NotificationStatus.SENT,
                )
            )
        )
    todo = [u for u in users if u not in done]
    for user_id in todo:
        send_step_mail(event_id, user_id)
    return len(todo)


@dataclass(frozen=True)
class StepMail:
    to: str
    subject: str
    body: str
    agency_id: int


def compose(session: Session, event_id: int, user_id: int) -> StepMail | None:
    """The message for one subscriber, in the subscriber's language; None when the subscriber
    is no longer entitled to it."""
    step = session.get(FileEvent, event_id)
    user = session.get(User, user_id)
    if step is None or user is None or user.locked_at is not None:
        return None
    tracked = step.file
    if user_id not in _recipients(session, tracked):
        return None
    assert tracked.submitter_agency_id is not None
    process = tracked.version.process.name
    with force_locale(user.locale or "id"):
        values: dict[str, Any] = {
            "process": process,
            "kind": tracked.file_kind.name,
            "number": tracked.internal_number,
            "code": codes.display(tracked.public_code),
            "stage": tracked.stage.name,
            "status": status_label(tracked.status),
            "at": format_local_datetime(step.at, "medium"),
            "link": _link(tracked.id),
        }
        subject = _("[PUJA INDAH] %(number)s: %(stage)s (%(status)s)", **values)
        lines = [
            _("The file your agency submitted moved on:"),
            "",
            _("Process: %(process)s", **values),
            _("Type: %(kind)s", **values),
            _("Internal number: %(number)s", **values),
            _("Tracking code: %(code)s", **values),
            _("Now at: %(stage)s (%(status)s)", **values),
            _("Since: %(at)s WITA", **values),
        ]
        if step.reason:
            lines.append(_("Reason given by the desk: %(reason)s", reason=step.reason))
        lines += [
            "",
            _("Details and history: %(link)s", **values),
            "",
            _(
                "You receive this because you asked to be told when this file changes stage."
                " Stop it on the page above."
            ),
        ]
    return StepMail(
        to=user.email, subject=subject, body="\n".join(lines), agency_id=tracked.submitter_agency_id
    )


def _link(tracked_id: int) -> str:
    # No request in a worker: the path comes from the URL map, the host from the config.
    adapter = current_app.url_map.bind("localhost")
    path = adapter.build("tracking.submitted_file", {"tracked_id": tracked_id})
    return str(current_app.config.get("PUBLIC_BASE_URL", "")).rstrip("/") + path


def _record(
    session: Session,
    message: StepMail,
    event_id: int,
    user_id: int,
    status: NotificationStatus,
    detail: str,
    attempts: int,
) -> None:
    row = session.scalar(
        select(Notification).where(
            Notification.event_id == event_id, Notification.user_id == user_id
        )
    )
    if row is None:
        row = Notification(agency_id=message.agency_id, event_id=event_id, user_id=user_id)
        session.add(row)
    row.status = status
    row.detail = detail[:2000]
    row.recipient = message.to
    row.attempts = attempts
    row.at = utcnow()
    session.commit()


@jobs.task(retries=MAIL_RETRIES, retry_delay=MAIL_RETRY_DELAY, context=True)
def send_step_mail(event_id: int, user_id: int, task: Any = None) -> str:
    """Send one subscriber's mail; raises on failure so huey retries it (MAIL_RETRIES times,
    MAIL_RETRY_DELAY apart), and records the failure when no retry is left."""
    remaining = task.retries if task is not None else 0
    attempt = MAIL_RETRIES - remaining + 1
    with _system_session() as session:
        already = session.scalar(
            select(Notification.id).where(
                Notification.event_id == event_id,
                Notification.user_id == user_id,
                Notification.status == NotificationStatus.SENT,
            )
        )
        if already is not None:
            return "already sent"
        message = compose(session, event_id, user_id)
        if message is None:
            return "not entitled"
        try:
            where = mail.send_mail(message.to, message.subject, message.body)
        except Exception as exc:
            if remaining <= 0:
                _record(
                    session,
                    message,
                    event_id,
                    user_id,
                    NotificationStatus.FAILED,
                    f"{type(exc).__name__}: {exc}",
                    attempt,
                )
                log.error("mail of step %s to user %s failed for good: %s", event_id, user_id, exc)
            raise
        _record(session, message, event_id, user_id, NotificationStatus.SENT, where, attempt)
        return where
