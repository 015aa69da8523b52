"""The sizes the generator knows, as counts. One generator, different numbers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# A fixed "today" of the generated world: dates and times are drawn before it, never from the
# clock, so the same seed always gives the same rows. `--base-date` moves it.
BASE_DATE = date(2026, 11, 27)


@dataclass(frozen=True)
class Plan:
    name: str
    # Existing regions (Kemendagri codes) that receive generated innovations and files on top of
    # their own agencies, e.g. the demo's Bombana ("74.06").
    host_regions: tuple[str, ...]
    # Generated regions: provinces and the kabupaten/kota spread over them.
    provinces: int
    regencies: int
    agencies_per_region: int
    # Agencies appointed by each generated region's decree (each with an assigned innovation).
    appointments_per_region: int
    innovations: int
    evidence: int
    etracking_files: int
    # Share of generated regions whose finance agency (BKD) and licensing agency (DPMPTSP) run an
    # e-tracking desk.
    bkd_desk_share: float
    dpmptsp_desk_share: float
    # Share of innovations that are replicas of another one (the replication log).
    replica_share: float = 0.06
    files_sample: int = 200

    @property
    def generated_regions(self) -> int:
        return self.provinces + self.regencies


PLANS: dict[str, Plan] = {
    # For the tests: three generated regions and a few rows on top of Bombana, in seconds.
    "tiny": Plan(
        name="tiny",
        host_regions=("74.06",),
        provinces=1,
        regencies=2,
        agencies_per_region=5,
        appointments_per_region=4,
        innovations=40,
        evidence=160,
        etracking_files=40,
        bkd_desk_share=0.67,
        dpmptsp_desk_share=0.34,
        replica_share=0.15,
        files_sample=6,
    ),
    # Bombana alone: the demo seed plus a few hundred innovations and files.
    "small": Plan(
        name="small",
        host_regions=("74.06",),
        provinces=0,
        regencies=0,
        agencies_per_region=0,
        appointments_per_region=0,
        innovations=300,
        evidence=3_000,
        etracking_files=600,
        bkd_desk_share=0.0,
        dpmptsp_desk_share=0.0,
    ),
    # The country: ~500 regions, ~17,000 agencies, 30,000 innovations (the IID received 28,539
    # from 527 regions in 2023), 300,000 evidence documents, 100,000 e-tracking files.
    "national": Plan(
        name="national",
        host_regions=(),
        provinces=38,
        regencies=462,
        agencies_per_region=34,
        appointments_per_region=15,
        innovations=30_000,
        evidence=300_000,
        etracking_files=100_000,
        bkd_desk_share=0.6,
        dpmptsp_desk_share=0.3,
    ),
}
