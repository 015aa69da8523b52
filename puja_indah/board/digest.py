"""The monitors' weekly digest (issue 5, point 5): what needs the monitor's attention this week.

`build_digest(region_id, today)` returns a `Digest` whose sections come from `SECTIONS`, a list of
functions `(region_id, today) -> DigestSection`: one more section (pending reviews, when the
reviewer workspace lands) is one more function appended to it. The same digest is shown on the
monitor's landing page (home/region.html) and mailed weekly by the periodic job below.

The job runs in the named system scope `SYSTEM_REASON` (it reads every region's board) and sends
each region monitor one mail per ISO week: a `DigestDelivery` row is claimed (committed) before
the mail goes out, so a second worker or a retry finds the week taken and sends nothing; a mail
that fails gives its claim back so the queue's retry can send it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from huey import crontab
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from puja_indah import jobs
from puja_indah.board import queries
from puja_indah.board.models import DigestDelivery
from puja_indah.core import audit
from puja_indah.core.clock import today_wita
from puja_indah.core.models import Agency, Membership, Region, Role, User
from puja_indah.core.registry import ModuleActivation
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db
from puja_indah.jobs import mail
from puja_indah.modules.etracking import analytics
from puja_indah.modules.etracking.models import Process
from puja_indah.reviews.queries import pending_for_region

log = logging.getLogger(__name__)

SYSTEM_REASON = "board: weekly digest to region monitors"
DIGEST_DAYS = 7


@dataclass(frozen=True)
class DigestItem:
    text: str
    agency_id: int | None = None  # links to the board's drill-down on the landing page


@dataclass(frozen=True)
class DigestSection:
    key: str
    title: str
    items: list[DigestItem]
    empty: str  # what the section says when nothing needs attention


@dataclass(frozen=True)
class Digest:
    region_id: int
    region_name: str
    start: date
    end: date
    sections: list[DigestSection] = field(default_factory=list)

    @property
    def attention(self) -> int:
        return sum(len(section.items) for section in self.sections)


def stale_section(region_id: int, today: date) -> DigestSection:
    stale_after = queries.stale_after_days(region_id)
    items = []
    for row in sorted(
        (r for r in queries.rows(region_id, today, modules=False) if r.stale),
        key=lambda r: (r.days_since is not None, -(r.days_since or 0), r.agency.name),
    ):
        if row.days_since is None:
            text = _("%(agency)s: no activity recorded yet", agency=row.agency.name)
        else:
            text = _(
                "%(agency)s: last activity %(days)d days ago",
                agency=row.agency.name,
                days=row.days_since,
            )
        items.append(DigestItem(text, row.agency.id))
    return DigestSection(
        "stale",
        _("Agencies without activity for more than %(days)d days", days=stale_after),
        items,
        _("Every appointed agency was active recently."),
    )


def sla_section(region_id: int, today: date) -> DigestSection:
    """Stage exits over the SLA at the region's e-tracking desks in the last 7 days, per desk
    process (the analytics page's own report, `analytics.build_report`)."""
    period = analytics.Period(today - timedelta(days=DIGEST_DAYS - 1), today)
    processes = db.session.execute(
        select(Process, Agency.name)
        .join(Agency, Agency.id == Process.agency_id)
        .join(
            ModuleActivation,
            (ModuleActivation.agency_id == Process.agency_id)
            & (ModuleActivation.module_code == "etracking"),
        )
        .where(Agency.region_id == region_id, ModuleActivation.enabled.is_(True))
        .order_by(Agency.name, Process.name, Process.id)
    ).all()
    items = []
    for process, agency_name in processes:
        report = analytics.build_report(process, period)
        breaches = sum(stage.breaches for stage in report.stages)
        if breaches:
            exits = sum(stage.exits for stage in report.stages)
            items.append(
                DigestItem(
                    _(
                        "%(agency)s, %(process)s: %(breaches)d of %(exits)d stage exits over"
                        " the SLA",
                        agency=agency_name,
                        process=process.name,
                        breaches=breaches,
                        exits=exits,
                    ),
                    process.agency_id,
                )
            )
    return DigestSection(
        "sla",
        _("SLA breaches at e-tracking desks in the last 7 days"),
        items,
        _("No stage went over its SLA."),
    )


def review_section(region_id: int, today: date) -> DigestSection:
    """Indicator claims with evidence that wait for the Kemendagri reviewer (new, or changed since
    the last decision): `reviews.queries.pending_for_region`."""
    pending = pending_for_region(region_id)
    items = []
    if pending:
        items.append(
            DigestItem(
                ngettext(
                    "%(num)d indicator claim with evidence waits for the reviewer's decision",
                    "%(num)d indicator claims with evidence wait for the reviewer's decision",
                    pending,
                )
            )
        )
    return DigestSection(
        "reviews",
        _("Pending reviews"),
        items,
        _("No claim waits for a reviewer."),
    )


# One function per section, in the order shown.
SECTIONS: list[Callable[[int, date], DigestSection]] = [stale_section, sla_section, review_section]


def build_digest(region_id: int, today: date) -> Digest:
    region = db.session.get(Region, region_id)
    return Digest(
        region_id=region_id,
        region_name=region.name if region else "",
        start=today - timedelta(days=DIGEST_DAYS - 1),
        end=today,
        sections=[section(region_id, today) for section in SECTIONS],
    )


def as_text(digest: Digest) -> str:
    lines = [
        _("Weekly digest for %(region)s", region=digest.region_name),
        f"{digest.start.isoformat()} – {digest.end.isoformat()}",
        "",
    ]
    for section in digest.sections:
        lines.append(section.title)
        lines.extend(f"- {item.text}" for item in section.items)
        if not section.items:
            lines.append(f"- {section.empty}")
        lines.append("")
    return "\n".join(lines)


# --- sending -------------------------------------------------------------------------------------


def iso_week(day: date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def _monitors() -> list[tuple[int, int]]:
    """(user id, region id) of every unlocked region monitor."""
    return [
        (user_id, region_id)
        for user_id, region_id in db.session.execute(
            select(Membership.user_id, Membership.region_id)
            .join(User, User.id == Membership.user_id)
            .where(Membership.role == Role.REGION_MONITOR, User.locked_at.is_(None))
            .order_by(Membership.user_id, Membership.region_id)
        )
        if region_id is not None
    ]


def _claim(user_id: int, region_id: int, week: str) -> DigestDelivery | None:
    row = DigestDelivery(user_id=user_id, region_id=region_id, week=week)
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None  # another worker, or an earlier run, has this week
    return row


def send_digests(today: date) -> int:
    """Mail this week's digest to every region monitor not yet mailed this week; returns how many
    were sent."""
    sent = 0
    week = iso_week(today)
    audit.set_actor(audit.Actor(label="job: weekly digest"))
    with scoped(Scope.system(SYSTEM_REASON), db.session):
        for user_id, region_id in _monitors():
            claim = _claim(user_id, region_id, week)
            if claim is None:
                continue
            user = db.session.get(User, user_id)
            assert user is not None
            try:
                with force_locale(user.locale or "id"):
                    digest = build_digest(region_id, today)
                    subject = _("PUJA INDAH weekly digest: %(region)s", region=digest.region_name)
                    body = as_text(digest)
                claim.destination = mail.send_mail(user.email, subject, body)[:300]
                db.session.commit()
                sent += 1
            except Exception:
                db.session.rollback()
                db.session.execute(delete(DigestDelivery).where(DigestDelivery.id == claim.id))
                db.session.commit()
                raise
    return sent


# Mondays 07:00 WITA = Sundays 23:00 UTC (the queue runs in UTC).
@jobs.periodic_task(crontab(minute="0", hour="23", day_of_week="0"), retries=3, retry_delay=300)
def weekly_digest() -> int:
    return send_digests(today_wita())
