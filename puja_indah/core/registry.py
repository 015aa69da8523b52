"""Service modules (ARCHITECTURE §4): how an agency runs its innovation on the platform.

A module is a `ServiceModule` subclass with a stable `code` (stored in the database), a name, the
codes it `requires`, its blueprint, optionally its JSON API (`api_blueprints()`), `enabled()/
disabled()` hooks and `metrics(agency_id)` / `metrics_many(agency_ids)` that feed the
innovation's evidence and the progress board (the board asks once per module for all its
agencies). Modules come from two places, registered the same way: the built-in list the app
assembles (puja_indah/web.py) and the `puja_indah.modules` entry-point group, so a separately
installed package adds a module without touching core.

Whether a module is on is a row per agency (`ModuleActivation`); a module's routes answer 404 for
an agency that has it off (`ServiceModule.guard`, installed on its blueprint and on its API
blueprints alike).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any, ClassVar

from flask import Blueprint, Flask, abort, current_app, request
from sqlalchemy import (
    JSON,
    ColumnElement,
    ForeignKey,
    SQLColumnExpression,
    String,
    UniqueConstraint,
    and_,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from puja_indah.core.db import Base, TimestampMixin, utcnow
from puja_indah.core.models import Agency, RegionManaged, Role, User
from puja_indah.core.tenancy import Scope, current_scope

if TYPE_CHECKING:
    from flask_wtf import FlaskForm

ENTRY_POINT_GROUP = "puja_indah.modules"


@dataclass(frozen=True)
class Metric:
    """One figure a module reports for an agency (board and evidence)."""

    key: str
    label: str
    value: float | int | None
    unit: str = ""
    # The IID indicator the figure is evidence for (e.g. 28 days to result, 33 users served).
    indicator: int | None = None


class ServiceModule:
    code: ClassVar[str]
    name: ClassVar[Any]  # a lazy translated string
    description: ClassVar[Any] = ""
    requires: ClassVar[tuple[str, ...]] = ()
    blueprint: ClassVar[Blueprint | None] = None
    url_prefix: ClassVar[str | None] = None
    # Pages that must answer whether or not the visitor's own agency runs the module — the
    # public status page, the submitting agency's list — mounted at their own prefix, unguarded:
    # their views check the owning agency's activation themselves (`require_enabled`).
    open_blueprints: ClassVar[tuple[Blueprint, ...]] = ()
    settings_form: ClassVar[type[FlaskForm] | None] = None

    def enabled(self, agency_id: int) -> None:
        """Called (inside the request's transaction) right after the module is switched on."""

    def disabled(self, agency_id: int) -> None:
        """Called right after the module is switched off; data is kept."""

    def api_blueprints(self) -> Sequence[Blueprint]:
        """The module's own JSON API: flask-smorest blueprints (Flask blueprints with their full
        `/api/v1/…` prefix) that the app hands to its API (`install(register_api=…)`), so they
        appear in the OpenAPI document. Guarded like `blueprint`: 404 for an agency that has the
        module off. Called once, when the app is assembled; by default the module has none."""
        return ()

    def metrics(self, agency_id: int) -> list[Metric]:
        return []

    def metrics_many(self, agency_ids: Sequence[int]) -> dict[int, list[Metric]]:
        """`metrics()` of each agency, for the progress board: a module answers with a fixed
        number of grouped queries, whatever the number of agencies (the built-in modules do).
        The fallback, for a module that only has `metrics()`, asks one agency at a time; a
        module without metrics costs nothing."""
        if type(self).metrics is ServiceModule.metrics:
            return {}
        return {agency_id: self.metrics(agency_id) for agency_id in agency_ids}

    def last_activity(self, agency_ids: Sequence[int]) -> dict[int, datetime]:
        """When each agency's staff last worked in the module (a desk step, a published notice),
        for the progress board's staleness: one grouped query for all the agencies, read in the
        caller's scope. Agencies without any such work are left out."""
        return {}

    def innovation_id(self, agency_id: int) -> int | None:
        """The innovation the module's metrics are evidence for: the agency's choice stored in
        its activation's settings (`innovation_id`); modules may fall back to another."""
        from puja_indah.extensions import db

        settings = db.session.scalar(
            select(ModuleActivation.settings).where(
                ModuleActivation.agency_id == agency_id, ModuleActivation.module_code == self.code
            )
        )
        value = (settings or {}).get("innovation_id")
        return value if isinstance(value, int) else None

    def guard(self) -> None:
        """Before every request of the module's blueprint: 404 for an agency that has it off.
        Region and national readers pass; views that show one agency's data check that agency
        with `require_enabled`."""
        scope = current_scope()
        if scope.kind == "agency" and scope.agency_id is not None:
            require_enabled(self.code, scope.agency_id)


class ModuleError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


EXTENSION_KEY = "puja_service_modules"


def _app_modules(app: Flask | None = None) -> dict[str, ServiceModule]:
    target = app if app is not None else current_app
    modules: dict[str, ServiceModule] = target.extensions.setdefault(EXTENSION_KEY, {})
    return modules


def register(app: Flask, module_cls: type[ServiceModule]) -> ServiceModule:
    code = getattr(module_cls, "code", "")
    if not code or not code.replace("_", "").isalnum() or len(code) > 40:
        raise ModuleError(f"module {module_cls.__name__} has no valid code")
    modules = _app_modules(app)
    existing = modules.get(code)
    if existing is not None:
        if type(existing) is module_cls:
            return existing
        raise ModuleError(f"two modules claim the code {code!r}")
    module = module_cls()
    modules[code] = module
    return module


def registered() -> dict[str, ServiceModule]:
    """The running app's modules, by code."""
    return dict(sorted(_app_modules().items()))


def get(code: str) -> ServiceModule | None:
    return _app_modules().get(code)


def entry_point_modules() -> list[type[ServiceModule]]:
    """Module classes advertised by installed distributions."""
    found: list[type[ServiceModule]] = []
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        loaded = entry.load()
        if not (isinstance(loaded, type) and issubclass(loaded, ServiceModule)):
            raise ModuleError(f"entry point {entry.name!r} is not a ServiceModule subclass")
        found.append(loaded)
    return found


def install(
    app: Flask,
    builtins: Iterable[type[ServiceModule]],
    register_api: Callable[[Blueprint], None] | None = None,
) -> None:
    """Register the built-in and installed modules on `app`, mount their blueprints and guard
    them: one before-request hook finds the module a request belongs to by its blueprint.
    `register_api` mounts a module's API blueprints on the app's API (the app passes it: core
    knows nothing of the API package); without it, modules' APIs are not mounted."""
    by_blueprint: dict[str, ServiceModule] = {}
    for module_cls in [*builtins, *entry_point_modules()]:
        module = register(app, module_cls)
        blueprint = module.blueprint
        if blueprint is not None:
            app.register_blueprint(blueprint, url_prefix=module.url_prefix or f"/m/{module.code}")
            by_blueprint[blueprint.name] = module
        if register_api is not None:
            for api_blueprint in module.api_blueprints():
                register_api(api_blueprint)
                by_blueprint[api_blueprint.name] = module
        for open_blueprint in module.open_blueprints:
            app.register_blueprint(open_blueprint)
    modules = _app_modules(app)
    missing = sorted(
        (code, needed)
        for code, module in modules.items()
        for needed in module.requires
        if needed not in modules
    )
    if missing:
        raise ModuleError(f"modules require unknown modules: {missing}")

    def guard_modules() -> None:
        module = by_blueprint.get(request.blueprint or "")
        if module is not None:
            module.guard()

    app.before_request(guard_modules)


# --- per-agency activation -----------------------------------------------------------------------


class ModuleActivation(RegionManaged, TimestampMixin, Base):
    """A module switched on or off for one agency. Kept when switched off, with who did it."""

    __tablename__ = "module_activations"
    __table_args__ = (UniqueConstraint("agency_id", "module_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    module_code: Mapped[str] = mapped_column(String(40))
    enabled: Mapped[bool] = mapped_column(default=False)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    agency: Mapped[Agency] = relationship()
    changed_by: Mapped[User | None] = relationship()

    def owning_region_id(self) -> int | None:
        return self.agency.region_id if self.agency is not None else None

    def writable_in(self, scope: Scope) -> bool:
        """The region's monitor, an administrator, or the agency's own lead."""
        if scope.read_only:
            return False
        if scope.kind == "agency":
            return scope.role is Role.AGENCY_LEAD and scope.agency_id == self.agency_id
        return super().writable_in(scope) and scope.role is not Role.NATIONAL_REVIEWER


def is_enabled(code: str, agency_id: int) -> bool:
    from puja_indah.extensions import db

    return bool(
        db.session.scalar(
            select(ModuleActivation.enabled).where(
                ModuleActivation.agency_id == agency_id, ModuleActivation.module_code == code
            )
        )
    )


def runs_module(code: str, agency_id: SQLColumnExpression[int]) -> ColumnElement[bool]:
    """SQL for "the agency in `agency_id` (a column of the outer query) has module `code` on":
    the ON clause of a join to `ModuleActivation`, for reads that span agencies and must leave
    out those that switched the module off. The unique (agency_id, module_code) constraint
    makes the join match at most one row, so it never multiplies the outer rows."""
    return and_(
        ModuleActivation.agency_id == agency_id,
        ModuleActivation.module_code == code,
        ModuleActivation.enabled.is_(True),
    )


def require_enabled(code: str, agency_id: int) -> None:
    """404 unless the module is registered and on for the agency: a switched-off module's pages
    do not exist for that agency."""
    if code not in _app_modules() or not is_enabled(code, agency_id):
        abort(404)


def enabled_codes(agency_id: int) -> set[str]:
    from puja_indah.extensions import db

    return set(
        db.session.scalars(
            select(ModuleActivation.module_code).where(
                ModuleActivation.agency_id == agency_id, ModuleActivation.enabled.is_(True)
            )
        )
    )


# --- module figures as evidence (innovation page, self-assessment hints) -------------------------


def evidence_figures(
    agency_id: int, innovation_id: int
) -> list[tuple[ServiceModule, list[Metric]]]:
    """The metrics of the agency's switched-on modules that run `innovation_id`. Empty for a
    reader in another agency's scope (its ORM scope could not count that agency's rows)."""
    scope = current_scope()
    if scope.kind == "agency" and scope.agency_id != agency_id:
        return []
    found = []
    for code in sorted(enabled_codes(agency_id)):
        module = get(code)
        if module is not None and module.innovation_id(agency_id) == innovation_id:
            metrics = module.metrics(agency_id)
            if metrics:
                found.append((module, metrics))
    return found


def last_module_activity(agency_ids: Sequence[int]) -> dict[int, datetime]:
    """The latest work of each agency in any registered module (see `last_activity`)."""
    latest: dict[int, datetime] = {}
    for module in registered().values():
        for agency_id, when in module.last_activity(agency_ids).items():
            if agency_id not in latest or when > latest[agency_id]:
                latest[agency_id] = when
    return latest
