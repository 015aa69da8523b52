"""The assembly steps create_app() calls, one function each."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import click
from flask import Flask, g, render_template, request
from flask.globals import request_ctx
from flask_babel import get_translations
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_talisman import Talisman
from jinja2 import pass_context
from markupsafe import Markup
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.exceptions import Forbidden, HTTPException, InternalServerError
from werkzeug.middleware.proxy_fix import ProxyFix

from puja_indah.api.problems import problem_response
from puja_indah.auth.sessions import API_PATH_PREFIX
from puja_indah.core import audit, dataversion, tenancy
from puja_indah.core.db import include_schema_name, include_schema_object
from puja_indah.core.i18n import (
    current_language,
    format_local_datetime,
    format_rupiah,
    format_score,
    select_locale,
)
from puja_indah.core.permissions import role_label, template_can
from puja_indah.extensions import (
    api,
    babel,
    bootstrap,
    csrf,
    db,
    limiter,
    login_manager,
)


def trust_proxies(app: Flask) -> None:
    """Behind nginx or a load balancer the client's address comes from X-Forwarded-For; without
    this, every user would share the proxy's address for throttling and the audit trail."""
    hops = int(app.config.get("PROXY_HOPS", 0))
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]


def init_migrations(app: Flask) -> None:
    """Flask-Migrate (`flask db ...`) for the command line and the tests only: it imports
    alembic, ~11 MB resident that a web worker would carry without ever using it."""
    if not (app.testing or click.get_current_context(silent=True) is not None):
        return
    from flask_migrate import Migrate

    Migrate(
        app,
        db,
        directory=str(Path(__file__).resolve().parent.parent / "migrations"),
        compare_type=True,
        render_as_batch=True,
        include_name=include_schema_name,
        include_object=include_schema_object,
    )


def init_extensions(app: Flask) -> None:
    Path(app.config["STORAGE_ROOT"]).mkdir(parents=True, exist_ok=True)
    db.init_app(app)
    init_migrations(app)
    csrf.init_app(app)
    babel.init_app(
        app, locale_selector=select_locale, default_translation_directories="translations"
    )
    bootstrap.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to open that page.")
    login_manager.login_message_category = "info"
    # Flask-Login's own "strong" protection would log out a user whose network changes on a phone;
    # server-side sessions (auth) end logins instead.
    login_manager.session_protection = None
    init_api(app)


def init_api(app: Flask) -> None:
    """The JSON API: flask-smorest generates the OpenAPI document from its blueprints. The API
    blueprints skip the form CSRF check — `api.access.guard_request` applies the API's own write
    rules (token scope, or CSRF for a browser session) after the scope is known."""
    from puja_indah.api.spec import api_config

    for key, value in api_config().items():
        app.config.setdefault(key, value)
    api.init_app(app)


def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def init_tenancy(app: Flask) -> None:
    from sqlalchemy.orm import Session

    tenancy.install(Session)
    audit.install(Session)
    dataversion.install(Session)
    if not event.contains(Engine, "connect", _sqlite_pragmas):
        event.listen(Engine, "connect", _sqlite_pragmas)

    @app.before_request
    def resolve_scope() -> None:
        # Layer 1: once per request. Loading current_user opens the login session (auth).
        from puja_indah.auth.sessions import request_scope

        tenancy.set_scope(request_scope(), db.session)
        label = getattr(current_user, "email", "anonymous")
        token = g.get("api_token")
        if token is not None:
            # The trail tells a change made through the API from one made on a page.
            label = f"{label} (API {token.prefix}…)"
        audit.set_actor(
            audit.Actor(
                user_id=getattr(current_user, "id", None),
                label=label,
                ip_address=request.remote_addr or "",
            )
        )

    @app.before_request
    def guard_api_request() -> None:
        if request.path.startswith(API_PATH_PREFIX):
            from puja_indah.api.access import guard_request

            guard_request()

    @app.teardown_request
    def forget_scope(exc: BaseException | None) -> None:
        tenancy.set_scope(tenancy.Scope.anonymous())
        audit.set_actor(audit.Actor())


# --- job queue (notifications) ----------------------------------------------------------------
def init_jobs(app: Flask) -> None:
    """Point the huey queue at the storage the config names (puja_indah/jobs)."""
    from puja_indah import jobs

    jobs.init_app(app)


