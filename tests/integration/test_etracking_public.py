"""The public status page and the code lookup: what a visitor with a code sees, what they never
see, how a mistyped code differs from an unknown one, and the limits of an open page."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from puja_indah.agencies.models import AgencyProfile
from puja_indah.core.models import Role
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db
from puja_indah.modules.etracking import codes, status_queries
from puja_indah.modules.etracking.models import FileAction
from tests.conftest import Demo
from tests.integration.etracking_files import (
    SECRET_AMOUNT,
    SECRET_APPLICANT,
    SECRET_NUMBER,
    SECRET_REASON,
    at,
    make_file,
    step,
    switch_module,
)

TYPO_ID = "kesalahan ketik"
UNKNOWN_ID = "Kami tidak menemukan berkas dengan kode ini"


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_status_page_shows_the_stages_with_times_and_the_desk(
    app: Flask, client: FlaskClient, demo: Demo
) -> None:
    made = make_file(app, demo.agency("BKD"), received=at("2026-11-02", "09:00"))
    for when in ("09:40", "11:00"):
        step(app, made, FileAction.ADVANCE, at("2026-11-02", when))
    response = client.get(f"/s/{made.code}")
    assert response.status_code == 200
    page = _text(response)
    assert '<html lang="id">' in page
    assert "Pencairan anggaran (SPM → SP2D)" in page
    assert "SPM Langsung (LS)" in page
    assert codes.display(made.code) in page
    # Two stages done with their times (WITA), the third is current, the rest still to come.
    assert page.count("s-done") == 2 and page.count("s-current") == 1
    assert page.count("s-todo") == 5
    assert "2 Nov 2026, 09.00 WITA" in page and "2 Nov 2026, 11.00 WITA" in page
    assert "Pemeriksaan anggaran" in page  # the current stage's public label
    assert "sedang diproses" in page
    # Received weeks ago: the current stage (3 working hours) is long overdue.
    assert "Terlambat" in page
    assert "Badan Keuangan Daerah" in page
    assert "kunjungi loket Badan Keuangan Daerah" in page  # no contact entered: no invented one
    assert "<script" not in page
    # Public by code but about one person's file: never in a shared cache, always revalidated.
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert response.headers["ETag"]


def test_a_new_file_is_on_time_and_the_desk_contact_is_shown(
    app: Flask, client: FlaskClient, demo: Demo
) -> None:
    bkd = demo.agency("BKD")
    with app.app_context(), scoped(Scope.for_membership(Role.AGENCY_LEAD, bkd, None), db.session):
        db.session.add(
            AgencyProfile(
                agency_id=bkd,
                address="Jl. Poros Rumbia (demo)",
                phone="0401 123 456",
                email="loket@bkd.example",
                office_hours="Senin–Jumat 08.00–16.00",
                head_name="Kepala Rahasia Sekali",
                innovation_contact="Kontak Inovasi Pribadi",
            )
        )
        db.session.commit()
        db.session.remove()
    made = make_file(app, bkd)
    page = _text(client.get(f"/s/{made.code}"))
    assert "Tepat waktu" in page
    assert "Jl. Poros Rumbia (demo)" in page and 'href="tel:0401123456"' in page
    assert "loket@bkd.example" in page and "Senin–Jumat 08.00–16.00" in page
    # People's names in the profile are not the desk's contact.
    assert "Kepala Rahasia Sekali" not in page and "Kontak Inovasi Pribadi" not in page


def test_private_data_never_reaches_the_page(app: Flask, client: FlaskClient, demo: Demo) -> None:
    spm = make_file(
        app,
        demo.agency("BKD"),
        received=at("2026-11-03", "08:30"),
        submitter_id=demo.agency("DPMPTSP"),
    )
    step(app, spm, FileAction.ADVANCE, at("2026-11-03", "09:00"))
    step(app, spm, FileAction.RETURN, at("2026-11-03", "10:00"), reason=SECRET_REASON)
    permit = make_file(app, demo.agency("DPMPTSP"), "dpmptsp_permit")
    amount = f"{SECRET_AMOUNT:.2f}"
    forbidden = [
        SECRET_NUMBER,
        SECRET_APPLICANT,
        SECRET_REASON,
        "Zulkarnain",
        amount,
        amount.replace(".", ","),
        "987.654.321",
        "987,654,321",
        "987654321",
        "officer.bkd",
    ]
    spm_page = client.get(f"/s/{spm.code}").data
    permit_page = client.get(f"/s/{permit.code}").data
    assert b"dikembalikan untuk perbaikan" in spm_page
    assert b"Permohonan izin (demo)" in permit_page
    assert b"Dinas Penanaman Modal" not in spm_page  # the submitting agency of the SPM
    for page in (spm_page, permit_page):
        for value in forbidden:
            assert value.encode() not in page, value


def test_the_page_and_its_stylesheet_weigh_under_30_kb(
    app: Flask, client: FlaskClient, demo: Demo
) -> None:
    made = make_file(app, demo.agency("BKD"), received=at("2026-11-02", "09:00"))
    step(app, made, FileAction.ADVANCE, at("2026-11-02", "10:00"))
    page = client.get(f"/s/{made.code}")
    assets = re.findall(r'<(?:link|script|img)[^>]+(?:href|src)="([^"]+)"', _text(page))
    assert len(assets) == 1  # one stylesheet, no framework, no script, no image
    total = len(page.data)
    for asset in assets:
        fetched = client.get(asset)
        assert fetched.status_code == 200
        total += len(fetched.data)
        fetched.close()
    assert total < 30_000, total


def test_a_mistyped_code_is_explained_without_a_lookup(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_lookup(*args: object, **kwargs: object) -> None:
        raise AssertionError("a malformed code must not be looked up")

    monkeypatch.setattr(status_queries, "public_status", no_lookup)
    good = codes.new_code()
    wrong_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    for typed in ("ABC", wrong_check, good[:-1] + "!", "x" * 40):
        response = client.get(f"/s/{typed}")
        assert response.status_code == 404
        assert TYPO_ID in _text(response)
        lookup = client.get("/lacak", query_string={"kode": typed})
        assert lookup.status_code == 200
        assert TYPO_ID in _text(lookup) and 'aria-invalid="true"' in _text(lookup)
    assert client.get("/lacak", query_string={"kode": "A" * 500}).status_code == 200


def _message(response) -> str:
    return re.search(r'<p class="msg[^"]*" role="alert"[^>]*>(.*?)</p>', _text(response)).group(1)


def test_an_unknown_code_and_a_switched_off_desk_answer_alike(
    app: Flask, client: FlaskClient, demo: Demo
) -> None:
    made = make_file(app, demo.agency("BKD"))
    assert client.get(f"/s/{made.code}").status_code == 200
    switch_module(app, demo.agency("BKD"), enabled=False)
    off = client.get(f"/s/{made.code}")
    never = client.get(f"/s/{codes.new_code()}")
    assert off.status_code == never.status_code == 404
    assert UNKNOWN_ID in _message(off)
    assert _message(off) == _message(never)
    assert TYPO_ID not in _text(off)
    assert "Badan Keuangan Daerah" not in _text(off)


def test_lookup_form_leads_to_the_canonical_page(
    app: Flask, client: FlaskClient, demo: Demo
) -> None:
    empty = client.get("/lacak")
    assert empty.status_code == 200
    assert "Cara mengikuti berkas Anda" in _text(empty)
    made = make_file(app, demo.agency("BKD"))
    typed = codes.display(made.code).lower().replace("-", " ")
    response = client.get("/lacak", query_string={"kode": typed})
    assert response.status_code == 302 and response.location.endswith(f"/s/{made.code}")
    sloppy = client.get(f"/s/{codes.display(made.code).lower()}")
    assert sloppy.status_code == 302 and sloppy.location.endswith(f"/s/{made.code}")


def test_open_pages_are_rate_limited_with_a_friendly_page(client: FlaskClient) -> None:
    statuses = [client.get("/lacak").status_code for _ in range(31)]
    assert statuses[:30] == [200] * 30 and statuses[30] == 429
    page = client.get("/lacak")
    assert page.status_code == 429
    assert "Mohon tunggu sebentar" in _text(page)
    assert "bootstrap" not in _text(page)
    code = codes.new_code()
    codes_statuses = [client.get(f"/s/{code}").status_code for _ in range(31)]
    assert codes_statuses[0] == 404 and codes_statuses[-1] == 429


def test_the_page_is_revalidated_and_never_stale_after_a_step(
    app: Flask, client: FlaskClient, demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    from puja_indah.modules.etracking import status

    # One minute throughout: the page states the minute it was checked.
    monkeypatch.setattr(status, "utcnow", lambda: at("2026-11-03", "10:00"))
    made = make_file(app, demo.agency("BKD"), received=at("2026-11-02", "09:00"))
    first = client.get(f"/s/{made.code}")
    etag = first.headers["ETag"]
    same = client.get(f"/s/{made.code}", headers={"If-None-Match": etag})
    assert same.status_code == 304 and not same.data
    # Another visitor's copy carries another session's form token: no 304 for it.
    other = app.test_client().get(f"/s/{made.code}", headers={"If-None-Match": etag})
    assert other.status_code == 200
    token = re.compile(r'name="csrf_token" value="([^"]+)"')
    assert token.search(_text(other)).group(1) != token.search(_text(first)).group(1)

    step(app, made, FileAction.ADVANCE, at("2026-11-02", "09:40"))
    after = client.get(f"/s/{made.code}", headers={"If-None-Match": etag})
    assert after.status_code == 200 and after.headers["ETag"] != etag
    page = _text(after)
    assert page.count("s-done") == 1 and page.count("s-current") == 1
    # The same facts come back from the rendering kept for them, the stage change included.
    assert _text(client.get(f"/s/{made.code}")).count("s-done") == 1


def test_the_page_follows_the_chosen_language(app: Flask, client: FlaskClient, demo: Demo) -> None:
    made = make_file(app, demo.agency("BKD"))
    page = _text(client.get(f"/s/{made.code}"))
    assert 'action="/bahasa"' in page
    client.post("/bahasa", data={"language": "en", "next": f"/s/{made.code}"})
    english = _text(client.get(f"/s/{made.code}"))
    assert '<html lang="en">' in english
    assert "in process" in english and "Stages" in english and "On time" in english
    assert "sedang diproses" not in english


def test_a_file_left_open_for_years_still_shows_its_status(
    app: Flask, client: FlaskClient, demo: Demo
) -> None:
    # Beyond the span working-time arithmetic walks: the timing is left out, not a server error.
    made = make_file(app, demo.agency("BKD"), received=at("2012-03-05", "09:00"))
    response = client.get(f"/s/{made.code}")
    assert response.status_code == 200
    page = _text(response)
    assert "sedang diproses" in page and "Terlambat" not in page and "Tepat waktu" not in page
