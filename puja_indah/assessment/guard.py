"""The write guard of the catalogue, installed on every ORM session when the models load.

The core flush guard knows agency-scoped and region-managed rows; the catalogue is neither, so
this feature adds its own `before_flush` check (inserted first, before the audit trail collects
anything) and refuses:

- any write outside a writable system or national scope (the catalogue is national reference
  data: a platform administrator or a named CLI command changes it);
- any insert, update or delete touching a year that is closed in the database — including the
  year row itself, so a closed year cannot be reopened or renamed;
- ORM bulk UPDATE/DELETE statements on catalogue tables, which a flush check cannot see (the
  services never use them).

Claims against the catalogue (an innovation's SID claims, their evidence links, a region's SPD
claims) are agency- or region-owned and go through the core guard for their scope; this guard adds
only the year's freeze: no claim of a closed year may be inserted, changed or deleted.

Both are `TenancyViolation`s, so a view that lets one through answers 403 and records the refusal
(core/web error handler) — the services refuse first, with a message for the user.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import ORMExecuteState, Session

from puja_indah.core.tenancy import TenancyViolation, current_scope


class FrozenYearViolation(TenancyViolation):
    """A write to a closed assessment year reached the flush."""


def _catalogue_models() -> tuple[type, ...]:
    from puja_indah.assessment.models import CATALOGUE_MODELS

    return CATALOGUE_MODELS


def _referenced(session: Session, obj: Any, relation: str, column: str, model: type) -> list[Any]:
    """Every parent `obj` points to or pointed to: the relationship now and before, and the
    foreign key now and before (a moved relationship updates the key only during the flush)."""
    state = inspect(obj)
    parents = [getattr(obj, relation), *state.attrs[relation].history.deleted]
    keys = [getattr(obj, column), *state.attrs[column].history.deleted]
    parents += [session.get(model, key) for key in keys if key is not None]
    unique: dict[int, Any] = {id(p): p for p in parents if p is not None}
    return list(unique.values())


def persisted_status(year: Any) -> Any:
    """The status the database holds for `year` (None for a year not yet inserted)."""
    state = inspect(year)
    if state.transient or state.pending:
        return None
    history = state.attrs.status.history
    if history.deleted:
        return history.deleted[0]
    return year.status


def _years_of(session: Session, obj: Any) -> Iterable[Any]:
    from puja_indah.assessment.models import Aspect, AssessmentYear, Indicator, IndicatorLevel

    if isinstance(obj, AssessmentYear):
        yield obj
    elif isinstance(obj, IndicatorLevel):
        for indicator in _referenced(session, obj, "indicator", "indicator_id", Indicator):
            yield from _years_of(session, indicator)
    else:
        yield from _referenced(session, obj, "year", "year_id", AssessmentYear)
        if isinstance(obj, Indicator):
            # The aspect carries the year too (composite key): moving to another aspect counts.
            for aspect in _referenced(session, obj, "aspect", "aspect_id", Aspect):
                yield from _years_of(session, aspect)


def _claim_years(session: Session, obj: Any) -> Iterable[Any]:
    """The years a claim, an evidence link or a region claim belongs to (now and before)."""
    from puja_indah.assessment.models import Claim, ClaimEvidence, Indicator

    if isinstance(obj, ClaimEvidence):
        for claim in _referenced(session, obj, "claim", "claim_id", Claim):
            yield from _claim_years(session, claim)
        return
    for indicator in _referenced(session, obj, "indicator", "indicator_id", Indicator):
        yield from _years_of(session, indicator)


def _guard_claims(session: Session) -> None:
    from puja_indah.assessment.models import CLAIM_MODELS, YearStatus

    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if not isinstance(obj, CLAIM_MODELS):
            continue
        if obj in session.dirty and not session.is_modified(obj, include_collections=False):
            continue
        for year in _claim_years(session, obj):
            if persisted_status(year) == YearStatus.CLOSED:
                raise FrozenYearViolation(
                    f"assessment year {year.year} is closed: {type(obj).__name__} cannot change"
                )


def _guard_flush(session: Session, flush_context: Any, instances: Any) -> None:
    _guard_claims(session)
    models = _catalogue_models()
    from puja_indah.assessment.models import YearStatus

    touched = [
        obj
        for obj in list(session.new) + list(session.dirty) + list(session.deleted)
        if isinstance(obj, models)
        and (obj not in session.dirty or session.is_modified(obj, include_collections=False))
    ]
    if not touched:
        return
    scope = current_scope()
    if scope.read_only or scope.kind not in ("system", "national"):
        raise TenancyViolation(f"the assessment catalogue is not writable in {scope.label()}")
    for obj in touched:
        for year in _years_of(session, obj):
            if persisted_status(year) == YearStatus.CLOSED:
                raise FrozenYearViolation(
                    f"assessment year {year.year} is closed: {type(obj).__name__} cannot change"
                )


def _guard_bulk(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete):
        return
    mapper = state.bind_mapper
    if mapper is not None and issubclass(mapper.class_, _catalogue_models()):
        raise TenancyViolation(
            f"bulk {'UPDATE' if state.is_update else 'DELETE'} of {mapper.class_.__name__} is"
            " refused: change the assessment catalogue through its services"
        )


def install(session_class: type[Session] = Session) -> None:
    """Idempotent. `insert=True`: refuse before the audit trail collects the changes."""
    if not event.contains(session_class, "before_flush", _guard_flush):
        event.listen(session_class, "before_flush", _guard_flush, insert=True)
    if not event.contains(session_class, "do_orm_execute", _guard_bulk):
        event.listen(session_class, "do_orm_execute", _guard_bulk)
