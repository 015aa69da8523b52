"""The public catalogue: published innovations of every region, public fields only, no sign-in;
unpublished and unknown innovations answer the same 404; evidence appears only when public."""

from __future__ import annotations

import re
from datetime import date

import pytest

from puja_indah.core.tenancy import Scope, scoped
from puja_indah.evidence.models import Evidence
from puja_indah.extensions import db, limiter
from puja_indah.innovations.models import InnovationForm, InnovationKind, Stage
from puja_indah.progress.models import Milestone
from puja_indah.public.queries import PUBLIC_FIELDS
from tests.integration.test_replications import make_innovation, make_replication

# These tests build their own innovations and hand-worked figures: start without the demo ones.
pytestmark = pytest.mark.usefixtures("no_demo_innovations")

PRIVATE = {
    "design_problem": "RAHASIA-MASALAH-DESAIN",
    "budget_note": "RAHASIA-ANGGARAN-Rp9.999.999",
    "ip_note": "RAHASIA-HAKI",
    "challenges": "RAHASIA-TANTANGAN",
    "initiator_name": "RAHASIA-NAMA-INISIATOR",
    "business_profile": "RAHASIA-PROFIL-BISNIS",
    "developed_note": "RAHASIA-PENGEMBANGAN",
}
PUBLIC = {
    "summary": "Berkas SPM dilacak dengan kode QR.",
    "goals": "Mempercepat pencairan.",
    "benefits": "OPD tidak perlu datang.",
    "results_before": "Lima hari.",
    "results_after": "Dua hari.",
    "lessons": "Libatkan bank sejak awal.",
    "replication_prerequisites": "Jaringan internet di loket.",
    "video_url": "https://video.example.id/etracking",
    "trial_date": date(2018, 9, 1),
    "implementation_date": date(2018, 9, 20),
}


def _published(app, demo, name="E-tracking pencairan anggaran", **extra):
    return make_innovation(
        app,
        demo.agency("BKD"),
        name,
        published=True,
        stage=Stage.IMPLEMENTATION,
        kind=InnovationKind.DIGITAL,
        form=InnovationForm.PUBLIC_SERVICE,
        **{**PUBLIC, **PRIVATE, **extra},
    )


