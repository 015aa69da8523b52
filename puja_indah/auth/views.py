"""Sign in/out, password change, language and scope switch. Thin: services do the work."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from wtforms import SelectChoice

from puja_indah.auth import services, tokens
from puja_indah.auth.forms import (
    ChangePasswordForm,
    LanguageForm,
    LoginForm,
    RevokeTokenForm,
    ScopeForm,
    TokenForm,
)
from puja_indah.auth.models import TokenScope
from puja_indah.auth.sessions import ROLE_PRIORITY, active_membership
from puja_indah.core import audit
from puja_indah.core.db import utcnow
from puja_indah.core.models import Membership
from puja_indah.core.passwords import verify_password
from puja_indah.core.permissions import MAX_ID, can_use_app, public, requires, role_label
from puja_indah.extensions import db, limiter

bp = Blueprint("auth", __name__, template_folder="templates")


def _client_ip() -> str:
    return request.remote_addr or ""


def _safe_next(target: str | None) -> str:
    # Only local paths: an open redirect would let a phishing link borrow our sign-in page.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("home.index")


@bp.route("/masuk", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])
@public
def login() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        email, password = form.email.data or "", form.password.data or ""
        throttle = services.check_throttle(email, _client_ip())
        if throttle.blocked:
            services.record_failure(email, _client_ip())
            db.session.commit()
            flash(
                _(
                    "Too many failed sign-ins. Try again in %(minutes)d minutes.",
                    minutes=throttle.retry_minutes,
                ),
                "danger",
            )
            return render_template("auth/login.html", form=form), 429
        user = services.authenticate(email, password)
        if user is None or not user.is_active:
            services.record_failure(email, _client_ip())
            db.session.commit()
            message = (
                _("This account is locked. Ask your Diskominfos administrator.")
                if user is not None
                else _("The e-mail or password is wrong.")
            )
            flash(message, "danger")
            return render_template("auth/login.html", form=form), 200
        session.clear()  # a fresh cookie session for a fresh login (no fixation)
        services.open_session(user, _client_ip(), request.headers.get("User-Agent", ""))
        db.session.commit()
        login_user(user)
        session.permanent = True
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/keluar", methods=["POST"])
@requires(can_use_app)
def logout() -> Any:
    services.end_all_sessions(current_user, "signed_out")
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have signed out on every device."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/akun/kata-sandi", methods=["GET", "POST"])
@requires(can_use_app)
def change_password() -> Any:
    form = ChangePasswordForm()
    form.account_email = current_user.email
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current_password.data or ""):
            form.current_password.errors = [_("The current password is wrong.")]
        else:
            user = current_user._get_current_object()
            services.change_password(user, form.new_password.data or "")
            services.open_session(user, _client_ip(), request.headers.get("User-Agent", ""))
            db.session.commit()
            session.clear()
            login_user(user)
            session.permanent = True
            flash(_("Password changed. Other devices have been signed out."), "success")
            return redirect(url_for("home.index"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/bahasa", methods=["POST"])
@public
def set_language() -> Any:
    form = LanguageForm()
    if form.validate_on_submit():
        language = form.language.data
        session["locale"] = language
        if current_user.is_authenticated:
            current_user.locale = language
            db.session.commit()
    return redirect(_safe_next(request.form.get("next")))


@bp.route("/akun/peran", methods=["POST"])
@requires(can_use_app)
def switch_scope() -> Any:
    form = ScopeForm()
    form.membership.choices = [
        SelectChoice(str(m.id), m.role.value) for m in current_user.memberships
    ]
    login = g.get("login_session")
    if (
        form.validate_on_submit()
        and login is not None
        and services.choose_membership(login, form.membership.data)
    ):
        audit.append(
            db.session,
            action="scope_switched",
            object_type="Membership",
            object_id=str(form.membership.data),
        )
        db.session.commit()
        return redirect(url_for("home.index"))
    flash(_("That role is not yours."), "danger")
    return redirect(url_for("home.index"))


# --- personal access tokens (the API's keys) ------------------------------------------------------


def membership_label(membership: Membership) -> str:
    """The role and where it works: "Innovation officer · BKD", "Region monitor … · Bombana"."""
    where = ""
    if membership.agency is not None:
        where = membership.agency.short_name or membership.agency.name
    elif membership.region is not None:
        where = membership.region.name
    label = str(role_label(membership.role))
    return f"{label} · {where}" if where else label


def _token_form(user: Any) -> TokenForm:
    form = TokenForm()
    memberships = sorted(user.memberships, key=lambda m: ROLE_PRIORITY.index(m.role.value))
    form.membership.choices = [SelectChoice(m.id, membership_label(m)) for m in memberships]
    form.days.choices = [
        SelectChoice(days, _("%(days)d days", days=days)) for days in tokens.EXPIRY_CHOICES
    ]
    if request.method == "GET":
        active = active_membership(user)
        if active is not None:
            form.membership.data = active.id
    return form


def _token_page(form: TokenForm, *, created: Any = None, secret: str = "") -> Any:
    user = current_user._get_current_object()
    rows = tokens.tokens_of(user)
    now = utcnow()
    response = make_response(
        render_template(
            "auth/tokens.html",
            form=form,
            rows=[(token, tokens.status(token, now)) for token in rows],
            membership_label=membership_label,
            revoke_form=RevokeTokenForm(formdata=None),
            created=created,
            secret=secret,
        )
    )
    # The page may carry a token's secret: no cache (browser or proxy) may keep a copy.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/akun/token", endpoint="tokens", methods=["GET", "POST"])
@requires(can_use_app)
def token_page() -> Any:
    """The signed-in user's API tokens and the form to make one. The new token's secret is shown
    in this POST's own answer, once: it is never stored, flashed into the session or redirected
    to, so reloading or going back cannot show it again."""
    user = current_user._get_current_object()
    form = _token_form(user)
    if form.validate_on_submit():
        membership = next(m for m in user.memberships if m.id == form.membership.data)
        token, secret = tokens.create(
            user,
            membership,
            form.name.data or "",
            TokenScope(form.scope.data),
            int(form.days.data),
        )
        db.session.commit()
        fresh = _token_form(user)
        fresh.membership.data = membership.id
        fresh.name.data = ""
        return _token_page(fresh, created=token, secret=secret)
    return _token_page(form)


@bp.route(f"/akun/token/<int(max={MAX_ID}):token_id>/cabut", methods=["POST"])
@requires(can_use_app)
def revoke_token(token_id: int) -> Any:
    user = current_user._get_current_object()
    token = tokens.token_of(user, token_id)
    if token is None:
        abort(404)
    if RevokeTokenForm().validate_on_submit():
        if tokens.revoke(user, token.id):
            db.session.commit()
            flash(
                _("Token %(name)s revoked: it no longer opens the API.", name=token.name), "success"
            )
        else:
            flash(_("This token was already revoked."), "info")
    return redirect(url_for("auth.tokens"))


__all__ = ["ROLE_PRIORITY", "bp"]
