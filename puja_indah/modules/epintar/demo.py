"""Demo schools and an announcement for the education agency (`flask seed demo`).

The sources say only what e-pintar is for (DOMAIN §4); every school here is demo data: "(demo)"
in the name, `is_demo` set, and NPSNs from a range no real school has (9999xxxx).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from puja_indah.extensions import db
from puja_indah.modules.epintar.models import Announcement, School, SchoolLevel

DEMO_SCHOOLS = (
    ("99990001", "SD Negeri 1 Rumbia (demo)", SchoolLevel.SD, "Rumbia"),
    ("99990002", "SD Negeri 2 Poleang (demo)", SchoolLevel.SD, "Poleang"),
    ("99990003", "SMP Negeri 1 Rarowatu (demo)", SchoolLevel.SMP, "Rarowatu"),
    ("99990004", "SMP Negeri 1 Kabaena (demo)", SchoolLevel.SMP, "Kabaena"),
)
DEMO_ANNOUNCEMENT = (
    "Pertemuan orang tua murid (demo)",
    "Bapak/Ibu orang tua murid diundang ke pertemuan awal semester.\n"
    "Tempat: ruang kelas masing-masing.\n"
    "Ini contoh pengumuman (data demo).",
)


def seed_demo(agency_id: int) -> int:
    """Create the demo schools (once, matched by NPSN) and one published announcement to all
    schools. Returns how many schools were created. Caller sets a system scope and commits."""
    created = 0
    for npsn, name, level, district in DEMO_SCHOOLS:
        if db.session.scalar(select(School.id).where(School.npsn == npsn)) is not None:
            continue
        db.session.add(
            School(
                agency_id=agency_id,
                npsn=npsn,
                name=name,
                level=level,
                district=district,
                address=f"Kecamatan {district}, Kabupaten Bombana (demo)",
                active=True,
                is_demo=True,
            )
        )
        created += 1
    title, body = DEMO_ANNOUNCEMENT
    exists = db.session.scalar(
        select(Announcement.id).where(
            Announcement.agency_id == agency_id, Announcement.title == title
        )
    )
    if exists is None:
        db.session.add(
            Announcement(
                agency_id=agency_id,
                school_id=None,
                title=title,
                body=body,
                published_at=datetime(2026, 7, 13, 0, 0, tzinfo=UTC),
                is_demo=True,
            )
        )
    db.session.flush()
    return created
