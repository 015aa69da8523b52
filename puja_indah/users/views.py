"""Account management: monitors manage their region's agency accounts, leads their officers,
platform administrators everyone. Thin: queries read, services write, the view commits once.

An account the actor may not manage (another region's, an administrator's, the actor's own)
answers 404 on every screen, exactly like an unknown id.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from wtforms import SelectChoice

from puja_indah.audit.queries import entries_about
from puja_indah.auth.services import open_session_count
from puja_indah.core import region_filter
from puja_indah.core.models import Membership, Role, User
from puja_indah.core.permissions import can_manage_users, requires, role_label
from puja_indah.core.tenancy import Scope, current_scope
from puja_indah.extensions import db
from puja_indah.users import queries, services
from puja_indah.users.forms import ActionForm, AddRoleForm, CreateUserForm, UserFilterForm

bp = Blueprint("users", __name__, template_folder="templates")

# Ids beyond a 32-bit integer cannot exist; refusing them early keeps the databases from raising.
MAX_ID = 2**31 - 1
MAX_PAGE = 10_000


def _page() -> int:
    page = request.args.get("page", 1, type=int) or 1
    return min(max(page, 1), MAX_PAGE)


def _actor_id() -> int | None:
    return getattr(current_user, "id", None)


def _target_or_404(user_id: int) -> User:
    if not 0 < user_id <= MAX_ID:
        abort(404)
    user = queries.get_manageable_user(current_scope(), _actor_id(), user_id)
    if user is None:
        abort(404)
    return user


def _fill_grant_choices(form: CreateUserForm | AddRoleForm, options: queries.GrantOptions) -> None:
    """The roles, and the agencies and regions the scope may grant in. A national administrator
    chooses a region first, then gets only its active agencies (core/region_filter.py); call
    before the form validates."""
    form.role.choices = [SelectChoice("", _("— choose a role —"))] + [
        SelectChoice(role.value, role_label(role)) for role in options.roles
    ]
    no_agency = SelectChoice("", _("— no agency —"))
    if not options.by_region:
        del form.show_agencies
        form.agency.choices = [no_agency] + [
            SelectChoice(str(a.id), a.name) for a in options.agencies
        ]
        form.region.choices = [SelectChoice("", _("— no region —"))]
        return
    region_sent = form.region.data is not None or bool(form.region.process_errors)
    region_filter.region_then_agency(
        form.region,
        form.agency,
        no_agency,
        SelectChoice("", _("— no region —")),
        # An inactive agency takes no new accounts.
        agencies=lambda region_id: region_filter.agency_choices(
            region_id, no_agency, active_only=True
        ),
        every_region=True,  # a monitor may be granted a region without agencies yet
        hint=str(region_filter.FORM_HINT),
    )
    if not region_sent and form.chosen_role() is Role.REGION_MONITOR:
        # An old form with only an agency names no region to monitor: it is never guessed.
        form.region.data = None


def _apply_error(form: Any, error: services.AccountError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "danger")


# --- list and create -----------------------------------------------------------------------------


@bp.route("/pengguna")
@requires(can_manage_users)
def list_users() -> Any:
    scope = current_scope()
    options = queries.grant_options(scope)
    form = UserFilterForm(formdata=request.args)
    form.role.choices = [SelectChoice("", _("All roles"))] + [
        SelectChoice(r.value, role_label(r)) for r in options.roles
    ]
    all_agencies = SelectChoice("", _("All agencies"))
    if options.by_region:
        # A region first, then only its agencies: never every agency of the country as options.
        region_filter.region_then_agency(
            form.region,
            form.agency,
            all_agencies,
            SelectChoice("", _("All regions")),
            hint=_("Choose a region and press Search: its agencies appear here."),
        )
        show_agency_filter = True
    else:
        del form.region
        agencies = queries.filter_agencies(scope)
        form.agency.choices = [all_agencies] + [SelectChoice(str(a.id), a.name) for a in agencies]
        show_agency_filter = len(agencies) > 1
    filters = queries.UserFilters()
    if form.validate():
        filters = queries.UserFilters(
            text=(form.q.data or "").strip(),
            role=Role(form.role.data) if form.role.data else None,
            region_id=form.region.data if "region" in form else None,
            agency_id=form.agency.data,
        )
    page = queries.list_users(scope, _actor_id(), filters, _page())
    args = {k: v for k, v in (("q", filters.text), ("role", form.role.data)) if v}
    for name, value in (("region", filters.region_id), ("agency", filters.agency_id)):
        if value:
            args[name] = str(value)
    return render_template(
        "users/list.html",
        form=form,
        page=page,
        pager_args=args,
        show_role_filter=len(options.roles) > 1 or bool(form.role.errors),
        show_agency_filter=show_agency_filter or bool(form.agency.errors),
    )


@bp.route("/pengguna/baru", methods=["GET", "POST"])
@requires(can_manage_users)
def create_user() -> Any:
    scope = current_scope()
    options = queries.grant_options(scope)
    form = CreateUserForm()
    _fill_grant_choices(form, options)
    # "Show its agencies" brings the form back with the chosen region's agencies, nothing saved.
    showing = region_filter.showing_agencies(form, form.region, form.agency)
    if not showing and form.validate_on_submit():
        try:
            user, password = services.create_account(
                scope,
                name=form.name.data or "",
                email=form.email.data or "",
                role=Role(form.role.data),
                agency=options.agency(form.agency.data),
                region=options.region(form.region.data),
            )
        except services.AccountError as error:
            _apply_error(form, error)
        except services.NotPermitted:
            abort(403)
        except IntegrityError:
            # Another request created the same e-mail between our check and the insert.
            db.session.rollback()
            form.email.errors = [*form.email.errors, str(services.DUPLICATE_EMAIL)]
        else:
            db.session.commit()
            # Rendered, not redirected: the password exists only in this one response.
            return render_template("users/password.html", user=user, password=password, new=True)
    return render_template("users/create.html", form=form)


# --- one account ---------------------------------------------------------------------------------


def _render_detail(user: User, add_form: AddRoleForm | None = None) -> str:
    scope = current_scope()
    if add_form is None:
        add_form = AddRoleForm(formdata=None)
        _fill_grant_choices(add_form, queries.grant_options(scope))
    return render_template(
        "users/detail.html",
        user=user,
        open_sessions=open_session_count(user),
        entries=entries_about(scope, "User", str(user.id)),
        add_form=add_form,
        # A lead can grant one role only, which every officer it manages already holds.
        can_add_role=_can_add_role(scope),
        can_remove_role=len(user.memberships) > 1,
    )


def _can_add_role(scope: Scope) -> bool:
    return scope.kind != "agency"


@bp.route("/pengguna/<int:user_id>")
@requires(can_manage_users)
def user_detail(user_id: int) -> Any:
    return _render_detail(_target_or_404(user_id))


@bp.route("/pengguna/<int:user_id>/kunci", methods=["POST"])
@requires(can_manage_users)
def lock_user(user_id: int) -> Any:
    user = _target_or_404(user_id)
    if ActionForm().validate_on_submit():
        if services.lock_account(user):
            db.session.commit()
            flash(_("Account locked. The user has been signed out on every device."), "success")
        else:
            flash(_("This account is already locked."), "info")
    return redirect(url_for("users.user_detail", user_id=user.id))


@bp.route("/pengguna/<int:user_id>/buka", methods=["POST"])
@requires(can_manage_users)
def unlock_user(user_id: int) -> Any:
    user = _target_or_404(user_id)
    if ActionForm().validate_on_submit():
        was_locked = services.unlock_account(user)
        db.session.commit()
        if was_locked:
            flash(_("Account unlocked. Failed sign-in attempts have been cleared."), "success")
        else:
            flash(_("Failed sign-in attempts have been cleared."), "success")
    return redirect(url_for("users.user_detail", user_id=user.id))


@bp.route("/pengguna/<int:user_id>/reset-sandi", methods=["POST"])
@requires(can_manage_users)
def reset_password(user_id: int) -> Any:
    user = _target_or_404(user_id)
    if not ActionForm().validate_on_submit():
        return redirect(url_for("users.user_detail", user_id=user.id))
    password = services.reset_password(user)
    db.session.commit()
    return render_template("users/password.html", user=user, password=password, new=False)


@bp.route("/pengguna/<int:user_id>/peran", methods=["POST"])
@requires(can_manage_users)
def add_role(user_id: int) -> Any:
    user = _target_or_404(user_id)
    scope = current_scope()
    options = queries.grant_options(scope)
    form = AddRoleForm()
    _fill_grant_choices(form, options)
    if region_filter.showing_agencies(form, form.region, form.agency):
        # The account's page again, its add-role form now offering the chosen region's agencies.
        return _render_detail(user, form)
    if form.validate_on_submit():
        try:
            membership = services.grant_role(
                scope,
                user,
                Role(form.role.data),
                agency=options.agency(form.agency.data),
                region=options.region(form.region.data),
            )
        except services.AccountError as error:
            flash(error.message, "danger")
        except services.NotPermitted:
            abort(403)
        except IntegrityError:
            db.session.rollback()
            flash(_("This account already has that role."), "danger")
        else:
            db.session.commit()
            flash(_("Role added: %(role)s.", role=_membership_label(membership)), "success")
    else:
        for field in (form.role, form.agency, form.region):
            for message in field.errors:
                flash(f"{field.label.text}: {message}", "danger")
    return redirect(url_for("users.user_detail", user_id=user.id))


@bp.route("/pengguna/<int:user_id>/peran/<int:membership_id>/hapus", methods=["POST"])
@requires(can_manage_users)
def remove_role(user_id: int, membership_id: int) -> Any:
    user = _target_or_404(user_id)
    membership = next((m for m in user.memberships if m.id == membership_id), None)
    if membership is None:
        abort(404)
    if ActionForm().validate_on_submit():
        label = _membership_label(membership)
        try:
            services.revoke_role(current_scope(), user, membership)
        except services.AccountError as error:
            flash(error.message, "danger")
        except services.NotPermitted:
            abort(404)
        else:
            db.session.commit()
            flash(_("Role removed: %(role)s.", role=label), "success")
    return redirect(url_for("users.user_detail", user_id=user.id))


def _membership_label(membership: Membership) -> str:
    where = membership.agency or membership.region
    label = role_label(membership.role)
    return f"{label} · {where}" if where is not None else label
