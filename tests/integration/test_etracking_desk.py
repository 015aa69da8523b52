"""The e-tracking desk's home: built in, on for BKD and DPMPTSP in the demo, 404 when off."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from tests.conftest import Demo


def test_desk_lists_the_seeded_process(login: Callable[[str], FlaskClient]) -> None:
    page = login("officer.bkd").get("/m/etracking/").get_data(as_text=True)
    assert "Loket e-Tracking" in page
    assert "Pencairan anggaran (SPM → SP2D)" in page
    assert "Siapkan proses dari templat" not in page  # only the lead sets the desk up


def test_lead_installs_a_second_preset_once(
    login: Callable[[str], FlaskClient], table_counts: Callable[[], dict[str, int]]
) -> None:
    lead = login("lead.bkd")
    page = lead.post("/m/etracking/presets/dpmptsp_permit", follow_redirects=True)
    assert "Proses “Perizinan” siap di loket ini." in page.get_data(as_text=True)
    before = table_counts()
    lead.post("/m/etracking/presets/dpmptsp_permit", follow_redirects=True)
    assert table_counts() == before  # installed once
    assert lead.post("/m/etracking/presets/unknown").status_code == 404


def test_desk_is_not_found_once_the_module_is_off(
    login: Callable[[str], FlaskClient], demo: Demo
) -> None:
    officer = login("officer.bkd")
    assert officer.get("/m/etracking/").status_code == 200
    monitor = login("monitor")
    monitor.post(f"/modul/{demo.agency('BKD')}/etracking", data={"on": "0"})
    assert officer.get("/m/etracking/").status_code == 404
    # The navigation no longer offers it.
    assert "/m/etracking/" not in officer.get("/").get_data(as_text=True)
