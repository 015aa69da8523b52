"""Reads of the replication log.

Two kinds of read live here:

* the agency's own records (`replication_page`, choices for forms) go through the request's
  session, where the tenancy layer limits them to what the scope may see;
* four **named cross-agency reads** (ARCHITECTURE §3) go through
  `core.tenancy.cross_agency_read`, a separate read-only national session, and return plain
  values, never ORM objects:
    - `search_sources` / `source_card` — published innovations of every region, public fields only
      ("replication: published sources");
    - `replicators_of` / `replicating_region_count` — who replicated an innovation: agency, region,
      mode and status only ("replication: who replicated");
    - `lineage` — the chain source → replicas → replicas of replicas, with names shown only where
      the innovation is published or the viewer may read it anyway ("replication: lineage").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, aliased, selectinload

from puja_indah.core.models import Agency, Region
from puja_indah.core.tenancy import Scope, cross_agency_read
from puja_indah.evidence.models import Evidence
from puja_indah.extensions import db
from puja_indah.innovations.models import Innovation, Stage
from puja_indah.replications.models import (
    COUNTED_STATUSES,
    Replication,
    ReplicationDocument,
    ReplicationMode,
    ReplicationStatus,
)

PER_PAGE = 25
SEARCH_LIMIT = 50
MAX_LINEAGE_DEPTH = 10
# A lineage never lists more than this many nodes (a runaway chain stays a page, not a dump).
MAX_LINEAGE_NODES = 500


# --- the agency's own records --------------------------------------------------------------------


def filtered_replications(status: str | None) -> Select[Replication]:
    """Replications the scope may read (its own; a monitor its region's; reviewers all), of one
    status or all, unsorted (the web list and the API sort and page it)."""
    stmt = select(Replication).options(
        selectinload(Replication.replica), selectinload(Replication.changes)
    )
    if status:
        stmt = stmt.where(Replication.status == ReplicationStatus(status))
    return stmt


def replication_page(status: str | None, page: int = 1) -> Pagination:
    stmt = filtered_replications(status).order_by(
        Replication.status_on.desc(), Replication.id.desc()
    )
    return db.paginate(stmt, page=page, per_page=PER_PAGE, error_out=False)


def get_replication(replication_id: int) -> Replication | None:
    """One replication the scope may read (a query, never an identity-map hit), with its
    history and documents, or None."""
    return db.session.scalar(
        select(Replication)
        .where(Replication.id == replication_id)
        .options(
            selectinload(Replication.replica),
            selectinload(Replication.changes),
            selectinload(Replication.documents).selectinload(ReplicationDocument.evidence),
        )
    )


def agency_names(agency_ids: set[int]) -> dict[int, str]:
    if not agency_ids:
        return {}
    return {
        a.id: f"{a.name} · {a.region.name}"
        for a in db.session.scalars(
            select(Agency).where(Agency.id.in_(agency_ids)).options(selectinload(Agency.region))
        )
    }


def free_replica_choices() -> list[tuple[int, str]]:
    """The agency's own innovations that may become a replica: not yet the replica of another
    replication (the tenancy layer limits the innovations to the agency's)."""
    used = select(Replication.replica_id)
    rows = db.session.execute(
        select(Innovation.id, Innovation.name)
        .where(Innovation.id.not_in(used))
        .order_by(Innovation.name, Innovation.id)
    ).all()
    return [(row.id, row.name) for row in rows]


def linkable_evidence(replication: Replication) -> list[Evidence]:
    """The agency's documents not deleted and not linked to this replication yet."""
    linked = select(ReplicationDocument.evidence_id).where(
        ReplicationDocument.replication_id == replication.id
    )
    return list(
        db.session.scalars(
            select(Evidence)
            .where(Evidence.deleted_at.is_(None), Evidence.id.not_in(linked))
            .order_by(Evidence.document_date.desc().nulls_last(), Evidence.title, Evidence.id)
        )
    )


def visible_innovation(innovation_id: int) -> Innovation | None:
    """The innovation, if the current scope may read it through the tenancy layer."""
    return db.session.get(Innovation, innovation_id)


# --- named cross-agency reads --------------------------------------------------------------------


@dataclass(frozen=True)
class SourceCard:
    """Public facts of a published innovation, safe to show to anyone."""

    id: int
    name: str
    agency_id: int
    agency_name: str
    region_id: int
    region_name: str
    stage: Stage
    summary: str


def _cards(session: Session, stmt: Any) -> list[SourceCard]:
    return [
        SourceCard(
            id=row.id,
            name=row.name,
            agency_id=row.agency_id,
            agency_name=row.agency_name,
            region_id=row.region_id,
            region_name=row.region_name,
            stage=row.stage,
            summary=row.summary,
        )
        for row in session.execute(stmt)
    ]


def _published_cards() -> Any:
    return (
        select(
            Innovation.id,
            Innovation.name,
            Innovation.agency_id,
            Agency.name.label("agency_name"),
            Innovation.region_id,
            Region.name.label("region_name"),
            Innovation.stage,
            Innovation.summary,
        )
        .join(Agency, Agency.id == Innovation.agency_id)
        .join(Region, Region.id == Innovation.region_id)
        .where(Innovation.published.is_(True))
    )


def search_sources(own_agency_id: int | None, q: str | None) -> list[SourceCard]:
    """Published innovations of every region that match `q` by name, agency or region, never the
    asking agency's own (cross-agency read "replication: published sources")."""
    stmt = _published_cards()
    if own_agency_id is not None:
        stmt = stmt.where(Innovation.agency_id != own_agency_id)
    if q:
        stmt = stmt.where(
            or_(
                Innovation.name.icontains(q, autoescape=True),
                Agency.name.icontains(q, autoescape=True),
                Agency.short_name.icontains(q, autoescape=True),
                Region.name.icontains(q, autoescape=True),
            )
        )
    stmt = stmt.order_by(Region.name, Innovation.name, Innovation.id).limit(SEARCH_LIMIT)
    with cross_agency_read("replication: published sources", db.engine) as session:
        return _cards(session, stmt)


def source_card(innovation_id: int, *, exclude_agency_id: int | None = None) -> SourceCard | None:
    """One published innovation's public card, or None (unknown, unpublished or excluded)."""
    stmt = _published_cards().where(Innovation.id == innovation_id)
    if exclude_agency_id is not None:
        stmt = stmt.where(Innovation.agency_id != exclude_agency_id)
    with cross_agency_read("replication: published sources", db.engine) as session:
        cards = _cards(session, stmt)
    return cards[0] if cards else None


@dataclass(frozen=True)
class ReplicatorRow:
    agency_name: str
    region_id: int
    region_name: str
    mode: ReplicationMode
    status: ReplicationStatus
    status_on: date


def replicators_of(innovation_id: int) -> list[ReplicatorRow]:
    """Who replicated the innovation: agency, region, mode and status only (cross-agency read
    "replication: who replicated"). The caller has checked that the viewer may see the source."""
    stmt = (
        select(
            Agency.name.label("agency_name"),
            Agency.region_id,
            Region.name.label("region_name"),
            Replication.mode,
            Replication.status,
            Replication.status_on,
        )
        .join(Agency, Agency.id == Replication.agency_id)
        .join(Region, Region.id == Agency.region_id)
        .where(Replication.source_innovation_id == innovation_id)
        .order_by(Region.name, Agency.name, Replication.id)
    )
    with cross_agency_read("replication: who replicated", db.engine) as session:
        return [ReplicatorRow(**row._mapping) for row in session.execute(stmt)]


def replicating_region_count(innovation_id: int) -> int:
    """Indicator 31: the number of distinct OTHER regions whose agencies replicated the innovation
    with an agreement or further (perjanjian, uji coba, diterapkan). A replication still at
    interest, or stopped, does not count; replications inside the source's own region do not
    count either (the indicator rewards spreading to other regions)."""
    source = aliased(Innovation)
    stmt = (
        select(func.count(func.distinct(Agency.region_id)))
        .select_from(Replication)
        .join(Agency, Agency.id == Replication.agency_id)
        .join(source, source.id == Replication.source_innovation_id)
        .where(
            Replication.source_innovation_id == innovation_id,
            Replication.status.in_(COUNTED_STATUSES),
            Agency.region_id != source.region_id,
        )
    )
    with cross_agency_read("replication: who replicated", db.engine) as session:
        return int(session.scalar(stmt) or 0)


@dataclass
class LineageNode:
    innovation_id: int
    depth: int
    name: str | None  # None: not published and not readable by the viewer
    agency_name: str
    region_name: str
    published: bool
    mode: ReplicationMode | None = None  # how this node replicated its parent
    status: ReplicationStatus | None = None
    repeated: bool = False  # already shown higher up: the chain loops back here
    children: list[LineageNode] = field(default_factory=list)


@dataclass(frozen=True)
class _Facts:
    name: str
    agency_id: int
    agency_name: str
    region_id: int
    region_name: str
    published: bool


def _may_name(scope: Scope, facts: _Facts) -> bool:
    """The same rule as the tenancy layer, plus anything published."""
    if facts.published or scope.kind == "national":
        return True
    if scope.kind == "region":
        return facts.region_id == scope.region_id
    return scope.kind == "agency" and facts.agency_id == scope.agency_id


def _facts(session: Session, ids: set[int]) -> dict[int, _Facts]:
    rows = session.execute(
        select(
            Innovation.id,
            Innovation.name,
            Innovation.agency_id,
            Agency.name.label("agency_name"),
            Innovation.region_id,
            Region.name.label("region_name"),
            Innovation.published,
        )
        .join(Agency, Agency.id == Innovation.agency_id)
        .join(Region, Region.id == Innovation.region_id)
        .where(Innovation.id.in_(ids))
    )
    return {
        r.id: _Facts(r.name, r.agency_id, r.agency_name, r.region_id, r.region_name, r.published)
        for r in rows
    }


def lineage(scope: Scope, innovation_id: int) -> tuple[LineageNode, int] | None:
    """The replication chain the innovation belongs to, as a tree from its earliest known source:
    up at most MAX_LINEAGE_DEPTH steps to the root, then down at most MAX_LINEAGE_DEPTH levels.
    A node met twice (a cycle) is shown once more, marked `repeated`, and not expanded again.
    Returns (root, root depth offset of the asked innovation) or None for an unknown id.
    Cross-agency read "replication: lineage"."""
    with cross_agency_read("replication: lineage", db.engine) as session:
        # Up: the source of the replication whose replica this innovation is.
        root, seen_up = innovation_id, {innovation_id}
        for _ in range(MAX_LINEAGE_DEPTH):
            parent = session.scalar(
                select(Replication.source_innovation_id).where(
                    Replication.replica_id == root, Replication.source_innovation_id.is_not(None)
                )
            )
            if parent is None or parent in seen_up:
                break
            seen_up.add(parent)
            root = parent

        # Down, level by level: (parent id, replica id, mode, status) edges.
        edges: dict[int, list[tuple[int, ReplicationMode, ReplicationStatus]]] = {}
        frontier, seen = {root}, {root}
        for _ in range(MAX_LINEAGE_DEPTH):
            if not frontier or len(seen) >= MAX_LINEAGE_NODES:
                break
            rows = session.execute(
                select(
                    Replication.source_innovation_id,
                    Replication.replica_id,
                    Replication.mode,
                    Replication.status,
                )
                .where(Replication.source_innovation_id.in_(frontier))
                .order_by(Replication.id)
            ).all()
            frontier = set()
            for source_id, replica_id, mode, status in rows:
                if source_id is None:
                    continue
                edges.setdefault(source_id, []).append((replica_id, mode, status))
                if replica_id not in seen:
                    seen.add(replica_id)
                    frontier.add(replica_id)
        facts = _facts(session, seen)

    if innovation_id not in facts:
        return None

    def node(
        nid: int,
        depth: int,
        path: frozenset[int],
        mode: ReplicationMode | None = None,
        status: ReplicationStatus | None = None,
    ) -> LineageNode:
        f = facts[nid]
        item = LineageNode(
            innovation_id=nid,
            depth=depth,
            name=f.name if _may_name(scope, f) else None,
            agency_name=f.agency_name,
            region_name=f.region_name,
            published=f.published,
            mode=mode,
            status=status,
            repeated=nid in path,
        )
        if item.repeated or depth >= MAX_LINEAGE_DEPTH:
            return item
        for child, child_mode, child_status in edges.get(nid, []):
            if child in facts:
                item.children.append(node(child, depth + 1, path | {nid}, child_mode, child_status))
        return item

    return node(root, 0, frozenset()), innovation_id


def flatten(root: LineageNode) -> list[LineageNode]:
    """The tree in display order (depth-first), for an indented list."""
    out: list[LineageNode] = []
    todo = [root]
    while todo:
        current = todo.pop()
        out.append(current)
        todo.extend(reversed(current.children))
    return out
