"""A signed-in reader's whole page, kept per data version (core/dataversion.py) in each worker.

Why: once a page's figures are cached, most of what is left of a request is the layout around
them — the navigation (a permission check and a translation per entry), the forms, the export
menus. A monitor's board or a reviewer's list is read again and again while nothing changes; this
keeps the finished HTML and hands it back.

Only for GET views whose page is a function of: who reads (user, chosen role, scope), the URL,
the language, the day (relative dates) and the committed data. Everything else that reaches a
page is handled here:
- the session's CSRF token and the request's CSP nonce are cut out when a page is kept and the
  current ones put back when it is served, so a kept page never carries another request's;
- a request with flash messages waiting renders normally (rendering shows and consumes them);
- anything but a plain 200 page (a redirect, an error, a file) is never kept.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import g, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from puja_indah.core import dataversion
from puja_indah.core.clock import today_wita

F = TypeVar("F", bound=Callable[..., Any])

# Random per process, so that nothing a user typed into a page can collide with them.
_CSRF_SLOT = f"csrf-slot-{secrets.token_hex(16)}"
_NONCE_SLOT = f"nonce-slot-{secrets.token_hex(16)}"


class _NotKept(Exception):
    """The view answered something other than a page: passed through, not kept."""

    def __init__(self, answer: Any) -> None:
        self.answer = answer


def kept_page(view: F) -> F:
    """Serve the view's page from the worker's cache while the data version is unchanged."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if request.method != "GET" or session.get("_flashes"):
            return view(*args, **kwargs)
        membership = g.get("membership")
        key = (
            getattr(current_user, "id", None),
            getattr(membership, "id", None),
            dataversion.scope_key(),
            str(get_locale()),
            request.script_root,
            request.full_path,
            today_wita(),
        )
        token = generate_csrf()
        nonce = str(getattr(request, "csp_nonce", "") or "")

        def render() -> str:
            answer = view(*args, **kwargs)
            if not isinstance(answer, str):
                raise _NotKept(answer)
            page = answer.replace(token, _CSRF_SLOT)
            return page.replace(nonce, _NONCE_SLOT) if nonce else page

        try:
            page = dataversion.remember("pages", key, render)
        except _NotKept as passed:
            return passed.answer
        page = page.replace(_CSRF_SLOT, token)
        return page.replace(_NONCE_SLOT, nonce) if nonce else page

    return cast(F, wrapper)
