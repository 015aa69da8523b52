"""Sign in/out, password change, language and scope switch. Thin: services do the work."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from wtforms import SelectChoice

from puja_indah.auth import services
from puja_indah.auth.forms import ChangePasswordForm, LanguageForm, LoginForm, ScopeForm
from puja_indah.auth.sessions import ROLE_PRIORITY
from puja_indah.core import audit
from puja_indah.core.passwords import verify_password
from puja_indah.core.permissions import can_use_app, public, requires
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


__all__ = ["ROLE_PRIORITY", "bp"]
