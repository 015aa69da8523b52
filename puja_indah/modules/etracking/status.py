"""The public status page of a tracked file (`/s/<code>`) and the code lookup (`/lacak`).

Open to anyone with the code — the submitter's phone, a contractor — so the pages are small
(a standalone template and one tiny stylesheet, no Bootstrap, no script), rate-limited per
address, never cached, and show only what `status_queries` selects. A mistyped code is caught
by its check character before any lookup and said so; a well-formed code that leads nowhere
(never issued, or its desk has the module off) gets one answer that tells nothing more.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from puja_indah.core.db import utcnow
from puja_indah.core.i18n import current_language
from puja_indah.core.permissions import public
from puja_indah.extensions import limiter
from puja_indah.modules.etracking import codes, engine, status_queries
from puja_indah.modules.etracking.blueprint import open_bp
from puja_indah.modules.etracking.worktime import WITA

RATE = "30 per minute"
# Longer input is not a code, whatever it holds: it is refused before it is even normalised.
MAX_INPUT = 40


def _clock() -> str:
    # Indonesian writes 09.30, English 09:30.
    return "HH.mm" if current_language() == "id" else "HH:mm"


def wita(value: datetime | None) -> str:
    """A stored UTC time in WITA, to the minute, in the visitor's language."""
    if value is None:
        return "–"
    return f"{format_datetime(value, f'd MMM y, {_clock()}')} WITA"


def wita_span(start: datetime, end: datetime) -> str:
    """From–to in WITA, the date said once when both fall on the same day."""
    same_day = start.astimezone(WITA).date() == end.astimezone(WITA).date()
    left = format_datetime(start, f"d MMM y, {_clock()}")
    right = format_datetime(end, _clock() if same_day else f"d MMM y, {_clock()}")
    return f"{left} → {right} WITA"


def working_time(minutes: int | None) -> str:
    """Working minutes as hours and minutes: "2 h 15 min"."""
    if minutes is None:
        return "–"
    hours, rest = divmod(max(minutes, 0), 60)
    if hours and rest:
        return _("%(hours)d h %(minutes)d min", hours=hours, minutes=rest)
    if hours:
        return _("%(hours)d h", hours=hours)
    return _("%(minutes)d min", minutes=rest)


def _page(template: str, status: int = 200, **context: Any) -> Response:
    html = render_template(
        template,
        wita=wita,
        wita_span=wita_span,
        working_time=working_time,
        status_label=engine.status_label,
        display=codes.display,
        max_input=MAX_INPUT,
        **context,
    )
    response = Response(html, status=status, mimetype="text/html")
    # A file's status changes by the hour and the page is found by a secret-ish code.
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


TYPO = "typo"
UNKNOWN = "unknown"


@open_bp.route("/lacak")
@limiter.limit(RATE)
@public
def lookup() -> Response:
    typed = request.args.get("kode", "")
    if not typed.strip():
        return _page("etracking/lookup.html", typed="", problem=None)
    code = codes.normalise(typed) if len(typed) <= MAX_INPUT else None
    if code is None:
        return _page("etracking/lookup.html", typed=typed[:MAX_INPUT], problem=TYPO)
    return redirect(url_for(".status", tracking_code=code))


@open_bp.route("/s/<string(maxlength=40):tracking_code>")
@limiter.limit(RATE)
@public
def status(tracking_code: str) -> Response:
    code = codes.normalise(tracking_code)
    if code is None:
        # No lookup at all: the check character already says it cannot be a code.
        return _page("etracking/lookup.html", 404, typed=tracking_code, problem=TYPO)
    if code != tracking_code:
        # Typed by hand in lower case or with hyphens: one canonical address per file.
        return redirect(url_for(".status", tracking_code=code))
    found = status_queries.public_status(code)
    if found is None:
        return _page("etracking/lookup.html", 404, typed=codes.display(code), problem=UNKNOWN)
    return _page("etracking/status.html", item=found, checked_at=utcnow())


@open_bp.errorhandler(429)
def too_many(error: Exception) -> Response:
    """The limit on these open pages: the same light page, kindly worded, instead of the app's
    Bootstrap error page."""
    response = _page("etracking/too_many.html", 429)
    response.headers["Retry-After"] = "60"
    return response
