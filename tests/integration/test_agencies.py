"""Agency monitor screens: list, detail, create and edit; isolation and refusals."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from puja_indah.core.audit import AuditEntry
from puja_indah.core.models import Agency
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db
from tests.integration.region_helpers import add_agencies, add_region, option_values


def _agency(app, agency_id):
    with app.app_context(), scoped(Scope.system("test: read agency"), db.session):
        agency = db.session.get(Agency, agency_id)
        assert agency is not None
        values = {
            "code": agency.code,
            "name": agency.name,
            "short_name": agency.short_name,
            "parent_id": agency.parent_id,
            "active": agency.active,
            "region_id": agency.region_id,
            "is_demo": agency.is_demo,
        }
        db.session.remove()
    return values


def _find(app, code, region_id):
    with app.app_context(), scoped(Scope.system("test: find agency"), db.session):
        agency_id = db.session.scalar(
            sa.select(Agency.id).where(Agency.code == code, Agency.region_id == region_id)
        )
        db.session.remove()
    return agency_id


def _new_agency_form(**overrides):
    data = {
        "code": "pkm-poleang",
        "name": "UPTD Puskesmas Poleang",
        "short_name": "PKM Poleang",
        "parent_id": "",
        "active": "y",
    }
    data.update(overrides)
    return data


# --- list and detail -----------------------------------------------------------------------------


def test_monitor_lists_its_region_with_demo_badge_and_parent(login):
    page = login("monitor").get("/opd").get_data(as_text=True)
    assert "Badan Keuangan Daerah" in page
    assert "UPTD Puskesmas Rumbia" in page and "Dinkes" in page  # the unit shows its parent
    assert "data demo" in page
    assert "Badan Keuangan dan Aset Daerah" not in page  # Konawe Selatan is another region
    assert 'name="region"' not in page  # a monitor has no region filter
    assert "is-invalid" not in page  # an unfiltered list shows no filter error


def test_search_status_filter_and_bad_filters(login):
    monitor = login("monitor")
    page = monitor.get("/opd?q=keuangan").get_data(as_text=True)
    assert "Badan Keuangan Daerah" in page and "Dinas Pertanian" not in page
    assert "Dinas Pertanian" in monitor.get("/opd?q=distan").get_data(as_text=True)
    assert "Tidak ada OPD yang sesuai" in monitor.get("/opd?status=inactive").get_data(as_text=True)
    # Malformed or absurd filters are ignored, never a server error.
    for query in ("page=abc", "page=999999999999999999999", "status=zzz", "q=" + "x" * 500):
        response = monitor.get(f"/opd?{query}")
        assert response.status_code == 200, query
    # LIKE wildcards are searched for literally.
    assert "Tidak ada OPD yang sesuai" in monitor.get("/opd?q=%25_").get_data(as_text=True)


def test_pagination(login, app, demo):
    with app.app_context(), scoped(Scope.system("test: many agencies"), db.session):
        for n in range(30):
            db.session.add(
                Agency(
                    region_id=demo.regions["74.06"],
                    code=f"X{n:02d}",
                    name=f"Zz {n:02d}",
                    short_name=f"Z{n}",
                )
            )
        db.session.commit()
        db.session.remove()
    monitor = login("monitor")
    first = monitor.get("/opd").get_data(as_text=True)
    second = monitor.get("/opd?page=2").get_data(as_text=True)
    assert "OPD ditemukan: 48" in first
    assert 'aria-label="Halaman"' in first or "page=2" in first
    assert "Zz 29" in second and "Zz 29" not in first


def test_reviewer_sees_all_regions_and_filters_by_region(login, demo):
    reviewer = login("reviewer")
    page = reviewer.get("/opd").get_data(as_text=True)
    assert "is-invalid" not in page and "is-invalid" not in reviewer.get("/sk").get_data(
        as_text=True
    )
    assert "Badan Keuangan Daerah" in page and "Badan Keuangan dan Aset Daerah" in page
    konsel = reviewer.get(f"/opd?region={demo.regions['74.05']}").get_data(as_text=True)
    assert "Badan Keuangan dan Aset Daerah" in konsel and "Dinas Pertanian" not in konsel
    assert reviewer.get("/opd?region=abc").status_code == 200
    assert reviewer.get("/opd?region=99999").status_code == 200


def test_detail_shows_units_appointments_and_profile(login, demo):
    page = login("monitor").get(f"/opd/{demo.agency('DINKES')}").get_data(as_text=True)
    assert "Dinas Kesehatan" in page
    assert "UPTD Puskesmas Rumbia" in page  # its unit
    assert "Inovasi demo Dinas Kesehatan" in page  # its appointment
    assert "Data kantor belum diisi." in page


def test_officer_reads_only_its_own_agency(login, demo):
    officer = login("officer.bkd")
    assert officer.get(f"/opd/{demo.agency('BKD')}").status_code == 200
    assert officer.get(f"/opd/{demo.agency('DPMPTSP')}").status_code == 404
    assert officer.get("/opd").status_code == 403
    assert officer.get(f"/opd/{demo.agency('BKD')}/ubah").status_code == 403


def test_another_regions_agency_answers_404(login, demo):
    monitor = login("monitor")
    far = demo.agency("BKAD", "74.05")
    assert monitor.get(f"/opd/{far}").status_code == 404
    assert monitor.get(f"/opd/{far}/ubah").status_code == 404
    assert monitor.post(f"/opd/{far}/ubah", data=_new_agency_form()).status_code == 404
    assert login("monitor.konsel").get(f"/opd/{demo.agency('BKD')}").status_code == 404


def test_unknown_and_malformed_ids_answer_404(login):
    monitor = login("monitor")
    for url in ("/opd/0", "/opd/999999", "/opd/99999999999999999999", "/opd/abc", "/opd/-1"):
        assert monitor.get(url).status_code == 404, url


# --- create and edit -----------------------------------------------------------------------------


def test_monitor_creates_an_agency_below_a_parent(login, app, demo):
    monitor = login("monitor")
    response = monitor.post(
        "/opd/baru", data=_new_agency_form(parent_id=str(demo.agency("DINKES")))
    )
    assert response.status_code == 302
    agency_id = _find(app, "PKM-POLEANG", demo.regions["74.06"])
    assert agency_id is not None
    values = _agency(app, agency_id)
    assert values["parent_id"] == demo.agency("DINKES")
    assert values["is_demo"] is False and values["active"] is True
    page = monitor.get(response.headers["Location"]).get_data(as_text=True)
    assert "UPTD Puskesmas Poleang" in page and "OPD UPTD Puskesmas Poleang telah" in page
    with app.app_context(), scoped(Scope.system("test: audit"), db.session):
        entry = db.session.scalar(
            sa.select(AuditEntry)
            .where(AuditEntry.object_type == "Agency", AuditEntry.action == "create")
            .order_by(AuditEntry.id.desc())
            .limit(1)
        )
        assert entry is not None and entry.changes["code"]["after"] == "PKM-POLEANG"
        db.session.remove()


def test_duplicate_code_is_a_message_not_an_error(login, table_counts):
    monitor = login("monitor")
    before = table_counts()
    response = monitor.post("/opd/baru", data=_new_agency_form(code=" bkd "))
    assert response.status_code == 200
    assert "Kode BKD sudah dipakai OPD lain di daerah ini." in response.get_data(as_text=True)
    assert table_counts() == before


def test_same_code_in_another_region_is_allowed(login, app, demo):
    response = login("monitor.konsel").post(
        "/opd/baru", data=_new_agency_form(code="BKD", name="Badan Kepegawaian Daerah")
    )
    assert response.status_code == 302
    assert _find(app, "BKD", demo.regions["74.05"]) is not None


def test_bad_input_is_explained_and_nothing_saved(login, demo, table_counts):
    monitor = login("monitor")
    before = table_counts()
    cases = [
        (_new_agency_form(name="x" * 201), "Gunakan paling banyak 200 karakter."),
        (_new_agency_form(code="kode dengan spasi"), "tanpa spasi"),
        (_new_agency_form(code=""), "Isian ini wajib diisi."),
        (_new_agency_form(parent_id="abc"), "Pilih salah satu pilihan yang tersedia."),
        # Another region's agency is not offered as a parent.
        (
            _new_agency_form(parent_id=str(demo.agency("BKAD", "74.05"))),
            "Pilih salah satu pilihan yang tersedia.",
        ),
    ]
    for data, message in cases:
        response = monitor.post("/opd/baru", data=data)
        assert response.status_code == 200
        assert message in response.get_data(as_text=True), message
    assert table_counts() == before


def test_monitor_edits_an_agency(login, app, demo):
    dispar = demo.agency("DISPAR")
    form = login("monitor").get(f"/opd/{dispar}/ubah").get_data(as_text=True)
    assert 'value="Dinas Pariwisata"' in form
    response = login("monitor").post(
        f"/opd/{dispar}/ubah",
        data={"code": "DISPAR", "name": "Dinas Pariwisata dan Kebudayaan", "short_name": "Dispar"},
    )
    assert response.status_code == 302
    values = _agency(app, dispar)
    assert values["name"] == "Dinas Pariwisata dan Kebudayaan"
    assert values["active"] is False  # an unticked box deactivates


def test_parent_cannot_be_itself_or_a_descendant(login, demo, table_counts):
    monitor = login("monitor")
    dinkes, rumbia = demo.agency("DINKES"), demo.agency("PKM-RUMBIA")
    before = table_counts()
    base = {"code": "DINKES", "name": "Dinas Kesehatan", "short_name": "Dinkes", "active": "y"}
    for parent in (dinkes, rumbia):
        response = monitor.post(f"/opd/{dinkes}/ubah", data={**base, "parent_id": str(parent)})
        assert response.status_code == 200
        assert "Pilih salah satu pilihan yang tersedia." in response.get_data(as_text=True)
    assert table_counts() == before


def test_renaming_code_to_an_existing_one_is_refused(login, demo, table_counts):
    monitor = login("monitor")
    before = table_counts()
    response = monitor.post(
        f"/opd/{demo.agency('DISPAR')}/ubah",
        data={"code": "dinkes", "name": "Dinas Pariwisata", "short_name": "Dispar", "active": "y"},
    )
    assert "Kode DINKES sudah dipakai OPD lain di daerah ini." in response.get_data(as_text=True)
    assert table_counts() == before


def test_reviewer_cannot_create_or_edit(login, app, demo, table_counts):
    reviewer = login("reviewer")
    before = table_counts()
    bkd = demo.agency("BKD")
    assert reviewer.get("/opd/baru").status_code == 403
    assert reviewer.post("/opd/baru", data=_new_agency_form()).status_code == 403
    assert reviewer.get(f"/opd/{bkd}/ubah").status_code == 403
    response = reviewer.post(
        f"/opd/{bkd}/ubah", data={"code": "BKD", "name": "Diubah", "short_name": "BKD"}
    )
    assert response.status_code == 403
    assert table_counts() == before
    assert _agency(app, bkd)["name"] == "Badan Keuangan Daerah"
    page = reviewer.get(f"/opd/{bkd}").get_data(as_text=True)
    assert "Ubah OPD" not in page


def test_officer_cannot_manage_agencies(login, demo, table_counts):
    officer = login("officer.bkd")
    before = table_counts()
    assert officer.post("/opd/baru", data=_new_agency_form()).status_code == 403
    assert table_counts() == before


def test_admin_creates_an_agency_in_a_chosen_region(login, app, demo):
    admin = login("admin")
    form = admin.get(f"/opd/baru?region={demo.regions['74.05']}").get_data(as_text=True)
    assert 'name="region_id"' in form
    missing = admin.post("/opd/baru", data=_new_agency_form())
    assert "Pilih daerah." in missing.get_data(as_text=True)
    # A parent of another region than the one chosen is not one of the options offered (the
    # service refuses it too: test_service_refuses_a_parent_of_another_region).
    mismatch = admin.post(
        "/opd/baru",
        data=_new_agency_form(
            region_id=str(demo.regions["74.05"]), parent_id=str(demo.agency("DINKES"))
        ),
    )
    assert "Pilih salah satu pilihan yang tersedia." in mismatch.get_data(as_text=True)
    assert _find(app, "PKM-POLEANG", demo.regions["74.05"]) is None
    ok = admin.post(
        "/opd/baru", data=_new_agency_form(code="DINKES", region_id=str(demo.regions["74.05"]))
    )
    assert ok.status_code == 302
    assert _find(app, "DINKES", demo.regions["74.05"]) is not None


def test_pages_render_in_english_too(login, demo):
    monitor = login("monitor")
    monitor.post("/bahasa", data={"language": "en", "next": "/opd"})
    page = monitor.get("/opd").get_data(as_text=True)
    assert "New agency" in page and "Agencies found" in page
    form = monitor.post("/opd/baru", data=_new_agency_form(code="BKD")).get_data(as_text=True)
    assert "Another agency of this region already uses the code BKD." in form


# --- a national administrator: the region first, then its agencies as parent ---------------------


def test_admin_new_agency_offers_only_the_chosen_regions_agencies_as_parent(login, demo, app):
    extra = add_region(app, "74.91", active=2, inactive=1)
    admin = login("admin")
    page = admin.get("/opd/baru").get_data(as_text=True)
    assert option_values(page, "parent_id") == [""]
    assert str(extra.id) in option_values(page, "region_id")
    assert "Pilih daerah lalu tekan Tampilkan perangkat daerahnya" in page
    options = page.count("<option")

    add_agencies(app, demo.regions["74.06"], 40)
    add_agencies(app, extra.id, 10)
    assert admin.get("/opd/baru").get_data(as_text=True).count("<option") == options

    # A link with the region, or the form sent back by "Show its agencies": that region's
    # agencies (inactive ones too: a unit may sit below one), no other region's.
    linked = admin.get(f"/opd/baru?region={extra.id}").get_data(as_text=True)
    shown = admin.post(
        "/opd/baru", data={"region_id": str(extra.id), "show_agencies": "y"}
    ).get_data(as_text=True)
    for html in (linked, shown):
        offered = option_values(html, "parent_id")
        assert len(offered) == 1 + len(extra.active) + len(extra.inactive) + 10
        assert set(map(str, extra.active + extra.inactive)) <= set(offered)
        assert str(demo.agency("DINKES")) not in offered


def test_admin_creates_an_agency_by_region_then_parent(login, demo, app, table_counts):
    admin = login("admin")
    konsel, bkad = demo.regions["74.05"], demo.agency("BKAD", "74.05")
    data = _new_agency_form(code="UPT-BKAD", name="UPT Pendapatan Konsel", region_id=str(konsel))
    before = table_counts()
    shown = admin.post("/opd/baru", data={**data, "show_agencies": "y"})
    page = shown.get_data(as_text=True)
    assert shown.status_code == 200
    assert table_counts() == before, "showing the agencies saves nothing"
    assert 'value="UPT Pendapatan Konsel"' in page, "what was typed stays"
    assert str(bkad) in option_values(page, "parent_id")
    assert "is-invalid" not in page

    created = admin.post("/opd/baru", data={**data, "parent_id": str(bkad)})
    assert created.status_code == 302
    agency_id = _find(app, "UPT-BKAD", konsel)
    assert agency_id is not None
    values = _agency(app, agency_id)
    assert (values["region_id"], values["parent_id"]) == (konsel, bkad)


def test_an_old_agency_form_with_only_a_parent_gets_its_region(login, demo, app):
    bkad = demo.agency("BKAD", "74.05")
    response = login("admin").post(
        "/opd/baru", data=_new_agency_form(code="UPT-LAMA", parent_id=str(bkad))
    )
    assert response.status_code == 302
    agency_id = _find(app, "UPT-LAMA", demo.regions["74.05"])
    assert agency_id is not None
    assert _agency(app, agency_id)["parent_id"] == bkad


def test_admin_bad_region_or_parent_is_a_message_and_changes_nothing(login, demo, table_counts):
    admin = login("admin")
    konsel = str(demo.regions["74.05"])
    before = table_counts()
    cases = [
        ({"region_id": "999999"}, "Pilih salah satu pilihan yang tersedia."),
        ({"region_id": "abc"}, "Pilih daerah."),
        ({"region_id": "9" * 30}, "Pilih daerah."),
        ({"parent_id": "999999"}, "Pilih salah satu pilihan yang tersedia."),
        ({"region_id": konsel, "parent_id": str(demo.agency("BKD"))}, "Pilih salah satu"),
    ]
    for choice, message in cases:
        for extra in ({}, {"show_agencies": "y"}):
            response = admin.post("/opd/baru", data={**_new_agency_form(), **choice, **extra})
            assert response.status_code == 200, choice
            assert message in response.get_data(as_text=True), (choice, extra)
        assert (
            admin.get("/opd/baru", query_string={"region": choice.get("region_id", "")}).status_code
            == 200
        )
    assert table_counts() == before


def test_monitor_agency_form_has_no_region_choice(login, demo):
    page = login("monitor").get("/opd/baru").get_data(as_text=True)
    assert 'name="region_id"' not in page and 'name="show_agencies"' not in page
    offered = option_values(page, "parent_id")
    assert str(demo.agency("DINKES")) in offered
    assert str(demo.agency("BKAD", "74.05")) not in offered


def test_service_refuses_a_parent_of_another_region(app, demo):
    from puja_indah.agencies import services

    admin = Scope.system("test: the service checks the parent")
    with app.test_request_context(), scoped(admin, db.session):
        data = services.AgencyInput(
            code="SALAH",
            name="Salah Induk",
            short_name="Salah",
            parent_id=demo.agency("DINKES"),
            active=True,
            region_id=demo.regions["74.05"],
        )
        with pytest.raises(services.ServiceError) as refused:
            services.save_agency(admin, None, data)
        assert refused.value.field == "parent_id"
        db.session.rollback()
        db.session.remove()