FEATURE_MODELS = (
    "puja_indah.core.registry",
    # --- the data version per-process caches are keyed by ---
    "puja_indah.core.dataversion",
    "puja_indah.agencies.models",
    "puja_indah.assessment.models",
    # --- progress board (settings, digest deliveries) ---
    "puja_indah.board.models",
    "puja_indah.evidence.models",
    "puja_indah.innovations.models",
    "puja_indah.modules.etracking.models",
    # --- e-pintar (Dinas Pendidikan) ---
    "puja_indah.modules.epintar.models",
    # --- e-tracking notifications (subscriptions, sent mail) ---
    "puja_indah.modules.etracking.notify_models",
    # --- e-minduk (civil-registration requests) ---
    "puja_indah.modules.eminduk.models",
    # --- e-tracking desk screens (intake tokens) ---
    "puja_indah.modules.etracking.desk_models",
    "puja_indah.progress.models",
    "puja_indah.reference.models",
    "puja_indah.replications.models",
    # --- reviews (Kemendagri reviewer decisions) ---
    "puja_indah.reviews.models",
    # --- reports and exports (export jobs) ---
    "puja_indah.reports.models",
)


def import_models() -> None:
    """Import every feature's models, so the mapper registry (and the tenancy tests that
    enumerate it) knows all of them however the app was reached."""
    for module in FEATURE_MODELS:
        importlib.import_module(module)


def register_blueprints(app: Flask) -> None:
    from puja_indah.agencies.views import bp as agencies_bp
    from puja_indah.assessment.views import bp as assessment_bp
    from puja_indah.audit.views import bp as audit_bp
    from puja_indah.auth.views import bp as auth_bp
    from puja_indah.board.views import bp as board_bp
    from puja_indah.evidence.views import bp as evidence_bp
    from puja_indah.home.views import bp as home_bp
    from puja_indah.innovations.views import bp as innovations_bp
    from puja_indah.modules.views import bp as modules_bp
    from puja_indah.progress.views import bp as progress_bp
    from puja_indah.public.views import bp as public_bp
    from puja_indah.reference.views import bp as reference_bp
    from puja_indah.replications.views import bp as replications_bp
    from puja_indah.reports.views import bp as reports_bp
    from puja_indah.reviews.views import bp as reviews_bp
    from puja_indah.users.views import bp as users_bp

    import_models()
    register_api_blueprints(app)
    for blueprint in (
        home_bp,
        auth_bp,
        agencies_bp,
        users_bp,
        audit_bp,
        innovations_bp,
        modules_bp,
        replications_bp,
        public_bp,
        assessment_bp,
        evidence_bp,
        progress_bp,
        reference_bp,
        reviews_bp,
        board_bp,
        reports_bp,
    ):
        app.register_blueprint(blueprint)
    register_modules(app)


def register_api_blueprints(app: Flask) -> None:
    from puja_indah.api import (
        agencies,
        board,
        claims,
        docs,
        evidence,
        innovations,
        milestones,
        open_data,
        replications,
    )

    app.register_blueprint(docs.bp)
    for resource in (
        agencies,
        innovations,
        milestones,
        claims,
        replications,
        evidence,
        board,
        open_data,
    ):
        register_api_blueprint(resource.bp)


def register_api_blueprint(blueprint: Any) -> None:
    """One flask-smorest blueprint on the API (and so in the OpenAPI document). It skips the
    form CSRF check: `api.access.guard_request` applies the API's own write rules."""
    api.register_blueprint(blueprint)
    csrf.exempt(blueprint)


# Service modules shipped in this package; installed distributions add theirs through the
# `puja_indah.modules` entry-point group (core/registry.py).
BUILTIN_MODULES: tuple[str, ...] = (
    "puja_indah.modules.etracking.module:EtrackingModule",
    # --- e-pintar (Dinas Pendidikan) ---
    "puja_indah.modules.epintar.module:EpintarModule",
    # --- e-minduk (civil-registration requests) ---
    "puja_indah.modules.eminduk.module:EmindukModule",
)


def register_modules(app: Flask) -> None:
    from puja_indah.core import registry

    builtins = []
    for path in BUILTIN_MODULES:
        module_name, _sep, class_name = path.partition(":")
        builtins.append(getattr(importlib.import_module(module_name), class_name))
    # A module may bring its own API (`ServiceModule.api_blueprints`), mounted like ours.
    registry.install(app, builtins, register_api=register_api_blueprint)


ERROR_TEXT = {
    400: (_l("Bad request"), _l("The request could not be understood. Check what you entered.")),
    403: (_l("Access denied"), _l("Your role does not allow this page or action.")),
    404: (_l("Not found"), _l("The page or data you asked for does not exist or is not yours.")),
    405: (_l("Not allowed"), _l("This address does not accept that kind of request.")),
    413: (_l("File too large"), _l("What you sent is larger than the allowed size.")),
    429: (_l("Too many requests"), _l("Please wait a moment before trying again.")),
    500: (_l("Something went wrong"), _l("The error has been recorded. Please try again later.")),
}


