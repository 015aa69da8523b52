"""Milestones (add, edit, stale refusal, delete, attachments) and the progress roll-ups."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from puja_indah.core.audit import AuditEntry
from puja_indah.core.models import Role
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.evidence.models import Evidence
from puja_indah.extensions import db
from puja_indah.innovations.models import Stage
from puja_indah.progress import queries
from puja_indah.progress.models import Milestone, MilestoneAttachment
from tests.integration.progress_helpers import make_innovation

# These tests build their own innovations and hand-worked figures: start without the demo ones.
pytestmark = pytest.mark.usefixtures("no_demo_innovations")


def _hidden(page: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', page)
    assert match, name
    return html.unescape(match.group(1))


def _milestones(app, innovation_id):
    with app.app_context(), scoped(Scope.system("test: read milestones"), db.session):
        rows = [
            {
                "title": m.title,
                "progress": m.progress,
                "public": m.public,
                "on": m.happened_on,
                "version": m.version,
                "documents": sorted(a.evidence_id for a in m.attachments),
            }
            for m in db.session.scalars(
                sa.select(Milestone)
                .where(Milestone.innovation_id == innovation_id)
                .order_by(Milestone.id)
            )
        ]
        db.session.remove()
    return rows


def test_officer_adds_a_milestone_with_documents_and_a_new_link(login, app, demo):
    ids = make_innovation(
        app,
        demo.agency("BKD"),
        "E-tracking pencairan",
        documents=("SK Kepala BKD", "Laporan uji coba"),
        stage_changes=((date(2024, 9, 20), None, Stage.INITIATIVE),),
    )
    officer = login("officer.bkd")
    innovation = ids["innovation"]
    page = officer.get(f"/innovations/{innovation}/milestones/new").get_data(as_text=True)
    assert "SK Kepala BKD" in page and "Laporan uji coba" in page
    response = officer.post(
        f"/innovations/{innovation}/milestones/new",
        data={
            "happened_on": "2025-02-10",
            "title": "Uji coba  di BKD selesai",
            "description": "Tiga puluh SPM dilacak.",
            "progress": "45",
            "public": "y",
            "evidence_ids": [str(ids["documents"][1])],
            "new_link_title": "Video sosialisasi",
            "new_link_url": "https://example.org/video",
        },
    )
    assert response.status_code == 302
    (saved,) = _milestones(app, innovation)
    assert saved["title"] == "Uji coba di BKD selesai"
    assert saved["progress"] == 45 and saved["public"] is True
    assert len(saved["documents"]) == 2 and ids["documents"][1] in saved["documents"]
    with app.app_context(), scoped(Scope.system("test"), db.session):
        link = db.session.scalar(sa.select(Evidence).where(Evidence.title == "Video sosialisasi"))
        assert link.link_url == "https://example.org/video" and link.innovation_id == innovation
        assert link.agency_id == demo.agency("BKD") and not link.files
        db.session.remove()
    timeline = officer.get(f"/innovations/{innovation}/timeline").get_data(as_text=True)
    assert "Uji coba di BKD selesai" in timeline and "Video sosialisasi" in timeline
    assert 'id="progress-value">45 %' in timeline
    assert "Publik" in timeline and "Inisiatif" in timeline  # milestone and stage change merged
    assert timeline.index("Uji coba di BKD selesai") < timeline.index("Inisiatif")  # newest first
    # Monitors and reviewers read the timeline but get no edit links.
    for reader in ("monitor", "reviewer"):
        page = login(reader).get(f"/innovations/{innovation}/timeline").get_data(as_text=True)
        assert "Uji coba di BKD selesai" in page and "/milestones/new" not in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("progress", "101", "Masukkan bilangan bulat dari 0 sampai 100."),
        ("progress", "-1", "Masukkan bilangan bulat dari 0 sampai 100."),
        ("progress", "sepuluh", None),
        ("happened_on", "2025-13-40", "Tulis tanggal dengan format TTTT-BB-HH."),
        (
            "happened_on",
            (date.today() + timedelta(days=3)).isoformat(),
            "Tanggal tidak boleh di masa depan.",
        ),
        ("title", "x" * 201, None),
        ("title", "   ", None),
        ("new_link_url", "javascript:alert(1)", None),
        ("evidence_ids", "abc", "Pilih salah satu pilihan yang tersedia."),
    ],
)
def test_bad_input_is_refused_and_nothing_changes(
    login, app, demo, table_counts, field, value, message
):
    ids = make_innovation(app, demo.agency("BKD"), "Inovasi uji")
    officer = login("officer.bkd")
    before = table_counts()
    data = {"happened_on": "2025-01-01", "title": "Judul", "progress": "10", field: value}
    if field == "new_link_url":
        data["new_link_title"] = "Tautan"
    response = officer.post(f"/innovations/{ids['innovation']}/milestones/new", data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "is-invalid" in page or message in page
    if message:
        assert message in page
    assert table_counts() == before


def test_attaching_another_agencys_document_is_refused(login, app, demo, table_counts):
    own = make_innovation(app, demo.agency("BKD"), "Inovasi BKD", documents=("Milik BKD",))
    other = make_innovation(
        app, demo.agency("DPMPTSP"), "Inovasi DPMPTSP", documents=("Milik DPMPTSP",)
    )
    other_same_agency = make_innovation(
        app, demo.agency("BKD"), "Inovasi BKD lain", documents=("Dokumen inovasi lain",)
    )
    officer = login("officer.bkd")
    before = table_counts()
    for document in (other["documents"][0], other_same_agency["documents"][0]):
        response = officer.post(
            f"/innovations/{own['innovation']}/milestones/new",
            data={
                "happened_on": "2025-01-01",
                "title": "Curang",
                "progress": "10",
                "evidence_ids": [str(document)],
            },
        )
        assert response.status_code == 200
        assert "Pilih salah satu pilihan yang tersedia." in response.get_data(as_text=True)
    assert table_counts() == before
    # Another agency's innovation and its timeline do not exist for this officer.
    assert officer.get(f"/innovations/{other['innovation']}/timeline").status_code == 404
    assert officer.get(f"/innovations/{other['innovation']}/milestones/new").status_code == 404


def test_service_refuses_foreign_documents_even_without_the_form(app, demo):
    from puja_indah.progress import services

    own = make_innovation(app, demo.agency("BKD"), "Inovasi BKD")
    other = make_innovation(app, demo.agency("DPMPTSP"), "Inovasi lain", documents=("X",))
    scope = Scope.for_membership(Role.AGENCY_OFFICER, demo.agency("BKD"), None)
    with app.test_request_context(), scoped(scope, db.session):
        innovation = queries.innovation(own["innovation"])
        data = services.MilestoneInput(
            date(2025, 1, 1), "Judul", "", 10, False, [other["documents"][0]]
        )
        with pytest.raises(services.ServiceError) as refused:
            services._validate(innovation, data)
        assert refused.value.field == "evidence_ids"
        db.session.rollback()
        db.session.remove()


def test_edit_and_stale_form_is_refused_showing_what_changed(login, app, demo):
    ids = make_innovation(
        app, demo.agency("BKD"), "Inovasi edit", milestones=((date(2025, 1, 1), 20),)
    )
    innovation, milestone = ids["innovation"], ids["milestones"][0]
    url = f"/innovations/{innovation}/milestones/{milestone}/edit"
    officer, lead = login("officer.bkd"), login("lead.bkd")
    officer_page = officer.get(url).get_data(as_text=True)
    lead_page = lead.get(url).get_data(as_text=True)
    base = {"happened_on": "2025-01-01", "title": "Inovasi edit 2025-01-01", "progress": "20"}

    def opened(page):
        return {"version": _hidden(page, "version"), "opened": _hidden(page, "opened")}

    # The lead saves first.
    response = lead.post(url, data={**opened(lead_page), **base, "progress": "55"})
    assert response.status_code == 302
    # The officer's form is stale: refused, the lead's change is named, the input is kept.
    response = officer.post(
        url, data={**opened(officer_page), **base, "title": "Versi operator", "progress": "30"}
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "orang lain mengubah tonggak capaian ini" in page
    assert re.search(r"<strong>Kemajuan \(%\)</strong>:\s*55", page)
    assert 'value="Versi operator"' in page and 'value="30"' in page
    assert _milestones(app, innovation)[0]["progress"] == 55
    # Saving again from the refreshed form knowingly replaces the lead's value.
    response = officer.post(
        url, data={**opened(page), **base, "title": "Versi operator", "progress": "30"}
    )
    assert response.status_code == 302
    saved = _milestones(app, innovation)[0]
    assert saved["title"] == "Versi operator" and saved["progress"] == 30


def test_attachment_only_change_also_bumps_the_version(login, app, demo):
    ids = make_innovation(
        app,
        demo.agency("BKD"),
        "Inovasi lampiran",
        milestones=((date(2025, 1, 1), 20),),
        documents=("Dok A",),
    )
    url = f"/innovations/{ids['innovation']}/milestones/{ids['milestones'][0]}/edit"
    officer = login("officer.bkd")
    page = officer.get(url).get_data(as_text=True)
    data = {
        "version": _hidden(page, "version"),
        "opened": _hidden(page, "opened"),
        "happened_on": "2025-01-01",
        "title": "Inovasi lampiran 2025-01-01",
        "progress": "20",
        "evidence_ids": [str(ids["documents"][0])],
    }
    assert officer.post(url, data=data).status_code == 302
    saved = _milestones(app, ids["innovation"])[0]
    assert saved["documents"] == ids["documents"] and saved["version"] == 2
    # The same (now stale) form again: refused.
    assert officer.post(url, data={**data, "evidence_ids": []}).status_code == 409


def test_delete_asks_then_deletes_and_is_audited(login, app, demo):
    ids = make_innovation(
        app,
        demo.agency("BKD"),
        "Inovasi hapus",
        milestones=((date(2025, 1, 1), 20), (date(2025, 2, 1), 70)),
        documents=("Dok",),
    )
    innovation, first, second = ids["innovation"], *ids["milestones"]
    with app.app_context(), scoped(Scope.system("test"), db.session):
        db.session.add(
            MilestoneAttachment(
                agency_id=demo.agency("BKD"), milestone_id=second, evidence_id=ids["documents"][0]
            )
        )
        db.session.commit()
        db.session.remove()
    officer = login("officer.bkd")
    url = f"/innovations/{innovation}/milestones/{second}/delete"
    confirm = officer.get(url)
    assert confirm.status_code == 200 and "Hapus tonggak capaian" in confirm.get_data(as_text=True)
    assert len(_milestones(app, innovation)) == 2  # asking deletes nothing
    response = officer.post(url, data={})
    assert response.status_code == 302
    assert [m["progress"] for m in _milestones(app, innovation)] == [20]
    with app.app_context(), scoped(Scope.system("test"), db.session):
        assert db.session.scalar(sa.select(sa.func.count(MilestoneAttachment.id))) == 0
        assert db.session.get(Evidence, ids["documents"][0]) is not None  # the document stays
        entry = db.session.scalar(
            sa.select(AuditEntry)
            .where(AuditEntry.object_type == "Milestone", AuditEntry.object_id == str(second))
            .order_by(AuditEntry.id.desc())
        )
        assert entry is not None and entry.action == "delete"
        db.session.remove()
    page = officer.get(f"/innovations/{innovation}/timeline").get_data(as_text=True)
    assert 'id="progress-value">20 %' in page
    assert officer.post(url, data={}).status_code == 404  # already gone
    assert first


def test_readers_and_other_agencies_cannot_write(login, app, demo, table_counts):
    ids = make_innovation(
        app, demo.agency("BKD"), "Inovasi baca", milestones=((date(2025, 1, 1), 20),)
    )
    innovation, milestone = ids["innovation"], ids["milestones"][0]
    clients = {account: login(account) for account in ("monitor", "reviewer", "admin")}
    other = login("officer.dpmptsp")
    before = table_counts()
    data = {"happened_on": "2025-01-01", "title": "X", "progress": "99"}
    for client in clients.values():
        assert (
            client.post(f"/innovations/{innovation}/milestones/new", data=data).status_code == 403
        )
        url = f"/innovations/{innovation}/milestones/{milestone}"
        assert client.post(f"{url}/edit", data=data).status_code == 403
        assert client.post(f"{url}/delete", data={}).status_code == 403
    assert other.post(f"/innovations/{innovation}/milestones/new", data=data).status_code == 404
    assert other.post(f"/innovations/{innovation}/milestones/{milestone}/delete").status_code == 404
    assert table_counts() == before


# --- roll-ups ------------------------------------------------------------------------------------


@pytest.fixture
def seeded(app, demo):
    """Five innovations with hand-checked progress:
    BKD      A (1.02) 20 → 90 (entered last, dated Feb) → 60 (dated Mar): 60
             B (1.02) no milestone: 0
             C (no affair) 30 then 100 on the same date: 100
    DPMPTSP  D (2.18) 50
    Konsel   E (1.02) 80
    """
    bkd, dpmptsp, bkad = demo.agency("BKD"), demo.agency("DPMPTSP"), demo.agency("BKAD", "74.05")
    make_innovation(
        app,
        bkd,
        "A",
        affair="1.02",
        milestones=((date(2025, 1, 1), 20), (date(2025, 3, 1), 60), (date(2025, 2, 1), 90)),
    )
    make_innovation(app, bkd, "B", affair="1.02")
    make_innovation(app, bkd, "C", milestones=((date(2025, 5, 5), 30), (date(2025, 5, 5), 100)))
    make_innovation(app, dpmptsp, "D", affair="2.18", milestones=((date(2025, 4, 1), 50),))
    make_innovation(app, bkad, "E", affair="1.02", milestones=((date(2025, 4, 1), 80),))
    return {"bkd": bkd, "dpmptsp": dpmptsp, "bkad": bkad}


def _roll_up(app, scope, region=None):
    with app.test_request_context(), scoped(scope, db.session):
        result = queries.roll_up(scope, region)
        db.session.remove()
    return result


def _figures(f):
    return (f.innovations, f.with_milestones, f.completed, round(f.mean_progress, 2))


def test_roll_up_of_a_monitor_covers_its_region(app, demo, seeded):
    scope = Scope.for_membership(Role.REGION_MONITOR, None, demo.regions["74.06"])
    result = _roll_up(app, scope)
    assert _figures(result.total) == (4, 3, 1, 52.5)  # (60 + 0 + 100 + 50) / 4
    by_agency = {row.agency_id: _figures(row.figures) for row in result.agencies}
    assert by_agency == {seeded["bkd"]: (3, 2, 1, 53.33), seeded["dpmptsp"]: (1, 1, 0, 50.0)}
    by_affair = {
        row.code: _figures(row.figures) for row in result.affairs if row.figures.innovations
    }
    assert by_affair == {"1.02": (2, 1, 0, 30.0), "2.18": (1, 1, 0, 50.0), "": (1, 1, 1, 100.0)}
    basic = [row.code for row in result.affairs if row.basic_service]
    assert basic == ["1.01", "1.02", "1.03", "1.04", "1.05", "1.06"]
    assert (result.basic_service_covered, result.basic_service_total) == (1, 6)


def test_roll_up_of_an_officer_covers_its_agency(app, demo, seeded):
    scope = Scope.for_membership(Role.AGENCY_OFFICER, seeded["bkd"], None)
    result = _roll_up(app, scope)
    assert _figures(result.total) == (3, 2, 1, 53.33)
    assert [row.agency_id for row in result.agencies] == [seeded["bkd"]]


def test_roll_up_national_with_and_without_region_filter(app, demo, seeded):
    scope = Scope.for_membership(Role.NATIONAL_REVIEWER, None, None)
    everything = _roll_up(app, scope)
    assert _figures(everything.total) == (5, 4, 1, 58.0)  # (60 + 0 + 100 + 50 + 80) / 5
    kesehatan = next(row for row in everything.affairs if row.code == "1.02")
    assert _figures(kesehatan.figures) == (3, 2, 0, 46.67)  # (60 + 0 + 80) / 3
    konsel = _roll_up(app, scope, demo.regions["74.05"])
    assert _figures(konsel.total) == (1, 1, 0, 80.0)
    assert [row.agency_id for row in konsel.agencies] == [seeded["bkad"]]
    # A monitor cannot widen its view with the region parameter.
    monitor = Scope.for_membership(Role.REGION_MONITOR, None, demo.regions["74.06"])
    assert _figures(_roll_up(app, monitor, demo.regions["74.05"]).total) == (4, 3, 1, 52.5)


def test_roll_up_page_for_each_role(login, demo, seeded):
    page = login("officer.bkd").get("/progress").get_data(as_text=True)
    assert (
        f'data-agency="{seeded["bkd"]}"' in page
        and f'data-agency="{seeded["dpmptsp"]}"' not in page
    )
    assert "53,3 %" in page
    page = login("monitor").get("/progress").get_data(as_text=True)
    assert "52,5 %" in page and f'data-agency="{seeded["bkad"]}"' not in page
    assert "Urusan pelayanan dasar yang memiliki sedikitnya satu inovasi: 1 dari 6." in page
    admin = login("admin")
    assert "58,0 %" in admin.get("/progress").get_data(as_text=True)
    page = admin.get(f"/progress?region={demo.regions['74.05']}").get_data(as_text=True)
    assert "80,0 %" in page and f'data-agency="{seeded["bkad"]}"' in page
    # A bad filter is ignored, never a 500.
    for bad in ("abc", "99999999999999", "-1", "0"):
        assert admin.get(f"/progress?region={bad}").status_code == 200
    assert login("reviewer").get("/progress").status_code == 200
