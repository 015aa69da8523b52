"""Who may call what: the same `can_*` policy functions as the web pages (core/permissions.py),
answered the API's way — 401 problem for no or a bad token, 403 for a role or token scope that
may not — and the rules every API write follows, applied once per request in `guard_request`:

- a token's scope: a read token may not send PUT, PATCH, POST or DELETE;
- a browser session (cookie) may write only with its CSRF token (`X-CSRFToken`);
- a body larger than `API_MAX_BODY_BYTES` is refused before it is read.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, g, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from puja_indah.api.problems import Problem
from puja_indah.core.audit import record_refusal
from puja_indah.core.permissions import Policy
from puja_indah.core.tenancy import current_scope
from puja_indah.extensions import csrf

F = TypeVar("F", bound=Callable[..., Any])
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _refusal_detail(reason: str) -> str:
    return {
        "malformed": _("The Authorization header must be: Bearer pi_…"),
        "unknown": _("This token is not known. Check that it was copied whole."),
        "expired": _("This token has expired. Make a new one under Akun → Token API."),
        "revoked": _("This token has been revoked. Make a new one under Akun → Token API."),
        "locked": _("The account that owns this token is locked."),
    }.get(reason, _("Send a valid personal access token: Authorization: Bearer pi_…."))


def not_authenticated() -> Problem:
    reason = g.get("token_refusal", "")
    code = f"token_{reason}" if reason else "not_authenticated"
    return Problem(401, code, _refusal_detail(reason))


def api_requires(policy: Policy) -> Callable[[F], F]:
    """`@api_requires(can_…)` under `@blp.route`: the web's `requires`, answered in problems.
    The policy is recorded on the view for the route-matrix test, like `requires` does."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not getattr(current_user, "is_authenticated", False):
                raise not_authenticated()
            if not policy(current_scope()):
                record_refusal(policy.__name__)
                raise Problem(403, "forbidden", _("Your role does not allow this."))
            return view(*args, **kwargs)

        wrapper.policy = policy  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def api_public(view: F) -> F:
    """Open data: no token needed (the route matrix checks the mark)."""
    view.policy = None  # type: ignore[attr-defined]
    return view


def guard_request() -> None:
    """Runs before every `/api/` view (after the scope is resolved)."""
    request.max_content_length = int(current_app.config["API_MAX_BODY_BYTES"])
    # Settle the language now: a service that refuses after a failed flush translates its
    # message, and reading the user's language then would need the broken transaction.
    get_locale()
    if request.method in SAFE_METHODS:
        return
    token = g.get("api_token")
    if token is not None:
        if not token.can_write:
            record_refusal("token_scope")
            raise Problem(
                403,
                "insufficient_scope",
                _("This token may only read. Make a token with the write scope to change data."),
            )
        return
    if getattr(current_user, "is_authenticated", False):
        # A browser session: the cookie alone would let another site write in its name.
        csrf.protect()
