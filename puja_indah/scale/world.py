"""What the generator's parts share: the plan, the seed's random streams, the fixed clock of the
generated world, the writer, and what has been built so far."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from puja_indah.core.clock import WITA
from puja_indah.scale.plans import Plan
from puja_indah.scale.writer import BulkWriter


@dataclass
class AgencyInfo:
    id: int
    region_id: int
    region_name: str
    code: str
    name: str
    generated: bool


@dataclass
class RegionInfo:
    id: int
    code: str
    name: str
    generated: bool
    agencies: list[AgencyInfo] = field(default_factory=list)


@dataclass
class StageInfo:
    id: int
    position: int
    sla_minutes: int | None
    may_return: bool
    terminal: bool


@dataclass
class Desk:
    agency: AgencyInfo
    process_id: int
    process_code: str
    version_id: int
    submitted_by_agencies: bool
    stages: list[StageInfo]
    kinds: list[tuple[int, list[str]]]
    # How busy the desk is relative to others (finance desks see more files than licensing).
    weight: float


@dataclass
class World:
    plan: Plan
    seed: int
    base_date: date
    writer: BulkWriter
    echo: Callable[[str], None]
    regions: list[RegionInfo] = field(default_factory=list)
    desks: list[Desk] = field(default_factory=list)
    # Reference data the profiles use: ids of affairs, initiator kinds, themes; the SID indicators
    # of the assessment year as (id, number, mandatory).
    affairs: list[int] = field(default_factory=list)
    initiator_kinds: list[int] = field(default_factory=list)
    themes: list[int] = field(default_factory=list)
    indicators: list[tuple[int, int, bool]] = field(default_factory=list)
    year: int = 0
    # Appointment ids of each generated agency appointed by its region's decree.
    appointments: dict[int, int] = field(default_factory=dict)
    stored_files: list[str] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)

    def rng(self, stream: str) -> random.Random:
        """An independent random stream per part of the run, all fixed by the seed."""
        return random.Random(f"{self.seed}/{stream}")  # noqa: S311 - generated data, not secrets

    @property
    def now(self) -> datetime:
        """The end of the generated world: the base date's closing time in WITA, in UTC."""
        return datetime.combine(self.base_date, time(16, 0), WITA).astimezone(UTC)

    @property
    def beginning(self) -> date:
        """The first day anything happened: six years before the base date."""
        return self.base_date - timedelta(days=6 * 365)

    def at(self, day: date, hour: int = 9, minute: int = 0) -> datetime:
        """A WITA office time of a day, in UTC."""
        return datetime.combine(day, time(hour, minute), WITA).astimezone(UTC)

    @property
    def agencies(self) -> list[AgencyInfo]:
        return [agency for region in self.regions for agency in region.agencies]
