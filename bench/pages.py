"""The pages measured, who asks for them, and the ids they need (found in the database)."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from typing import Any

from sqlalchemy import create_engine, text

from bench.client import Session, Transport
from puja_indah.core.models import Role

MONITOR = "monitor"  # stands for Targets.monitor: the busiest region's monitor
REVIEWER = "reviewer@demo.pujaindah.id"
DESK_OFFICER = "officer.bkd@demo.pujaindah.id"
BOMBANA = "74.06"
SEARCH = "q=layanan&stage=penerapan&sort=name"


@dataclass(frozen=True)
class Targets:
    innovation_id: int
    public_code: str
    process_id: int
    bombana_id: int
    monitor: str  # the monitor of the region with the most innovations


def busiest_region_monitor(conn: Any) -> tuple[int, str]:
    """The region holding the most innovations and its monitor's e-mail, so that the monitor's
    pages compare like with like at both scales: at small scale that is Bombana (the demo
    monitor), at national scale a generated region (its generated monitor), where Bombana holds
    only the few demo innovations."""
    row = conn.execute(
        text(
            "SELECT r.id, min(u.email) FROM regions r"
            " JOIN innovations i ON i.region_id = r.id"
            " JOIN memberships m ON m.region_id = r.id AND m.role = :role"
            " JOIN users u ON u.id = m.user_id"
            " GROUP BY r.id ORDER BY count(DISTINCT i.id) DESC, r.id LIMIT 1"
        ),
        {"role": Role.REGION_MONITOR.value},
    ).one_or_none()
    if row is None:
        raise RuntimeError("no region has both innovations and a monitor (flask seed demo)")
    return int(row[0]), str(row[1])


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    who: str  # a session key: MONITOR, REVIEWER, DESK_OFFICER, "api" or "" (anonymous)
    path: str
    target: str  # health | board | list | status | "" (reported, no target)


def find_targets(database_url: str) -> Targets:
    """The busiest region's monitor and first innovation, the BKD desk's first process and its
    first tracked file."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            bombana = conn.scalar(text("SELECT id FROM regions WHERE code = :c"), {"c": BOMBANA})
            region, monitor = busiest_region_monitor(conn)
            innovation = conn.scalar(
                text("SELECT min(id) FROM innovations WHERE region_id = :r"), {"r": region}
            )
            process = conn.scalar(
                text(
                    "SELECT min(p.id) FROM et_processes p JOIN memberships m"
                    " ON m.agency_id = p.agency_id JOIN users u ON u.id = m.user_id"
                    " WHERE u.email = :e"
                ),
                {"e": DESK_OFFICER},
            )
            code = conn.scalar(
                text(
                    "SELECT public_code FROM et_files WHERE agency_id ="
                    " (SELECT agency_id FROM et_processes WHERE id = :p) ORDER BY id LIMIT 1"
                ),
                {"p": process},
            )
    finally:
        engine.dispose()
    if None in (bombana, innovation, process, code):
        raise RuntimeError("the database lacks the demo data (flask seed demo) or its files")
    return Targets(int(innovation), str(code), int(process), int(bombana), monitor)


def pages(t: Targets) -> list[Page]:
    code = urllib.parse.quote(t.public_code, safe="")
    return [
        Page("health", "health /sehat (bare)", "", "/sehat", "health"),
        Page("board", "progress board (monitor)", MONITOR, "/board", "board"),
        Page("list_reviewer", "innovation list + filter (reviewer)", REVIEWER,
             f"/innovations?{SEARCH}", "list"),
        Page("list_monitor", "innovation list + filter (monitor)", MONITOR,
             f"/innovations?{SEARCH}", "list"),
        Page("innovation", "one innovation (monitor)", MONITOR,
             f"/innovations/{t.innovation_id}", ""),
        Page("status", "public status /s/<code>", "", f"/s/{code}", "status"),
        Page("analytics", "SLA analytics (desk officer)", DESK_OFFICER,
             f"/m/etracking/{t.process_id}/analytics", ""),
        Page("api_list", "API /api/v1/innovations (token)", "api",
             "/api/v1/innovations?per_page=50&sort=-updated_at", "list"),
    ]  # fmt: skip


def sessions(transport: Transport, t: Targets, host: str = "127.0.0.1") -> dict[str, Session]:
    """Signed-in sessions for every `who` above; the API one carries only a bearer token."""
    signed: dict[str, Session] = {"": Session(transport, host)}
    for who, email in ((MONITOR, t.monitor), (REVIEWER, REVIEWER), (DESK_OFFICER, DESK_OFFICER)):
        session = Session(transport, host)
        session.sign_in(email)
        signed[who] = session
    api = Session(transport, host, bearer=signed[REVIEWER].make_api_token())
    signed["api"] = api
    return signed