def test_public_page_shows_public_fields_and_never_a_private_one(client, app, demo):
    innovation_id = _published(app, demo)
    response = client.get(f"/katalog/{innovation_id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for value in PUBLIC.values():
        assert (value if isinstance(value, str) else str(value.year)) in page
    assert "Badan Keuangan Daerah" in page and "Kabupaten Bombana" in page
    assert "Penerapan" in page and "Pelayanan publik" in page
    for value in PRIVATE.values():
        assert value not in page
    # The list of public fields is defined once and names none of the private ones.
    assert not set(PRIVATE) & set(PUBLIC_FIELDS)


def _normalised(page: str) -> str:
    """The page without what differs per request anyway: the URL and tokens."""
    page = re.sub(r"/katalog/\d+", "/katalog/N", page)
    page = re.sub(r'(nonce|value)="[^"]*"', r'\1=""', page)
    return page


def test_unpublished_and_unknown_answer_the_same_404(client, app, demo):
    hidden = make_innovation(app, demo.agency("BKD"), "Belum terbit", summary="RAHASIA")
    unpublished = client.get(f"/katalog/{hidden}")
    unknown = client.get("/katalog/999999")
    assert unpublished.status_code == unknown.status_code == 404
    assert _normalised(unpublished.get_data(as_text=True)) == _normalised(
        unknown.get_data(as_text=True)
    )
    assert "Belum terbit" not in client.get("/katalog").get_data(as_text=True)


def test_catalogue_lists_every_region_with_filters_and_pages(client, app, demo):
    _published(app, demo)
    make_innovation(
        app,
        demo.agency("BKAD", "74.05"),
        "SIPANDU Konsel",
        published=True,
        stage=Stage.TRIAL,
        kind=InnovationKind.NON_DIGITAL,
        form=InnovationForm.GOVERNANCE,
    )
    page = client.get("/katalog").get_data(as_text=True)
    assert "E-tracking pencairan anggaran" in page and "SIPANDU Konsel" in page
    assert "RAHASIA" not in page
    konsel = client.get(f"/katalog?region={demo.regions['74.05']}").get_data(as_text=True)
    assert "SIPANDU Konsel" in konsel and "E-tracking pencairan anggaran" not in konsel
    trial = client.get("/katalog?stage=uji_coba&kind=non_digital&form=tata_kelola").get_data(
        as_text=True
    )
    assert "SIPANDU Konsel" in trial and "E-tracking pencairan anggaran" not in trial
    # Bad filters are ignored, never a 500.
    assert client.get("/katalog?region=abc&stage=zzz&page=-5&affair=" + "9" * 30).status_code == 200
    # Pagination: 25 more published innovations make two pages.
    for n in range(25):
        make_innovation(app, demo.agency("DPMPTSP"), f"Inovasi terbit {n:02d}", published=True)
    first = client.get("/katalog").get_data(as_text=True)
    assert "27 inovasi ditemukan." in first and 'href="/katalog?page=2"' in first
    second = client.get("/katalog?page=2").get_data(as_text=True)
    assert second.count('class="list-group-item"') == 7


def test_only_public_evidence_is_listed(client, app, demo):
    innovation_id = _published(app, demo)
    with app.app_context(), scoped(Scope.system("tests: evidence"), db.session):
        db.session.add_all(
            [
                Evidence(
                    agency_id=demo.agency("BKD"),
                    innovation_id=innovation_id,
                    title="SK Bupati 193/2018",
                    document_number="193 Tahun 2018",
                    link_url="https://jdih.bombanakab.go.id/sk-193",
                    public=True,
                ),
                Evidence(
                    agency_id=demo.agency("BKD"),
                    innovation_id=innovation_id,
                    title="Rekap anggaran internal",
                    public=False,
                ),
            ]
        )
        db.session.commit()
        db.session.remove()
    page = client.get(f"/katalog/{innovation_id}").get_data(as_text=True)
    assert "SK Bupati 193/2018" in page and "https://jdih.bombanakab.go.id/sk-193" in page
    assert "Rekap anggaran internal" not in page


def test_only_public_milestones_are_listed(client, app, demo):
    """The milestone form promises "shown in the public catalogue once the innovation is
    published": the public page lists those milestones (newest first), never the internal ones."""
    innovation_id = _published(app, demo)
    with app.app_context(), scoped(Scope.system("tests: milestones"), db.session):
        db.session.add_all(
            [
                Milestone(
                    agency_id=demo.agency("BKD"),
                    innovation_id=innovation_id,
                    happened_on=date(2025, 3, 15),
                    title="Uji coba di lima OPD selesai",
                    description="Lima OPD memakai kode QR.",
                    progress=70,
                    public=True,
                ),
                Milestone(
                    agency_id=demo.agency("BKD"),
                    innovation_id=innovation_id,
                    happened_on=date(2025, 1, 10),
                    title="Rapat internal anggaran",
                    progress=25,
                    public=False,
                ),
                Milestone(
                    agency_id=demo.agency("BKD"),
                    innovation_id=innovation_id,
                    happened_on=date(2024, 11, 1),
                    title="Kajian awal diterbitkan",
                    progress=10,
                    public=True,
                ),
            ]
        )
        db.session.commit()
        db.session.remove()
    page = client.get(f"/katalog/{innovation_id}").get_data(as_text=True)
    assert "Tonggak capaian" in page
    assert "Uji coba di lima OPD selesai" in page and "Kemajuan: 70 %" in page
    assert "Lima OPD memakai kode QR." in page
    assert page.index("Uji coba di lima OPD selesai") < page.index("Kajian awal diterbitkan")
    assert "Rapat internal anggaran" not in page


def test_public_page_lists_who_replicated_it(client, app, demo):
    innovation_id = _published(app, demo)
    make_replication(app, demo.agency("BKAD", "74.05"), innovation_id)
    page = client.get(f"/katalog/{innovation_id}").get_data(as_text=True)
    assert "Badan Keuangan dan Aset Daerah" in page and "Kabupaten Konawe Selatan" in page
    assert "Minat" in page


def test_public_routes_are_rate_limited(client, app, demo):
    with app.app_context():
        limiter.reset()
    statuses = [client.get("/katalog").status_code for _ in range(125)]
    assert statuses[0] == 200 and statuses[-1] == 429
