"""The replication log: logging a replication of another region's published innovation, the status
flow with its history, refused transitions, the stale-form check, isolation, the source search,
who replicated an innovation (indicator 31) and the lineage across regions."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from puja_indah.core.clock import today_wita
from puja_indah.core.models import Agency, Region, RegionKind
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.evidence.models import Evidence
from puja_indah.extensions import db
from puja_indah.innovations.models import Innovation, Origin
from puja_indah.replications import queries
from puja_indah.replications.models import (
    Replication,
    ReplicationMode,
    ReplicationStatus,
    ReplicationStatusChange,
)


def make_innovation(
    app: Any, agency_id: int, name: str, *, published: bool = False, **extra: Any
) -> int:
    with app.app_context(), scoped(Scope.system("tests: innovation"), db.session):
        agency = db.session.get(Agency, agency_id)
        innovation = Innovation(
            agency_id=agency_id,
            region_id=agency.region_id,
            origin=extra.pop("origin", Origin.OWN),
            name=name,
            name_key=name.casefold(),
            published=published,
            **extra,
        )
        db.session.add(innovation)
        db.session.commit()
        innovation_id = innovation.id
        db.session.remove()
    return innovation_id


def make_replication(
    app: Any,
    agency_id: int,
    source_id: int | None,
    *,
    replica_id: int | None = None,
    status: ReplicationStatus = ReplicationStatus.INTEREST,
    mode: ReplicationMode = ReplicationMode.ADOPT,
) -> tuple[int, int]:
    """A replication row made directly (system scope); returns (replication id, replica id)."""
    if replica_id is None:
        replica_id = make_innovation(
            app, agency_id, f"Replica {agency_id}-{source_id}-{status}", origin=Origin.REPLICATION
        )
    with app.app_context(), scoped(Scope.system("tests: replication"), db.session):
        replication = Replication(
            agency_id=agency_id,
            replica_id=replica_id,
            source_innovation_id=source_id,
            source_name="Source",
            mode=mode,
            status=status,
            status_on=date(2026, 1, 1),
        )
        db.session.add(replication)
        db.session.commit()
        result = replication.id
        db.session.remove()
    return result, replica_id


def make_region_agency(app: Any, code: str, name: str) -> int:
    with app.app_context(), scoped(Scope.system("tests: region"), db.session):
        region = Region(code=code, name=name, kind=RegionKind.CITY)
        db.session.add(region)
        db.session.flush()
        agency = Agency(
            region_id=region.id, code="DISKOMINFO", name=f"Diskominfo {name}", short_name="Kominfo"
        )
        db.session.add(agency)
        db.session.commit()
        agency_id = agency.id
        db.session.remove()
    return agency_id


def _hidden(page: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', page)
    assert match, name
    return html.unescape(match.group(1))


def _read(app: Any, fn: Any) -> Any:
    with app.app_context(), scoped(Scope.system("tests: read"), db.session):
        value = fn()
        db.session.remove()
    return value


def _changes(app: Any, replication_id: int) -> list[tuple[str | None, str, date, str]]:
    def read() -> list[tuple[str | None, str, date, str]]:
        rows = db.session.scalars(
            sa.select(ReplicationStatusChange)
            .where(ReplicationStatusChange.replication_id == replication_id)
            .order_by(ReplicationStatusChange.id)
        )
        return [
            (
                r.from_status.value if r.from_status else None,
                r.to_status.value,
                r.changed_on,
                r.note,
            )
            for r in rows
        ]

    return _read(app, read)


# --- create and status flow ----------------------------------------------------------------------


def test_replicating_another_regions_innovation_with_status_history(login, app, demo):
    source = make_innovation(app, demo.agency("BKAD", "74.05"), "SIPANDU Konsel", published=True)
    officer = login("officer.bkd")
    page = officer.get(f"/replications/new?source={source}").get_data(as_text=True)
    assert "SIPANDU Konsel" in page and "Badan Keuangan dan Aset Daerah" in page
    started = today_wita() - timedelta(days=10)
    response = officer.post(
        "/replications/new",
        data={
            "csrf_token": _hidden(page, "csrf_token"),
            "source_innovation_id": str(source),
            "mode": "adapt",
            "replica_id": "new",
            "replica_name": "SIPANDU Bombana",
            "started_on": started.isoformat(),
            "lessons": "Mulai dari satu kecamatan.",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    replication_id = int(response.headers["Location"].rsplit("/", 1)[1])

    def stored() -> tuple[Any, ...]:
        r = db.session.get(Replication, replication_id)
        return (
            r.agency_id,
            r.source_innovation_id,
            r.source_name,
            r.source_region_name,
            r.mode,
            r.status,
            r.replica.name,
            r.replica.origin,
            r.replica.published,
            r.replica.agency_id,
        )

    assert _read(app, stored) == (
        demo.agency("BKD"),
        source,
        "SIPANDU Konsel",
        "Kabupaten Konawe Selatan",
        ReplicationMode.ADAPT,
        ReplicationStatus.INTEREST,
        "SIPANDU Bombana",
        Origin.REPLICATION,
        False,
        demo.agency("BKD"),
    )

    # Agreement, then trial, each dated; the detail page shows the timeline.
    for to_status, days_ago in (("perjanjian", 5), ("uji_coba", 2)):
        form = officer.get(f"/replications/{replication_id}/status").get_data(as_text=True)
        response = officer.post(
            f"/replications/{replication_id}/status",
            data={
                "csrf_token": _hidden(form, "csrf_token"),
                "version": _hidden(form, "version"),
                "to_status": to_status,
                "changed_on": (today_wita() - timedelta(days=days_ago)).isoformat(),
                "note": "",
            },
        )
        assert response.status_code == 302, response.get_data(as_text=True)
    assert _changes(app, replication_id) == [
        (None, "minat", started, ""),
        ("minat", "perjanjian", today_wita() - timedelta(days=5), ""),
        ("perjanjian", "uji_coba", today_wita() - timedelta(days=2), ""),
    ]
    detail = officer.get(f"/replications/{replication_id}").get_data(as_text=True)
    assert "Minat → Perjanjian" in detail and "Perjanjian → Uji coba" in detail
    assert "SIPANDU Bombana" in officer.get("/replications").get_data(as_text=True)
    # A platform source's name, region and agency are not editable; mode and lessons are.
    edit = officer.get(f"/replications/{replication_id}/edit").get_data(as_text=True)
    assert 'name="source_name"' not in edit
    saved = officer.post(
        f"/replications/{replication_id}/edit",
        data={
            "csrf_token": _hidden(edit, "csrf_token"),
            "version": _hidden(edit, "version"),
            "opened": _hidden(edit, "opened"),
            "mode": "adopt",
            "lessons": "Pelajaran baru.",
        },
    )
    assert saved.status_code == 302
    assert "Pelajaran baru." in officer.get(f"/replications/{replication_id}").get_data(
        as_text=True
    )
    # The source's page lists BKD as a replicating agency, and Konsel's index counts one region.
    by = login("officer.konsel").get(f"/replications/of/{source}").get_data(as_text=True)
    assert "Badan Keuangan Daerah" in by and "Kabupaten Bombana" in by
    assert _read(app, lambda: queries.replicating_region_count(source)) == 1


def test_outside_source_needs_name_region_and_a_web_link(login, app, table_counts):
    officer = login("officer.bkd")
    page = officer.get("/replications/new").get_data(as_text=True)
    before = table_counts()
    base = {
        "csrf_token": _hidden(page, "csrf_token"),
        "mode": "adopt",
        "replica_id": "new",
        "started_on": today_wita().isoformat(),
        "source_region_name": "Kota Makassar",
        "source_agency_name": "Dinas Kominfo",
    }
    no_name = officer.post("/replications/new", data={**base, "source_name": ""})
    assert "Sebutkan nama inovasi yang Anda replikasi." in no_name.get_data(as_text=True)
    bad_link = officer.post(
        "/replications/new",
        data={**base, "source_name": "Lontara", "source_url": "javascript:alert(1)"},
    )
    assert "http:// atau https://" in bad_link.get_data(as_text=True)
    future = officer.post(
        "/replications/new",
        data={
            **base,
            "source_name": "Lontara",
            "started_on": (today_wita() + timedelta(days=1)).isoformat(),
        },
    )
    assert "Tanggal tidak boleh di masa depan." in future.get_data(as_text=True)
    assert table_counts() == before
    ok = officer.post(
        "/replications/new",
        data={**base, "source_name": "Lontara", "source_url": "https://makassarkota.go.id/lontara"},
    )
    assert ok.status_code == 302
    detail = officer.get(ok.headers["Location"]).get_data(as_text=True)
    assert "Lontara" in detail and "https://makassarkota.go.id/lontara" in detail


def test_unpublished_or_own_source_is_refused(login, app, demo, table_counts):
    hidden = make_innovation(app, demo.agency("BKAD", "74.05"), "Belum terbit")
    own = make_innovation(app, demo.agency("BKD"), "Milik BKD", published=True)
    officer = login("officer.bkd")
    page = officer.get("/replications/new").get_data(as_text=True)
    before = table_counts()
    for source in (hidden, own):
        response = officer.post(
            "/replications/new",
            data={
                "csrf_token": _hidden(page, "csrf_token"),
                "source_innovation_id": str(source),
                "mode": "adopt",
                "replica_id": "new",
                "started_on": today_wita().isoformat(),
            },
        )
        assert response.status_code == 200
        assert "Belum terbit" not in response.get_data(as_text=True)
    assert table_counts() == before


def _status_post(client: Any, replication_id: int, **values: str) -> Any:
    form = client.get(f"/replications/{replication_id}/status").get_data(as_text=True)
    data = {
        "csrf_token": _hidden(form, "csrf_token"),
        "version": _hidden(form, "version"),
        "note": "",
    }
    data.update(values)
    return client.post(f"/replications/{replication_id}/status", data=data)


def test_refused_status_changes_say_why_and_change_nothing(login, app, demo, table_counts):
    source = make_innovation(app, demo.agency("BKAD", "74.05"), "Sumber", published=True)
    replication_id, _ = make_replication(app, demo.agency("BKD"), source)
    with app.app_context(), scoped(Scope.system("tests: history"), db.session):
        db.session.add(
            ReplicationStatusChange(
                agency_id=demo.agency("BKD"),
                replication_id=replication_id,
                to_status=ReplicationStatus.INTEREST,
                changed_on=today_wita() - timedelta(days=3),
            )
        )
        db.session.commit()
        db.session.remove()
    officer = login("officer.bkd")
    before = table_counts()
    today = today_wita()
    cases = [
        (
            {"to_status": "minat", "changed_on": today.isoformat()},
            "Pilih salah satu pilihan yang tersedia.",
        ),
        (
            {"to_status": "perjanjian", "changed_on": (today + timedelta(days=1)).isoformat()},
            "Tanggal tidak boleh di masa depan.",
        ),
        (
            {"to_status": "perjanjian", "changed_on": (today - timedelta(days=4)).isoformat()},
            "Tanggal tidak boleh sebelum perubahan status terakhir",
        ),
        (
            {"to_status": "dihentikan", "changed_on": today.isoformat()},
            "Sebutkan alasan replikasi dihentikan.",
        ),
    ]
    for values, message in cases:
        response = _status_post(officer, replication_id, **values)
        assert response.status_code == 200
        assert message in response.get_data(as_text=True), message
    assert table_counts() == before

    stopped = _status_post(
        officer,
        replication_id,
        to_status="dihentikan",
        changed_on=today.isoformat(),
        note="Anggaran tidak tersedia.",
    )
    assert stopped.status_code == 302
    after_stop = table_counts()
    # A stopped replication is final: the page says so and a forged post is refused.
    page = officer.get(f"/replications/{replication_id}/status").get_data(as_text=True)
    assert "Replikasi ini telah selesai" in page
    forged = officer.post(
        f"/replications/{replication_id}/status",
        data={
            "csrf_token": _hidden(page, "csrf_token"),
            "version": "3",
            "to_status": "perjanjian",
            "changed_on": today.isoformat(),
        },
    )
    assert forged.status_code in (200, 409)
    assert table_counts() == after_stop
    detail = officer.get(f"/replications/{replication_id}").get_data(as_text=True)
    assert "Anggaran tidak tersedia." in detail


def test_stale_edit_is_refused_and_shows_what_changed(login, app, demo):
    officer, lead = login("officer.bkd"), login("lead.bkd")
    replication_id, _ = make_replication(app, demo.agency("BKD"), None)
    with app.app_context(), scoped(Scope.system("tests: outside source"), db.session):
        db.session.get(Replication, replication_id).source_region_name = "Kota Kendari"
        db.session.commit()
        db.session.remove()

    def opened(client: Any) -> dict[str, str]:
        page = client.get(f"/replications/{replication_id}/edit").get_data(as_text=True)
        return {name: _hidden(page, name) for name in ("csrf_token", "version", "opened")}

    fields = {
        "source_name": "Source",
        "source_region_name": "Kota Kendari",
        "source_agency_name": "",
        "source_url": "",
        "mode": "adopt",
        "lessons": "",
    }
    mine, theirs = opened(officer), opened(lead)
    saved = lead.post(
        f"/replications/{replication_id}/edit",
        data={**theirs, **fields, "lessons": "Catatan kepala."},
    )
    assert saved.status_code == 302
    response = officer.post(
        f"/replications/{replication_id}/edit", data={**mine, **fields, "mode": "adapt"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Catatan kepala." in page  # what the other person saved
    assert (
        _read(app, lambda: db.session.get(Replication, replication_id).mode)
        is ReplicationMode.ADOPT
    )
    # Saving again, knowingly, goes through.
    again = {name: _hidden(page, name) for name in ("csrf_token", "version", "opened")}
    assert (
        officer.post(
            f"/replications/{replication_id}/edit", data={**again, **fields, "mode": "adapt"}
        ).status_code
        == 302
    )
    assert (
        _read(app, lambda: db.session.get(Replication, replication_id).mode)
        is ReplicationMode.ADAPT
    )


def test_agreement_documents_link_existing_and_add_link_only(login, app, demo, table_counts):
    replication_id, replica = make_replication(app, demo.agency("BKD"), None)
    with app.app_context(), scoped(Scope.system("tests: evidence"), db.session):
        own_doc = Evidence(agency_id=demo.agency("BKD"), title="MoU BKD")
        other_doc = Evidence(agency_id=demo.agency("DPMPTSP"), title="MoU DPMPTSP")
        db.session.add_all([own_doc, other_doc])
        db.session.commit()
        own_id, other_id = own_doc.id, other_doc.id
        db.session.remove()
    officer = login("officer.bkd")
    page = officer.get(f"/replications/{replication_id}/documents").get_data(as_text=True)
    assert "MoU BKD" in page and "MoU DPMPTSP" not in page
    token = _hidden(page, "csrf_token")
    before = table_counts()
    refused = officer.post(
        f"/replications/{replication_id}/documents",
        data={"csrf_token": token, "link-evidence_id": str(other_id), "link-submit_link": "1"},
    )
    assert refused.status_code == 200 and table_counts() == before
    linked = officer.post(
        f"/replications/{replication_id}/documents",
        data={"csrf_token": token, "link-evidence_id": str(own_id), "link-submit_link": "1"},
    )
    assert linked.status_code == 302
    bad = officer.post(
        f"/replications/{replication_id}/documents",
        data={
            "csrf_token": token,
            "new-title": "Surat",
            "new-link_url": "ftp://x",
            "new-submit_new": "1",
        },
    )
    assert "http:// atau https://" in bad.get_data(as_text=True)
    added = officer.post(
        f"/replications/{replication_id}/documents",
        data={
            "csrf_token": token,
            "new-title": "Perjanjian Kerja Sama",
            "new-document_number": "PKS/01/2026",
            "new-document_date": "2026-01-10",
            "new-link_url": "https://jdih.example.go.id/pks-01",
            "new-submit_new": "1",
        },
    )
    assert added.status_code == 302
    detail = officer.get(f"/replications/{replication_id}").get_data(as_text=True)
    assert "MoU BKD" in detail and "PKS/01/2026" in detail
    created = _read(
        app,
        lambda: db.session.scalar(
            sa.select(Evidence).where(Evidence.title == "Perjanjian Kerja Sama")
        ),
    )
    assert created.agency_id == demo.agency("BKD") and created.innovation_id == replica
    assert created.public is False


# --- isolation -----------------------------------------------------------------------------------


def test_other_agencys_replication_is_not_found(login, app, demo):
    replication_id, _ = make_replication(app, demo.agency("DPMPTSP"), None)
    officer = login("officer.bkd")
    for path in ("", "/edit", "/status", "/documents"):
        assert officer.get(f"/replications/{replication_id}{path}").status_code == 404
    assert "Source" not in officer.get("/replications").get_data(as_text=True)
    # The region's monitor reads it but cannot write; the far monitor cannot see it.
    assert login("monitor").get(f"/replications/{replication_id}").status_code == 200
    assert login("monitor").get(f"/replications/{replication_id}/edit").status_code == 403
    assert login("monitor.konsel").get(f"/replications/{replication_id}").status_code == 404
    assert login("reviewer").get(f"/replications/{replication_id}").status_code == 200


def test_source_search_returns_only_published_and_never_the_own_agency(login, app, demo):
    make_innovation(app, demo.agency("BKAD", "74.05"), "E-Kinerja Konsel", published=True)
    make_innovation(app, demo.agency("DPMPTSP"), "E-Kinerja Perizinan", published=True)
    make_innovation(app, demo.agency("BKAD", "74.05"), "E-Kinerja Rahasia", published=False)
    make_innovation(app, demo.agency("BKD"), "E-Kinerja BKD", published=True)
    page = login("officer.bkd").get("/replications/sources?q=kinerja").get_data(as_text=True)
    assert "E-Kinerja Konsel" in page and "E-Kinerja Perizinan" in page
    assert "E-Kinerja Rahasia" not in page and "E-Kinerja BKD" not in page
    # By region name too.
    by_region = login("officer.bkd").get("/replications/sources?q=konawe").get_data(as_text=True)
    assert "E-Kinerja Konsel" in by_region and "E-Kinerja Perizinan" not in by_region
    # The query itself, outside any view.
    cards = _read(app, lambda: queries.search_sources(demo.agency("BKD"), "kinerja"))
    assert {c.name for c in cards} == {"E-Kinerja Konsel", "E-Kinerja Perizinan"}


def test_replicated_by_page_needs_a_visible_or_published_source(login, app, demo):
    hidden = make_innovation(app, demo.agency("BKAD", "74.05"), "Tersembunyi")
    shown = make_innovation(app, demo.agency("BKAD", "74.05"), "Terbit", published=True)
    officer = login("officer.bkd")
    assert officer.get(f"/replications/of/{hidden}").status_code == 404
    assert officer.get(f"/replications/lineage/{hidden}").status_code == 404
    assert officer.get(f"/replications/of/{shown}").status_code == 200
    assert login("officer.konsel").get(f"/replications/of/{hidden}").status_code == 200
    assert login("reviewer").get(f"/replications/of/{hidden}").status_code == 200


# --- indicator 31 and lineage --------------------------------------------------------------------


def test_replicating_region_count_counts_other_regions_from_agreement_on(app, demo):
    source = make_innovation(app, demo.agency("BKAD", "74.05"), "Sumber", published=True)
    kendari = make_region_agency(app, "74.71", "Kota Kendari")
    baubau = make_region_agency(app, "74.72", "Kota Baubau")
    # Two Bombana agencies (one region), Kendari stopped, Baubau only interested, Konsel itself.
    make_replication(app, demo.agency("BKD"), source, status=ReplicationStatus.AGREEMENT)
    make_replication(app, demo.agency("DPMPTSP"), source, status=ReplicationStatus.APPLIED)
    make_replication(app, kendari, source, status=ReplicationStatus.STOPPED)
    make_replication(app, baubau, source, status=ReplicationStatus.INTEREST)
    make_replication(app, demo.agency("BKAD", "74.05"), source, status=ReplicationStatus.TRIAL)
    assert _read(app, lambda: queries.replicating_region_count(source)) == 1
    make_replication(app, baubau, source, status=ReplicationStatus.TRIAL)
    assert _read(app, lambda: queries.replicating_region_count(source)) == 2


def test_lineage_follows_a_three_region_chain_and_survives_a_cycle(login, app, demo):
    kendari = make_region_agency(app, "74.71", "Kota Kendari")
    root = make_innovation(app, kendari, "Inovasi Kendari", published=True)
    _, bombana = make_replication(app, demo.agency("BKD"), root, status=ReplicationStatus.APPLIED)
    _, konsel = make_replication(app, demo.agency("BKAD", "74.05"), bombana)
    officer = login("officer.bkd")
    page = officer.get(f"/replications/lineage/{bombana}").get_data(as_text=True)
    # Root first, then Bombana's replica, then Konsel's replica of it (unpublished: unnamed).
    order = [
        page.index(s) for s in ("Inovasi Kendari", "Kabupaten Bombana", "Kabupaten Konawe Selatan")
    ]
    assert order == sorted(order)
    assert "(belum diterbitkan)" in page
    tree = _read(app, lambda: queries.lineage(Scope("national", read_only=True), bombana))
    assert tree is not None
    node, _current = tree
    assert node.innovation_id == root
    assert node.children[0].innovation_id == bombana
    assert node.children[0].children[0].innovation_id == konsel

    # Kendari replicates Konsel's replica back into its own root innovation: a cycle.
    make_replication(app, kendari, konsel, replica_id=root)
    looped = officer.get(f"/replications/lineage/{root}")
    assert looped.status_code == 200
    assert "rantai kembali" in looped.get_data(as_text=True)
    cyc = _read(app, lambda: queries.lineage(Scope("national", read_only=True), root))
    assert cyc is not None
    flat = queries.flatten(cyc[0])
    assert len(flat) <= 4 and any(n.repeated for n in flat)
