"""The pages measured, who asks for them, and the ids they need (found in the database)."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass

from sqlalchemy import create_engine, text

from bench.client import Session, Transport

MONITOR = "monitor@demo.pujaindah.id"
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


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    who: str  # a session key: MONITOR, REVIEWER, DESK_OFFICER, "api" or "" (anonymous)
    path: str
    target: str  # health | board | list | status | "" (reported, no target)


def find_targets(database_url: str) -> Targets:
    """Bombana's first innovation, the first tracked file, the BKD desk's first process."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            bombana = conn.scalar(text("SELECT id FROM regions WHERE code = :c"), {"c": BOMBANA})
            innovation = conn.scalar(
                text("SELECT min(id) FROM innovations WHERE region_id = :r"), {"r": bombana}
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
    return Targets(int(innovation), str(code), int(process), int(bombana))


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


def sessions(transport: Transport, host: str = "127.0.0.1") -> dict[str, Session]:
    """Signed-in sessions for every `who` above; the API one carries only a bearer token."""
    signed: dict[str, Session] = {"": Session(transport, host)}
    for email in (MONITOR, REVIEWER, DESK_OFFICER):
        session = Session(transport, host)
        session.sign_in(email)
        signed[email] = session
    api = Session(transport, host, bearer=signed[REVIEWER].make_api_token())
    signed["api"] = api
    return signed
