"""The public status page of a tracked file (`/s/<code>`) and the code lookup (`/lacak`).

Open to anyone with the code — the submitter's phone, a contractor — so the pages are small
(a standalone template and one tiny stylesheet, no Bootstrap, no script), rate-limited per
address, and show only what `status_queries` selects. The status is read afresh on every
request; only its rendering is reused (`_rendered`) when the same facts come back within the
same minute, and a browser may keep the page but must ask again each time (ETag, 304). A
mistyped code is caught by its check character before any lookup and said so; a well-formed
code that leads nowhere (never issued, or its desk has the module off) gets one answer that
tells nothing more.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections import OrderedDict
from datetime import datetime
from typing import Any

from flask import current_app, redirect, render_template, request, session, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf
from werkzeug.wrappers import Response

from puja_indah.core import dataversion
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


def _helpers() -> dict[str, Any]:
    return {
        "wita": wita,
        "wita_span": wita_span,
        "working_time": working_time,
        "status_label": engine.status_label,
        "display": codes.display,
        "max_input": MAX_INPUT,
    }


def _page(template: str, status: int = 200, **context: Any) -> Response:
    html = render_template(template, **_helpers(), **context)
    response = Response(html, status=status, mimetype="text/html")
    # The lookup form and the refusals: nothing worth keeping.
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


# Rendered status pages by everything they show: (language, address, status facts, minute).
# The facts are read from the database on every request, so an entry can never show an old
# stage — a changed file makes a new key. The minute is in the key because the page states the
# time it was checked and the working time used, both to the minute.
RENDERED_MAX = 512
_rendered: OrderedDict[tuple[Any, ...], tuple[str, str]] = OrderedDict()
_rendered_lock = threading.Lock()
# Stands in for the visitor's own CSRF token (the language form) in a rendered page; random so
# that no text typed by staff can collide with it.
_TOKEN_SLOT = f"csrf-{secrets.token_hex(12)}"


def _status_page(item: status_queries.PublicStatus, checked_at: datetime) -> Response:
    key = (current_language(), request.script_root, request.full_path, item, checked_at)
    with _rendered_lock:
        cached = _rendered.get(key)
        if cached is not None:
            _rendered.move_to_end(key)
    if cached is None:
        html = render_template(
            "etracking/status.html",
            item=item,
            checked_at=checked_at,
            csrf_token=lambda: _TOKEN_SLOT,
            **_helpers(),
        )
        cached = (html, hashlib.blake2b(html.encode(), digest_size=16).hexdigest())
        with _rendered_lock:
            _rendered[key] = cached
            while len(_rendered) > RENDERED_MAX:
                _rendered.popitem(last=False)
    html, digest = cached
    token = generate_csrf()
    response = Response(html.replace(_TOKEN_SLOT, token), mimetype="text/html")
    # The page as this visitor has it: the same facts and the same session (its language form
    # carries the session's CSRF token), so a 304 never hands back another session's form.
    secret = str(session.get("csrf_token", ""))
    response.set_etag(hashlib.blake2b(f"{digest}:{secret}".encode(), digest_size=16).hexdigest())
    # Public by code but about one person's file: browsers only (private), and they must ask
    # again every time (no-cache) — the 304 keeps that cheap — so a stage change shows at once.
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["X-Robots-Tag"] = "noindex"
    return response.make_conditional(request)


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
    # To the minute, as the page shows it: the same facts within a minute render the same page.
    now = utcnow().replace(second=0, microsecond=0)
    # Read once per data version and minute in each worker: a busy file's page is asked for
    # again and again (the owner reloading, a desk's screen). A commit renews it within
    # PUBLIC_PAGE_STALENESS_SECONDS (at once when made by this worker).
    found = dataversion.remember(
        "public_status",
        (code, now),
        lambda: status_queries.public_status(code, now),
        max_age=float(current_app.config["PUBLIC_PAGE_STALENESS_SECONDS"]),
        maxsize=1024,
    )
    if found is None:
        return _page("etracking/lookup.html", 404, typed=codes.display(code), problem=UNKNOWN)
    return _status_page(found, now)


@open_bp.errorhandler(429)
def too_many(error: Exception) -> Response:
    """The limit on these open pages: the same light page, kindly worded, instead of the app's
    Bootstrap error page."""
    response = _page("etracking/too_many.html", 429)
    response.headers["Retry-After"] = "60"
    return response
