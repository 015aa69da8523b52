"""The agency's own profile (/profil-opd): created on first save, refused when stale."""

from __future__ import annotations

import html
import re

import sqlalchemy as sa

from puja_indah.agencies.models import AgencyProfile
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db

FIELDS = {
    "address": "Jl. Poros Kasipute No. 1, Rumbia",
    "phone": "(0401) 123-456",
    "email": "bkd@bombanakab.go.id",
    "website": "https://bkd.bombanakab.go.id",
    "office_hours": "Senin–Jumat 08.00–16.00 WITA",
    "head_name": "Kepala BKD",
    "innovation_contact": "Operator e-tracking, 0812 0000 0000",
}


def _hidden(page: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', page)
    assert match, name
    return html.unescape(match.group(1))


def _opened_form(client) -> dict[str, str]:
    page = client.get("/profil-opd").get_data(as_text=True)
    return {"version": _hidden(page, "version"), "opened": _hidden(page, "opened")}


def _profile(app, agency_id):
    with app.app_context(), scoped(Scope.system("test: read profile"), db.session):
        profile = db.session.scalar(
            sa.select(AgencyProfile).where(AgencyProfile.agency_id == agency_id)
        )
        values = (
            None
            if profile is None
            else {name: getattr(profile, name) for name in (*FIELDS, "version")}
        )
        db.session.remove()
    return values


def test_first_save_creates_the_profile(login, app, demo):
    officer = login("officer.bkd")
    page = officer.get("/profil-opd").get_data(as_text=True)
    assert "Badan Keuangan Daerah" in page and 'for="innovation_contact"' in page
    assert _profile(app, demo.agency("BKD")) is None
    response = officer.post("/profil-opd", data={**_opened_form(officer), **FIELDS})
    assert response.status_code == 302
    saved = _profile(app, demo.agency("BKD"))
    assert saved == {**FIELDS, "version": 1}
    assert "Data kantor telah disimpan." in officer.get("/profil-opd").get_data(as_text=True)
    # The monitor sees the details on the agency page; another agency's profile is untouched.
    detail = login("monitor").get(f"/opd/{demo.agency('BKD')}").get_data(as_text=True)
    assert "Jl. Poros Kasipute No. 1, Rumbia" in detail
    assert _profile(app, demo.agency("DPMPTSP")) is None


def test_stale_form_is_refused_with_the_others_changes_and_keeps_input(login, app, demo):
    officer, lead = login("officer.bkd"), login("lead.bkd")
    officer.post("/profil-opd", data={**_opened_form(officer), **FIELDS})

    stale = _opened_form(officer)  # the officer opens the form…
    lead_form = _opened_form(lead)  # …the lead opens it too and saves first
    lead_values = {**FIELDS, "phone": "0401 999 999", "head_name": "Drs. Kepala Baru"}
    assert lead.post("/profil-opd", data={**lead_form, **lead_values}).status_code == 302

    mine = {**FIELDS, "address": "Kantor Bupati Lantai 2", "phone": "0401 111 111"}
    response = officer.post("/profil-opd", data={**stale, **mine})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Tidak disimpan: orang lain telah menyimpan data ini" in page
    assert "<strong>Telepon</strong>: 0401 999 999" in page
    assert "<strong>Kepala OPD</strong>: Drs. Kepala Baru" in page
    assert "<strong>Alamat kantor</strong>" not in page  # the lead did not change the address
    assert "Kantor Bupati Lantai 2" in page and 'value="0401 111 111"' in page  # input kept
    assert _profile(app, demo.agency("BKD")) == {**lead_values, "version": 2}  # unchanged

    # Saving again from the refreshed form knowingly replaces the lead's values.
    again = {"version": _hidden(page, "version"), "opened": _hidden(page, "opened"), **mine}
    assert officer.post("/profil-opd", data=again).status_code == 302
    assert _profile(app, demo.agency("BKD")) == {**mine, "version": 3}


def test_profile_created_meanwhile_is_a_conflict(login, app, demo):
    officer, lead = login("officer.bkd"), login("lead.bkd")
    stale = _opened_form(officer)
    assert stale["version"] == "0"
    lead.post("/profil-opd", data={**_opened_form(lead), **FIELDS})
    response = officer.post("/profil-opd", data={**stale, **FIELDS, "phone": "0401 2"})
    assert response.status_code == 409
    assert _profile(app, demo.agency("BKD"))["phone"] == FIELDS["phone"]


def test_bad_input_is_explained_and_nothing_saved(login, app, demo, table_counts):
    officer = login("officer.bkd")
    before = table_counts()
    cases = [
        ({"email": "bukan-email"}, "Tulis alamat e-mail yang benar."),
        ({"website": "javascript:alert(1)"}, "Awali alamat dengan https:// atau http://."),
        ({"phone": "telp <b>"}, "Gunakan hanya angka, spasi, dan tanda + ( ) -."),
        ({"address": "x" * 301}, "Gunakan paling banyak 300 karakter."),
        ({"head_name": "x" * 121}, "Gunakan paling banyak 120 karakter."),
    ]
    for change, message in cases:
        data = {**_opened_form(officer), **FIELDS, **change}
        response = officer.post("/profil-opd", data=data)
        assert response.status_code == 200
        assert message in response.get_data(as_text=True), message
    for broken in ({"version": ""}, {"version": "abc"}, {"version": "9" * 20}):
        data = {**_opened_form(officer), **FIELDS, **broken}
        response = officer.post("/profil-opd", data=data)
        assert response.status_code == 200
        assert "Muat ulang halaman" in response.get_data(as_text=True)
    # A tampered snapshot only changes what the conflict message lists.
    data = {**_opened_form(officer), **FIELDS, "opened": "{not json"}
    assert officer.post("/profil-opd", data=data).status_code == 302
    assert table_counts()["agency_profiles"] == before["agency_profiles"] + 1


def test_only_the_agencys_own_people_edit_it(login, demo, table_counts):
    before = None
    for account in ("monitor", "reviewer", "admin"):
        client = login(account)
        before = before or table_counts()
        assert client.get("/profil-opd").status_code == 403, account
        assert client.post("/profil-opd", data={"version": "0", **FIELDS}).status_code == 403
    assert table_counts()["agency_profiles"] == before["agency_profiles"]
    assert login("lead.bkd").get("/profil-opd").status_code == 200
