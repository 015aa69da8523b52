"""Roles and policy: every `can_*()` decision lives here and is used by views and templates alike.

A policy function takes the current `Scope` (and the object when there is one) and answers yes or
no. Views declare theirs with `@requires(can_...)`; templates call the same functions through the
`can` global. Object visibility across agencies is the tenancy layer's job; these functions decide
what a role may *do* inside the scope it is in.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from puja_indah.core.models import Agency, Membership, RegionManaged, Role, User
from puja_indah.core.tenancy import Scope, current_scope

F = TypeVar("F", bound=Callable[..., Any])
Policy = Callable[[Scope], bool]


def _signed_in() -> bool:
    return bool(getattr(current_user, "is_authenticated", False))


# --- policies without an object ------------------------------------------------------------------


def can_use_app(scope: Scope) -> bool:
    """Any signed-in user in any scope."""
    return _signed_in() and scope.kind in ("agency", "region", "national")


def can_edit_own_agency_content(scope: Scope) -> bool:
    return _signed_in() and scope.kind == "agency" and not scope.read_only


def can_manage_agency_officers(scope: Scope) -> bool:
    return _signed_in() and scope.kind == "agency" and scope.role is Role.AGENCY_LEAD


def can_manage_region(scope: Scope) -> bool:
    """Agencies, decrees, appointments and agency accounts of a region (monitor, admin)."""
    if not _signed_in() or scope.read_only:
        return False
    return scope.role in (Role.REGION_MONITOR, Role.PLATFORM_ADMIN)


def can_manage_users(scope: Scope) -> bool:
    return can_manage_region(scope) or can_manage_agency_officers(scope)


def can_manage_platform(scope: Scope) -> bool:
    return _signed_in() and scope.role is Role.PLATFORM_ADMIN and not scope.read_only


def can_manage_modules(scope: Scope) -> bool:
    """Switch service modules on or off: an agency's lead for its agency, a monitor for its
    region's agencies, an administrator for any."""
    if not _signed_in() or scope.read_only:
        return False
    if scope.kind == "agency":
        return scope.role is Role.AGENCY_LEAD
    return scope.role in (Role.REGION_MONITOR, Role.PLATFORM_ADMIN)


def can_work_desk(scope: Scope) -> bool:
    """Work at a service desk of one's agency (e-tracking intake and stages): its officers and
    lead. Which stage a role may act on is the process definition's business."""
    return can_edit_own_agency_content(scope) and scope.role in (
        Role.AGENCY_OFFICER,
        Role.AGENCY_LEAD,
    )


def can_view_desk(scope: Scope) -> bool:
    """Read one's agency's desk (its files, queues, a file's history): its officers and lead,
    also in a read-only scope (an API read token), where `can_work_desk` refuses."""
    return (
        _signed_in()
        and scope.kind == "agency"
        and scope.role in (Role.AGENCY_OFFICER, Role.AGENCY_LEAD)
    )


def can_configure_desk(scope: Scope) -> bool:
    """Set up an agency's desk (install a process, office hours, SLAs): the agency's lead."""
    return can_manage_agency_officers(scope) and not scope.read_only


# --- e-tracking: the submitting agency's view and notifications ---
def can_view_submitted_files(scope: Scope) -> bool:
    """The files one's agency submitted to a desk (any desk, even where the agency runs no
    module): officers and leads of the submitting agency."""
    return _signed_in() and scope.kind == "agency" and scope.agency_id is not None


def can_subscribe_submitted_files(scope: Scope) -> bool:
    """Ask for e-mail when a file one's agency submitted changes stage."""
    return can_view_submitted_files(scope) and not scope.read_only


# --- e-tracking settings: collective leave --------------------------------------------------------


def can_view_collective_leave(scope: Scope) -> bool:
    """The region's collective-leave days: managed by its monitor (or an administrator), read by
    the desk staff whose SLA clock skips them."""
    return can_manage_region(scope) or can_work_desk(scope)


def can_edit_reference(scope: Scope) -> bool:
    """The national reference lists (urusan, themes, initiator kinds): monitors and admins."""
    if not _signed_in() or scope.read_only:
        return False
    return scope.role in (Role.REGION_MONITOR, Role.PLATFORM_ADMIN)