def register_error_handlers(app: Flask) -> None:
    def render_error(code: int) -> tuple[str, int]:
        title, text = ERROR_TEXT.get(code, ERROR_TEXT[500])
        # A request refused before routing (an untrusted Host) has no URL adapter: the bare page
        # builds no links.
        template = "errors/error.html" if request_ctx.url_adapter else "errors/bare.html"
        return render_template(template, code=code, title=title, text=text), code

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        code = error.code or 500
        if code in (301, 302, 303, 307, 308):
            return error
        if request.path.startswith(API_PATH_PREFIX):
            return problem_response(error)
        if code == 400 and "CSRF" in str(error.description) and request_ctx.url_adapter:
            return render_template(
                "errors/error.html",
                code=400,
                title=_("Form expired"),
                text=_("The form has expired or was sent from elsewhere. Reload and try again."),
            ), 400
        return render_error(code)

    @app.errorhandler(tenancy.TenancyViolation)
    def tenancy_violation(error: tenancy.TenancyViolation) -> Any:
        db.session.rollback()
        audit.record_refusal(str(error)[:60])
        if request.path.startswith(API_PATH_PREFIX):
            return problem_response(Forbidden())
        return render_error(403)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Any:
        app.logger.exception("Unhandled error")
        db.session.rollback()
        if request.path.startswith(API_PATH_PREFIX):
            return problem_response(InternalServerError())
        return render_error(500)


def module_on(code: str) -> bool:
    """`{% if module_on('etracking') %}` in templates: the signed-in agency runs that module.
    One query per request, however many links ask."""
    from puja_indah.core import registry

    scope = tenancy.current_scope()
    if scope.kind != "agency" or scope.agency_id is None:
        return False
    if "enabled_modules" not in g:
        g.enabled_modules = registry.enabled_codes(scope.agency_id)
    return code in g.enabled_modules and registry.get(code) is not None


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.globals.update(
        can=template_can, current_language=current_language, module_on=module_on
    )
    app.jinja_env.filters["rupiah"] = format_rupiah
    app.jinja_env.filters["score"] = format_score
    app.jinja_env.filters["local_dt"] = format_local_datetime
    app.jinja_env.filters["role_label"] = role_label

    @app.context_processor
    def scope_context() -> dict[str, Any]:
        return {
            "scope": tenancy.current_scope(),
            "active_membership": g.get("membership"),
            **_gettext_for(get_translations()),
        }


def _gettext_for(translations: Any) -> dict[str, Any]:
    """Jinja's newstyle `_`/`gettext`/`ngettext` (autoescaped, always %-formatted: the same
    behaviour as the i18n extension's) bound to this render's catalogue. Flask-Babel's globals
    look the catalogue up again on every call — hundreds per page, a fifth of a cached page's
    time. Context variables win over the globals; macros imported without context keep using
    the globals, with the same result."""

    @pass_context
    def gettext(context: Any, message: str, /, **variables: Any) -> Any:
        text = translations.ugettext(message)
        if context.eval_ctx.autoescape:
            text = Markup(text)  # noqa: S704 - our own catalogue, formatted with escaped values
        return text % variables  # Markup stays Markup: not escaped twice

    @pass_context
    def ngettext(context: Any, singular: str, plural: str, num: int, /, **variables: Any) -> Any:
        variables.setdefault("num", num)
        text = translations.ungettext(singular, plural, num)
        if context.eval_ctx.autoescape:
            text = Markup(text)  # noqa: S704 - as above
        return text % variables  # Markup stays Markup: not escaped twice

    return {"_": gettext, "gettext": gettext, "ngettext": ngettext}


CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def init_security_headers(app: Flask) -> None:
    production = bool(app.config.get("SESSION_COOKIE_SECURE"))
    Talisman(
        app,
        force_https=production,
        strict_transport_security=production,
        session_cookie_secure=production,
        content_security_policy=CSP,
        content_security_policy_nonce_in=["script-src"],
        referrer_policy="same-origin",
        frame_options="DENY",
        permissions_policy={"geolocation": "()", "microphone": "()", "camera": "(self)"},
    )

    @app.after_request
    def no_store_when_signed_in(response: Any) -> Any:
        # Whatever a signed-in user is shown (pages, JSON, downloads, error pages) may be private:
        # neither the browser nor a proxy may keep it, whatever the view or send_file() set
        # ("no-cache" still stores). Exempt: static files and answers the view marked public (the
        # same for everyone: API docs assets, a published document).
        if (
            not _same_for_everyone(response)
            and "no-store" not in (response.headers.get("Cache-Control") or "")
            and getattr(current_user, "is_authenticated", False)
        ):
            response.headers["Cache-Control"] = "no-store"
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response


def _same_for_everyone(response: Any) -> bool:
    endpoint = request.endpoint or ""
    return (
        endpoint == "static" or endpoint.endswith(".static") or bool(response.cache_control.public)
    )
