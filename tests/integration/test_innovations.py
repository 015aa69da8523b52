"""Innovation profiles: drafts and complete profiles, uniqueness, stage moves and their history,
stale forms refused with the other person's changes, publication, the list with its filters,
search and pages, and what each role may reach."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db
from puja_indah.innovations.models import (
    DESIGN_SECTIONS,
    Innovation,
    Origin,
    StageChange,
)
from puja_indah.reference.models import Affair, InitiatorKind, Theme

DESIGN = {name: " ".join(["langkah"] * 50) for name in DESIGN_SECTIONS}


def _hidden(page: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', page)
    assert match, name
    return html.unescape(match.group(1))


def _opened(client, url: str) -> dict[str, str]:
    page = client.get(url).get_data(as_text=True)
    data = {"version": _hidden(page, "version")}
    if 'name="opened"' in page:
        data["opened"] = _hidden(page, "opened")
    return data


def _refs(app) -> dict[str, Any]:
    with app.app_context(), scoped(Scope.system("test: reference ids"), db.session):
        affairs = list(db.session.scalars(sa.select(Affair.id).order_by(Affair.id)))
        themes = {
            t.year: t.id for t in db.session.scalars(sa.select(Theme).order_by(Theme.id.desc()))
        }
        initiator = db.session.scalar(sa.select(sa.func.min(InitiatorKind.id)))
        db.session.remove()
    return {"affairs": affairs, "themes": themes, "initiator": initiator}


def _innovation(app, **where: Any) -> dict[str, Any] | None:
    with app.app_context(), scoped(Scope.system("test: read innovation"), db.session):
        row = db.session.scalar(sa.select(Innovation).filter_by(**where))
        if row is None:
            db.session.remove()
            return None
        data = {c.key: getattr(row, c.key) for c in sa.inspect(Innovation).column_attrs}
        data["history"] = [
            (c.from_stage and c.from_stage.value, c.to_stage.value, c.changed_on, c.note)
            for c in row.stage_changes
        ]
        data["others"] = sorted(link.affair_id for link in row.other_affairs)
        db.session.remove()
    return data


def _id_of(app, name: str) -> int:
    found = _innovation(app, name=name)
    assert found is not None, name
    return int(found["id"])


def _full(refs: dict[str, Any], **changes: Any) -> dict[str, Any]:
    data = {
        "name": "Sistem antrean daring",
        "origin": "own",
        "summary": "Warga mengambil nomor antrean dari ponsel.",
        "initiator_kind_id": refs["initiator"],
        "initiator_name": "Kepala BKD",
        "kind": "digital",
        "form": "pelayanan_publik",
        "theme_id": refs["themes"][2026],
        "affair_id": refs["affairs"][0],
        "other_affair_ids": [refs["affairs"][1], refs["affairs"][2]],
        "developed_further": "no",
        "goals": "Mengurangi antrean.",
        "benefits": "Warga tidak menunggu lama.",
        **DESIGN,
    }
    data.update(changes)
    return data


# --- create, draft, complete ---------------------------------------------------------------------


def test_draft_then_complete_with_every_problem_listed(login, app, demo):
    officer = login("officer.bkd")
    refs = _refs(app)
    form = _opened(officer, "/innovations/new")
    assert form["version"] == "0"
    response = officer.post(
        "/innovations/new", data={**form, "name": "  Sistem   antrean daring ", "save_draft": "1"}
    )
    assert response.status_code == 302
    saved = _innovation(app, name="Sistem antrean daring")
    assert saved is not None
    assert saved["status"].value == "draft" and saved["agency_id"] == demo.agency("BKD")
    assert saved["region_id"] == demo.regions["74.06"]
    assert saved["name_key"] == "sistem antrean daring"
    assert [h[:2] for h in saved["history"]] == [(None, "inisiatif")]
    url = f"/innovations/{saved['id']}/edit"

    # Submitting as complete lists every problem beside its field, in Indonesian.
    short = {name: "satu dua tiga" for name in DESIGN_SECTIONS}
    data = {**_opened(officer, url), "name": "Sistem antrean daring", **short}
    response = officer.post(url, data={**data, "save_complete": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Profil tidak disimpan: perbaiki isian yang ditandai di bawah." in page
    assert page.count("Wajib diisi untuk profil lengkap pada tahapan ini.") == 10
    assert "Rancang bangun memerlukan paling sedikit 300 kata" in page
    assert "saat ini 18 kata" in page
    assert 'id="design-word-count">18<' in page  # the count shown beside the sections
    assert _innovation(app, id=saved["id"])["version"] == saved["version"]  # nothing saved

    data = {**_opened(officer, url), **_full(refs), "save_complete": "1"}
    response = officer.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    done = _innovation(app, id=saved["id"])
    assert done["status"].value == "complete" and done["completed_at"] is not None
    assert done["others"] == sorted([refs["affairs"][1], refs["affairs"][2]])
    detail = officer.get(f"/innovations/{saved['id']}").get_data(as_text=True)
    assert "Warga mengambil nomor antrean dari ponsel." in detail and "Lengkap" in detail
    # A complete profile stays complete: a save that empties a required field is refused.
    data = {**_opened(officer, url), **_full(refs, goals=""), "save_complete": "1"}
    assert officer.post(url, data=data).status_code == 200
    assert _innovation(app, id=saved["id"])["goals"] == "Mengurangi antrean."


def test_stage_rules_and_dates_when_complete(login, app):
    officer = login("officer.bkd")
    refs = _refs(app)
    form = _opened(officer, "/innovations/new")
    data = {
        **form,
        **_full(refs, stage="penerapan"),
        "trial_date": "2019-03-01",
        "implementation_date": "2019-02-01",
        "save_complete": "1",
    }
    page = officer.post("/innovations/new", data=data).get_data(as_text=True)
    assert "Tanggal penerapan tidak boleh sebelum tanggal uji coba." in page
    assert page.count("Wajib diisi untuk profil lengkap pada tahapan ini.") == 2  # results
    data.update(implementation_date="2019-04-01", results_before="Manual.", results_after="Daring.")
    assert officer.post("/innovations/new", data=data).status_code == 302
    saved = _innovation(app, name="Sistem antrean daring")
    assert saved["stage"].value == "penerapan" and saved["status"].value == "complete"


def test_bad_input_is_explained_and_nothing_saved(login, app, table_counts):
    officer = login("officer.bkd")
    before = table_counts()
    cases = [
        ({"name": ""}, "Isian ini wajib diisi."),
        ({"name": "x" * 201}, "Gunakan paling banyak 200 karakter."),
        ({"video_url": "javascript:alert(1)"}, "Awali alamat dengan https:// atau http://."),
        ({"kind": "quantum"}, "Pilih salah satu pilihan yang tersedia."),
        ({"theme_id": "999999"}, "Pilih salah satu pilihan yang tersedia."),
        ({"other_affair_ids": ["abc"]}, "Pilihan tidak valid."),
        ({"trial_date": "2019-13-40"}, "Tulis tanggal dengan format TTTT-BB-HH."),
        ({"design_problem": "x" * 6001}, "Gunakan paling banyak 6000 karakter."),
    ]
    for change, message in cases:
        data = {**_opened(officer, "/innovations/new"), "name": "Inovasi uji", **change}
        response = officer.post("/innovations/new", data={**data, "save_draft": "1"})
        assert response.status_code == 200, change
        assert message in response.get_data(as_text=True), message
    assert table_counts() == before


def test_name_is_unique_within_the_region_only(login, app, table_counts):
    # DPMPTSP (same region) already has "E-tracking perizinan" from the demo seed.
    officer = login("officer.bkd")
    before = table_counts()
    data = {**_opened(officer, "/innovations/new"), "name": "e-TRACKING   Perizinan"}
    response = officer.post("/innovations/new", data={**data, "save_draft": "1"})
    assert response.status_code == 200
    assert "Inovasi dengan nama ini sudah ada di daerah ini." in response.get_data(as_text=True)
    assert table_counts() == before
    # Another region may use the name.
    konsel = login("officer.konsel")
    data = {**_opened(konsel, "/innovations/new"), "name": "E-tracking perizinan"}
    assert konsel.post("/innovations/new", data={**data, "save_draft": "1"}).status_code == 302


def test_assigned_innovation_links_only_an_own_appointment(login, app, demo):
    officer = login("officer.bkd")
    with app.app_context(), scoped(Scope.system("test"), db.session):
        from puja_indah.agencies.models import Appointment

        own, other = (
            db.session.scalar(
                sa.select(Appointment.id).where(Appointment.agency_id == demo.agency(code))
            )
            for code in ("BKD", "DPMPTSP")
        )
        db.session.remove()
    base = {**_opened(officer, "/innovations/new"), "name": "Inovasi tugas", "origin": "assigned"}
    response = officer.post(
        "/innovations/new", data={**base, "appointment_id": other, "save_draft": "1"}
    )
    assert "Pilih salah satu pilihan yang tersedia." in response.get_data(as_text=True)
    assert _innovation(app, name="Inovasi tugas") is None
    response = officer.post(
        "/innovations/new", data={**base, "appointment_id": own, "save_draft": "1"}
    )
    assert response.status_code == 302
    saved = _innovation(app, name="Inovasi tugas")
    assert saved["appointment_id"] == own and saved["origin"] is Origin.ASSIGNED


# --- stages --------------------------------------------------------------------------------------


def test_stage_moves_are_dated_history(login, app):
    officer = login("officer.dpmptsp")
    innovation_id = _id_of(app, "E-tracking perizinan")
    url = f"/innovations/{innovation_id}/stage"
    start = _innovation(app, id=innovation_id)["history"][0][2]
    tomorrow = date.today() + timedelta(days=2)
    cases = [
        ({"to_stage": "uji_coba", "changed_on": tomorrow.isoformat()}, "Tanggal tidak boleh di"),
        (
            {"to_stage": "uji_coba", "changed_on": (start - timedelta(days=1)).isoformat()},
            "Tanggal tidak boleh sebelum perubahan sebelumnya",
        ),
        ({"to_stage": "inisiatif", "changed_on": start.isoformat()}, "sudah berada pada tahapan"),
        ({"to_stage": "bogus", "changed_on": start.isoformat()}, "Pilih salah satu pilihan"),
        ({"to_stage": "uji_coba", "changed_on": "kemarin"}, "Tulis tanggal dengan format"),
    ]
    for data, message in cases:
        response = officer.post(url, data={**_opened(officer, url), **data})
        assert response.status_code == 200
        assert message in response.get_data(as_text=True), message
    assert len(_innovation(app, id=innovation_id)["history"]) == 1

    response = officer.post(
        url, data={**_opened(officer, url), "to_stage": "uji_coba", "changed_on": start}
    )
    assert response.status_code == 302
    moved = _innovation(app, id=innovation_id)
    assert moved["stage"].value == "uji_coba" and moved["trial_date"] == start
    # Going back is a correction: it needs a note.
    back = {"to_stage": "inisiatif", "changed_on": start.isoformat()}
    page = officer.post(url, data={**_opened(officer, url), **back}).get_data(as_text=True)
    assert "Jelaskan pada catatan mengapa inovasi kembali" in page
    back["note"] = "Uji coba belum dimulai; salah catat."
    assert officer.post(url, data={**_opened(officer, url), **back}).status_code == 302
    history = _innovation(app, id=innovation_id)["history"]
    assert [(h[0], h[1]) for h in history] == [
        (None, "inisiatif"),
        ("inisiatif", "uji_coba"),
        ("uji_coba", "inisiatif"),
    ]
    detail = officer.get(f"/innovations/{innovation_id}").get_data(as_text=True)
    assert "Riwayat tahapan" in detail and "Uji coba belum dimulai; salah catat." in detail
    assert "koreksi" in detail


# --- no lost work --------------------------------------------------------------------------------


def test_stale_edit_is_refused_with_the_others_changes_and_keeps_input(login, app, demo):
    officer, lead = login("officer.bkd"), login("lead.bkd")
    innovation_id = _id_of(app, "E-tracking pencairan anggaran")
    url = f"/innovations/{innovation_id}/edit"
    original = _innovation(app, id=innovation_id)

    mine_opened = _opened(officer, url)  # the officer opens the form…
    theirs_opened = _opened(lead, url)  # …the lead too, and saves first
    theirs = {
        "name": "E-tracking pencairan anggaran",
        "origin": "assigned",
        "appointment_id": original["appointment_id"],
        "summary": "Ringkasan baru dari kepala.",
        "goals": "Tujuan dari kepala.",
        "implementation_date": "2018-09-20",
    }
    response = lead.post(url, data={**theirs_opened, **theirs, "save_draft": "1"})
    assert response.status_code == 302
    after_lead = _innovation(app, id=innovation_id)

    mine = {**theirs, "summary": original["summary"], "goals": "", "benefits": "Manfaat saya."}
    response = officer.post(url, data={**mine_opened, **mine, "save_draft": "1"})
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 409
    assert "Tidak disimpan: orang lain telah menyimpan inovasi ini" in page
    assert "Kepala BKD (demo)" in page  # who saved meanwhile
    changed = re.findall(r'<th scope="row">([^<]+)</th>', page)
    assert changed == ["Apa yang dilakukan (ringkasan)", "Tujuan"]
    assert "Ringkasan baru dari kepala." in page and "Tujuan dari kepala." in page
    assert original["summary"] in page  # the value the officer opened
    assert "Manfaat saya." in page  # the officer's input is kept
    after = _innovation(app, id=innovation_id)
    assert after["version"] == after_lead["version"] and after["benefits"] == ""

    # Saving again from the refreshed form knowingly applies the officer's values.
    again = {"version": _hidden(page, "version"), "opened": _hidden(page, "opened"), **mine}
    assert officer.post(url, data={**again, "save_draft": "1"}).status_code == 302
    final = _innovation(app, id=innovation_id)
    assert final["benefits"] == "Manfaat saya." and final["version"] == after["version"] + 1


def test_linked_affairs_alone_move_the_version(login, app):
    officer = login("officer.bkd")
    refs = _refs(app)
    innovation_id = _id_of(app, "E-tracking pencairan anggaran")
    url = f"/innovations/{innovation_id}/edit"
    stale = _opened(officer, url)
    base = {"name": "E-tracking pencairan anggaran", "origin": "own"}
    first = {**_opened(officer, url), **base, "other_affair_ids": [refs["affairs"][4]]}
    assert officer.post(url, data={**first, "save_draft": "1"}).status_code == 302
    second = {**stale, **base, "other_affair_ids": [refs["affairs"][5]], "save_draft": "1"}
    response = officer.post(url, data=second)
    assert response.status_code == 409
    assert "Urusan terkait lainnya" in response.get_data(as_text=True)
    assert _innovation(app, id=innovation_id)["others"] == [refs["affairs"][4]]


def test_stale_stage_move_is_refused(login, app):
    officer = login("officer.dpmptsp")
    innovation_id = _id_of(app, "E-tracking perizinan")
    stage_url = f"/innovations/{innovation_id}/stage"
    edit_url = f"/innovations/{innovation_id}/edit"
    stale = _opened(officer, stage_url)
    edit = {**_opened(officer, edit_url), "name": "E-tracking perizinan", "origin": "assigned"}
    edit["summary"] = "Ringkasan diubah."
    assert officer.post(edit_url, data={**edit, "save_draft": "1"}).status_code == 302
    today = date.today().isoformat()
    response = officer.post(stage_url, data={**stale, "to_stage": "uji_coba", "changed_on": today})
    assert response.status_code == 409
    assert "Ringkasan diubah." in html.unescape(response.get_data(as_text=True))
    assert _innovation(app, id=innovation_id)["stage"].value == "inisiatif"


# --- publication ---------------------------------------------------------------------------------


def test_only_a_complete_profile_is_published(login, app):
    officer = login("officer.bkd")
    refs = _refs(app)
    innovation_id = _id_of(app, "E-tracking pencairan anggaran")
    detail = f"/innovations/{innovation_id}"
    publish = f"/innovations/{innovation_id}/publish"
    response = officer.post(publish, data={**_opened(officer, detail), "publish": "1"})
    assert response.status_code == 302
    page = officer.get(detail).get_data(as_text=True)
    assert "Draf tidak dapat dipublikasikan" in page
    assert _innovation(app, id=innovation_id)["published"] is False

    url = f"/innovations/{innovation_id}/edit"
    data = {
        **_opened(officer, url),
        **_full(refs, name="E-tracking pencairan anggaran", stage=None),
        "origin": "assigned",
        "appointment_id": _innovation(app, id=innovation_id)["appointment_id"],
        "trial_date": "2018-08-01",
        "implementation_date": "2018-09-20",
        "results_before": "Berkas diantar dan ditanyakan langsung.",
        "results_after": "Tahapan dipantau dari ponsel.",
        "save_complete": "1",
    }
    assert officer.post(url, data=data).status_code == 302
    officer.post(publish, data={**_opened(officer, detail), "publish": "1"})
    published = _innovation(app, id=innovation_id)
    assert published["published"] is True and published["published_at"] is not None
    officer.post(publish, data={**_opened(officer, detail), "unpublish": "1"})
    assert _innovation(app, id=innovation_id)["published"] is False


# --- who sees and writes what --------------------------------------------------------------------


def _names(page: str) -> list[str]:
    return re.findall(r'<a href="/innovations/\d+">([^<]+)</a>', page)


def test_each_role_sees_its_scope(login, app):
    assert _names(login("officer.bkd").get("/innovations").get_data(as_text=True)) == [
        "E-tracking pencairan anggaran"
    ]
    monitor = _names(login("monitor").get("/innovations").get_data(as_text=True))
    assert monitor == [
        "E-minduk",
        "E-pintar",
        "E-tracking pencairan anggaran",
        "E-tracking perizinan",
    ]
    assert _names(login("monitor.konsel").get("/innovations").get_data(as_text=True)) == []
    assert len(_names(login("reviewer").get("/innovations").get_data(as_text=True))) == 4


def test_other_agency_ids_are_not_found_and_readers_never_write(login, app, table_counts):
    officer = login("officer.bkd")
    other = _id_of(app, "E-tracking perizinan")
    for url in (f"/innovations/{other}", f"/innovations/{other}/edit"):
        assert officer.get(url).status_code == 404
    for url in (f"/innovations/{other}/edit", f"/innovations/{other}/publish"):
        assert officer.post(url, data={"version": "1", "name": "x"}).status_code == 404
    for url in ("/innovations/0", "/innovations/99999999999", "/innovations/-1/edit"):
        assert officer.get(url).status_code == 404
    readers = {account: login(account) for account in ("monitor", "reviewer", "admin")}
    before = table_counts()
    for client in readers.values():
        assert client.get(f"/innovations/{other}").status_code == 200
        for url in (f"/innovations/{other}/edit", f"/innovations/{other}/stage"):
            assert client.post(url, data={"version": "1", "name": "x"}).status_code == 403
        assert client.post("/innovations/new", data={"name": "x"}).status_code == 403
    assert table_counts() == before


# --- list: filters, search, pages ----------------------------------------------------------------


def _add_many(app, demo, count: int) -> None:
    with app.app_context(), scoped(Scope.system("test: many innovations"), db.session):
        for n in range(count):
            innovation = Innovation(
                agency_id=demo.agency("BKD"),
                region_id=demo.regions["74.06"],
                origin=Origin.OWN,
                name=f"Inovasi nomor {n:02d}",
                name_key=f"inovasi nomor {n:02d}",
                summary="Layanan keliling desa" if n % 5 == 0 else "",
            )
            innovation.stage_changes.append(
                StageChange(
                    agency_id=demo.agency("BKD"), to_stage="inisiatif", changed_on=date(2026, 1, 1)
                )
            )
            db.session.add(innovation)
        db.session.commit()
        db.session.remove()


def test_pages_of_twenty_in_a_stable_order(login, app, demo):
    _add_many(app, demo, 25)
    officer = login("officer.bkd")
    first = _names(officer.get("/innovations").get_data(as_text=True))
    second = _names(officer.get("/innovations?page=2").get_data(as_text=True))
    assert len(first) == 20 and len(second) == 6
    assert first[0] == "E-tracking pencairan anggaran" and second[-1] == "Inovasi nomor 24"
    assert not set(first) & set(second)
    assert "Inovasi ditemukan: 26" in officer.get("/innovations").get_data(as_text=True)
    by_stage = _names(officer.get("/innovations?sort=stage").get_data(as_text=True))
    assert by_stage[0] == "E-tracking pencairan anggaran"  # penerapan first
    assert _names(officer.get("/innovations?page=99").get_data(as_text=True)) == []


def test_search_and_filters(login, app, demo):
    _add_many(app, demo, 6)
    monitor = login("monitor")
    found = _names(monitor.get("/innovations?q=pencairan").get_data(as_text=True))
    assert found == ["E-tracking pencairan anggaran"]
    # Summary text is searched, every word required.
    found = _names(monitor.get("/innovations?q=keliling+desa").get_data(as_text=True))
    assert found == ["Inovasi nomor 00", "Inovasi nomor 05"]
    assert _names(monitor.get("/innovations?q=keliling+kota").get_data(as_text=True)) == []
    stage = _names(monitor.get("/innovations?stage=penerapan").get_data(as_text=True))
    assert stage == ["E-tracking pencairan anggaran"]
    agency = demo.agency("DPMPTSP")
    assert _names(monitor.get(f"/innovations?agency={agency}").get_data(as_text=True)) == [
        "E-tracking perizinan"
    ]
    assert _names(monitor.get("/innovations?status=complete").get_data(as_text=True)) == []
    assert _names(monitor.get("/innovations?year=2026").get_data(as_text=True)) == []


def test_theme_year_and_affair_filters(login, app, demo):
    officer = login("officer.bkd")
    refs = _refs(app)
    form = _opened(officer, "/innovations/new")
    data = {**form, **_full(refs), "save_draft": "1"}
    assert officer.post("/innovations/new", data=data).status_code == 302
    monitor = login("monitor")
    assert _names(monitor.get("/innovations?year=2026").get_data(as_text=True)) == [
        "Sistem antrean daring"
    ]
    assert _names(monitor.get("/innovations?year=2023").get_data(as_text=True)) == []
    theme = refs["themes"][2026]
    assert len(_names(monitor.get(f"/innovations?theme={theme}").get_data(as_text=True))) == 1
    # The affair filter matches the main affair and the other related ones.
    for affair in refs["affairs"][:3]:
        page = monitor.get(f"/innovations?affair={affair}").get_data(as_text=True)
        assert _names(page) == ["Sistem antrean daring"]
    page = monitor.get(f"/innovations?affair={refs['affairs'][3]}").get_data(as_text=True)
    assert _names(page) == []
    assert len(_names(monitor.get("/innovations?kind=digital").get_data(as_text=True))) == 1
    assert len(_names(monitor.get("/innovations?form=tata_kelola").get_data(as_text=True))) == 0


def test_hostile_filter_values_give_a_message_never_an_error(login, app):
    monitor = login("monitor")
    hostile = [
        "stage=xxx",
        "year=abc",
        "year=99999999999999999999",
        "year=1200",
        "agency=-1",
        "agency=1e9",
        "affair=%00",
        "theme=99999999999999",
        "sort=id;drop",
        "page=-5",
        "page=99999999999999999999",
        "q=" + "x" * 500,
        'q="*+OR+NEAR(a+b)+-',
        "q=%27%3B--",
        "q=%E2%80%8B%F0%9F%98%80",
        "kind[]=1",
    ]
    for query in hostile:
        response = monitor.get(f"/innovations?{query}")
        assert response.status_code == 200, query
        page = response.get_data(as_text=True)
        assert "Inovasi ditemukan" in page, query
    page = monitor.get("/innovations?year=abc").get_data(as_text=True)
    assert "Beberapa saringan tidak dapat dipahami" in page
    assert "Tulis tahun dengan empat angka." in page
    page = monitor.get("/innovations?year=1200").get_data(as_text=True)
    assert "Tulis tahun antara 2000 dan 2200." in page
    page = monitor.get("/innovations?stage=xxx").get_data(as_text=True)
    assert "Pilih salah satu pilihan yang tersedia." in page


def test_search_follows_edits_and_uses_the_index(login, app, test_database):
    officer = login("officer.bkd")
    innovation_id = _id_of(app, "E-tracking pencairan anggaran")
    url = f"/innovations/{innovation_id}/edit"
    data = {
        **_opened(officer, url),
        "name": "E-tracking pencairan anggaran",
        "origin": "own",
        "design_method": "Kode batang ditempel pada map berkas.",
        "save_draft": "1",
    }
    assert officer.post(url, data=data).status_code == 302
    assert _names(officer.get("/innovations?q=batang+berkas").get_data(as_text=True)) == [
        "E-tracking pencairan anggaran"
    ]
    data = {**data, **_opened(officer, url), "design_method": "Diganti."}
    assert officer.post(url, data=data).status_code == 302
    assert _names(officer.get("/innovations?q=batang").get_data(as_text=True)) == []
    if test_database.backend != "postgresql":
        return
    # The query's expression is the indexed one. Checked as the table owner: for the application
    # role, row-level security's qual comes first and PostgreSQL keeps the (not leakproof) @@
    # above it, so there the scan goes through the agency's rows instead (a region has tens).
    from sqlalchemy.dialects import postgresql

    from puja_indah.innovations import search

    with app.app_context():
        stmt = sa.select(Innovation.id).where(search.condition("pencairan", "postgresql"))
        sql = str(
            stmt.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
        )
        with test_database.owner_engine.begin() as conn:
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
            plan = "\n".join(row[0] for row in conn.exec_driver_sql("EXPLAIN " + sql))
    assert "ix_innovations_search" in plan


def test_national_scope_filters_by_region_then_its_agencies(login, app, demo):
    """The reviewer's agency select lists only the chosen region's agencies (never every agency
    in the country); an old `?agency=` link gets its region filled in; bad ids are reported."""
    reviewer = login("reviewer")
    page = reviewer.get("/innovations").get_data(as_text=True)
    assert 'name="region"' in page
    assert "Pilih daerah lalu tekan Saring" in page
    agency = demo.agency("DPMPTSP")
    agencies = re.search(r'<select[^>]*name="agency".*?</select>', page, re.S)
    assert agencies and "<option" in agencies.group(0)
    assert agencies.group(0).count("<option") == 1  # no agency before a region is chosen
    region = demo.regions["74.06"]
    page = reviewer.get(f"/innovations?region={region}").get_data(as_text=True)
    assert f'<option value="{agency}"' in page
    assert _names(page)  # the region's innovations
    for query in (f"agency={agency}", f"region={region}&agency={agency}"):
        page = reviewer.get(f"/innovations?{query}").get_data(as_text=True)
        assert _names(page) == ["E-tracking perizinan"], query
        assert re.search(rf'<option (selected )?value="{region}"( selected)?>', page), query
    for query in ("region=999999", "region=abc", f"region=999999&agency={agency}", "agency=999999"):
        response = reviewer.get(f"/innovations?{query}")
        assert response.status_code == 200, query
        assert "Inovasi ditemukan" in response.get_data(as_text=True), query
    page = reviewer.get("/innovations?region=999999").get_data(as_text=True)
    assert "Pilih salah satu pilihan yang tersedia." in page