def can_read_across_agencies(scope: Scope) -> bool:
    return _signed_in() and scope.kind in ("region", "national")


def can_export(scope: Scope) -> bool:
    """Ask for an export, follow its job and download its file: anyone signed in with a role,
    in the scope they work in. What the file holds is the tenancy layer's business (the export
    runs in the asker's scope); whose job it is, is the view's (the asker's only)."""
    return (
        _signed_in() and scope.kind in ("agency", "region", "national") and scope.role is not None
    )


def can_view_audit(scope: Scope) -> bool:
    """Monitors see their region's log, leads their agency's, reviewers and admins all of it."""
    if not _signed_in():
        return False
    return scope.role in (
        Role.AGENCY_LEAD,
        Role.REGION_MONITOR,
        Role.NATIONAL_REVIEWER,
        Role.PLATFORM_ADMIN,
    )


# --- reviews (Kemendagri reviewer workspace) ---------------------------------------------------


def can_view_reviews(scope: Scope) -> bool:
    """The reviewer workspace and review pages: national reviewers, and platform administrators
    who read them (to support reviewers and answer agencies), every region."""
    return (
        _signed_in()
        and scope.kind == "national"
        and scope.role
        in (
            Role.NATIONAL_REVIEWER,
            Role.PLATFORM_ADMIN,
        )
    )


def can_review(scope: Scope) -> bool:
    """Record a review decision: national reviewers only. A platform administrator views the
    workspace but does not decide — a verdict on an agency's claim is Kemendagri's judgement of the
    evidence, and an administrator runs the platform; letting the account that can grant itself any
    role also write verdicts would leave no line between running the system and assessing the
    regions. The flush guard (core/tenancy.py, `reviewer_writes`) holds the same line."""
    return _signed_in() and scope.kind == "national" and scope.role is Role.NATIONAL_REVIEWER


# --- the progress board (issue 5) ---------------------------------------------------------------


def can_view_board(scope: Scope) -> bool:
    """The progress board of a region: its monitor (own region), national reviewers and platform
    administrators (any region, read-only for reviewers). Agency staff see their own pages."""
    return _signed_in() and scope.role in (
        Role.REGION_MONITOR,
        Role.NATIONAL_REVIEWER,
        Role.PLATFORM_ADMIN,
    )


def can_configure_board(scope: Scope, region_id: int | None = None) -> bool:
    """The board's settings (days until an agency counts as stale): the monitor of that region,
    or a platform administrator. Without a region: whether the role may configure any."""
    if not _signed_in() or scope.read_only:
        return False
    if scope.role is Role.PLATFORM_ADMIN:
        return True
    if scope.role is not Role.REGION_MONITOR:
        return False
    return region_id is None or scope.region_id == region_id


# --- policies on an object -----------------------------------------------------------------------


def can_view_agency(scope: Scope, agency: Agency) -> bool:
    if not _signed_in():
        return False
    if scope.kind == "agency":
        return agency.id == scope.agency_id
    if scope.kind == "region":
        return agency.region_id == scope.region_id
    return scope.kind == "national"


def can_view_managed(scope: Scope, obj: RegionManaged) -> bool:
    """Region-managed rows (agencies, decrees, appointments) are read within the region."""
    if not _signed_in():
        return False
    if scope.kind == "national":
        return True
    region_id = obj.owning_region_id()
    if scope.kind == "region":
        return region_id == scope.region_id
    if scope.kind == "agency":
        return _agency_region_id(scope) == region_id
    return False


def can_edit_managed(scope: Scope, obj: RegionManaged) -> bool:
    if scope.kind == "system":  # CLI commands and jobs: the row's own rule decides
        return obj.writable_in(scope)
    return can_manage_region(scope) and obj.writable_in(scope)


def can_manage_account(scope: Scope, target: User) -> bool:
    """Lock, unlock or reset the password of `target`: every membership of the target must be one
    the actor may manage (a monitor cannot lock an admin or another region's officer)."""
    if not can_manage_users(scope):
        return False
    if getattr(current_user, "id", None) == target.id:
        return False  # one's own account changes through the password page only
    if scope.role is Role.PLATFORM_ADMIN:
        return True
    return bool(target.memberships) and all(
        _membership_manageable(scope, m) for m in target.memberships
    )


def _membership_manageable(scope: Scope, membership: Membership) -> bool:
    return membership.writable_in(scope)


def _agency_region_id(scope: Scope) -> int | None:
    from puja_indah.extensions import db

    if scope.agency_id is None:
        return None
    agency = db.session.get(Agency, scope.agency_id)
    return agency.region_id if agency else None


def can_edit_innovations(scope: Scope) -> bool:
    """Create innovation profiles: officers and leads of an agency, for their own agency."""
    return can_edit_own_agency_content(scope)


def can_edit_innovation(scope: Scope, innovation: Any) -> bool:
    """Change one innovation (profile, stage, publication): its own agency's officers and leads.
    Monitors and reviewers read innovations (the tenancy layer decides which) and never write."""
    return can_edit_own_agency_content(scope) and (
        getattr(innovation, "agency_id", None) == scope.agency_id
    )


# --- e-minduk (civil-registration requests): who reads them, who sees a full NIK --------------


def can_view_civil_requests(scope: Scope) -> bool:
    """The request list and a request's page: the desk's staff, and the readers across agencies
    (monitor of the region, reviewer, admin), who see the NIK masked."""
    return can_work_desk(scope) or can_read_across_agencies(scope)


def can_see_full_nik(scope: Scope, agency_id: int | None = None) -> bool:
    """The full NIK (screens, the hand-over CSV): the staff who work the desk of the agency that
    holds the request — its officers and lead, in a writable agency scope. They register the
    request with the resident and hand it to the national registry operator, so they need it;
    nobody else does. Monitors, reviewers and administrators always see it masked; the audit
    trail and public pages never hold it. (A per-user permission would need a new table for a
    distinction the demo agency does not make, so the desk role is the line.)"""
    if not can_work_desk(scope):
        return False
    return agency_id is None or agency_id == scope.agency_id


# --- view decorator ------------------------------------------------------------------------------


def requires(policy: Policy) -> Callable[[F], F]:
    """Refuse the view unless `policy(current_scope())` holds: sign-in page for anonymous users,
    403 for a signed-in user whose role may not. The policy is recorded on the view so that the
    route-matrix test can list every route's policy."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not _signed_in():
                from puja_indah.extensions import login_manager

                return login_manager.unauthorized()
            if not policy(current_scope()):
                from puja_indah.core.audit import record_refusal

                record_refusal(policy.__name__)
                abort(403)
            return view(*args, **kwargs)

        wrapper.policy = policy  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def public(view: F) -> F:
    """Mark a view as deliberately open to anonymous visitors (the route matrix checks marks)."""
    view.policy = None  # type: ignore[attr-defined]
    return view


TEMPLATE_POLICIES: dict[str, Callable[..., bool]] = {
    name: fn for name, fn in globals().items() if name.startswith("can_") and callable(fn)
}


def template_can(name: str, *args: Any) -> bool:
    """`{% if can('manage_region') %}` in templates: same functions as the views."""
    return TEMPLATE_POLICIES[f"can_{name}"](current_scope(), *args)


ROLE_LABELS: dict[Role, Any] = {}


def role_label(role: Role) -> str:
    """A role's name in the user's language."""
    from flask_babel import lazy_gettext as _l

    if not ROLE_LABELS:
        ROLE_LABELS.update(
            {
                Role.AGENCY_OFFICER: _l("Innovation officer"),
                Role.AGENCY_LEAD: _l("Agency lead"),
                Role.REGION_MONITOR: _l("Region monitor (Diskominfos)"),
                Role.NATIONAL_REVIEWER: _l("National reviewer (Kemendagri)"),
                Role.PLATFORM_ADMIN: _l("Platform administrator"),
            }
        )
    return str(ROLE_LABELS[Role(role)])


M = TypeVar("M", bound=RegionManaged)
MAX_ID = 2**31 - 1


def get_managed_or_404(model: type[M], object_id: int) -> M:
    """Load a region-managed row (agency, decree, appointment) the current scope may read; any
    other id — unknown, or another region's — answers 404 and so reveals nothing."""
    from puja_indah.extensions import db

    if not 0 < object_id <= MAX_ID:
        abort(404)  # beyond any row, and beyond what the database's integer can hold
    obj = db.session.get(model, object_id)
    if obj is None or not can_view_managed(current_scope(), obj):
        abort(404)
    return obj
