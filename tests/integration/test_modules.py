"""Service modules: a separately installed distribution adds a module through the
`puja_indah.modules` entry-point group, without touching core; switching it on and off per agency
decides whether its pages exist (404 when off); requirements between modules hold."""

from __future__ import annotations

import importlib
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from puja_indah import create_app
from puja_indah.core import registry
from puja_indah.core.registry import ModuleActivation
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db
from puja_indah.seed import DEMO_PASSWORD
from tests.conftest import Demo, TestDatabase, make_test_config

MODULE_SOURCE = """
from flask import Blueprint
from puja_indah.core.permissions import can_use_app, requires
from puja_indah.core.registry import Metric, ServiceModule

bp = Blueprint("puja_hello", __name__)


@bp.route("/")
@requires(can_use_app)
def index():
    return "hello from an installed module"


class HelloModule(ServiceModule):
    code = "hello"
    name = "Hello"
    blueprint = bp

    def metrics(self, agency_id):
        return [Metric("greetings", "Greetings", 1, indicator=33)]


class HelloExtraModule(ServiceModule):
    code = "hello_extra"
    name = "Hello extra"
    requires = ("hello",)
"""


def _build_wheel(directory: Path) -> Path:
    """A real wheel of a tiny distribution `puja-hello` that advertises two modules."""
    wheel = directory / "puja_hello-0.1-py3-none-any.whl"
    info = "puja_hello-0.1.dist-info"
    files = {
        "puja_hello/__init__.py": MODULE_SOURCE,
        f"{info}/METADATA": "Metadata-Version: 2.1\nName: puja-hello\nVersion: 0.1\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
        f"{info}/entry_points.txt": "[puja_indah.modules]\n"
        "hello = puja_hello:HelloModule\nhello_extra = puja_hello:HelloExtraModule\n",
    }
    record = "".join(f"{name},,\n" for name in files) + f"{info}/RECORD,,\n"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
        archive.writestr(f"{info}/RECORD", record)
    return wheel


@pytest.fixture
def module_app(tmp_path: Path, test_database: TestDatabase, app: Flask) -> Iterator[Flask]:
    """A second app built after `pip install` put the distribution on the path."""
    target = tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-index", "--no-deps"]
    subprocess.run(
        [*pip, "--disable-pip-version-check", "--target", str(target), str(_build_wheel(tmp_path))],
        check=True,
        capture_output=True,
    )
    sys.path.insert(0, str(target))
    importlib.invalidate_caches()
    built = None
    try:
        built = create_app(make_test_config(test_database))
        yield built
    finally:
        if built is not None:
            with built.app_context():
                db.engine.dispose()  # its own engine: close the pool, not leave it to the GC
        sys.path.remove(str(target))
        sys.modules.pop("puja_hello", None)
        importlib.invalidate_caches()


def _sign_in(application: Flask, account: str) -> FlaskClient:
    client = application.test_client()
    response = client.post(
        "/masuk", data={"email": f"{account}@demo.pujaindah.id", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    return client


def _switch(client: FlaskClient, agency_id: int, code: str, on: bool) -> str:
    response = client.post(
        f"/modul/{agency_id}/{code}", data={"on": "1" if on else "0"}, follow_redirects=True
    )
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_an_installed_distribution_adds_a_module_that_agencies_switch(
    module_app: Flask, demo: Demo
) -> None:
    with module_app.app_context():
        assert set(registry.registered()) >= {"hello", "hello_extra"}
        metrics = registry.get("hello").metrics(demo.agency("BKD"))  # type: ignore[union-attr]
        assert metrics[0].indicator == 33

    lead = _sign_in(module_app, "lead.bkd")
    officer = _sign_in(module_app, "officer.bkd")
    other_officer = _sign_in(module_app, "officer.dpmptsp")
    assert officer.get("/m/hello/").status_code == 404  # off until someone switches it on

    page = _switch(lead, demo.agency("BKD"), "hello", on=True)
    assert "Hello" in page
    assert officer.get("/m/hello/").get_data(as_text=True) == "hello from an installed module"
    assert other_officer.get("/m/hello/").status_code == 404  # on for BKD only

    # A lead switches only its own agency's modules: another agency's switch does not exist.
    assert lead.post(f"/modul/{demo.agency('DPMPTSP')}/hello", data={"on": "1"}).status_code == 404
    # An officer may not switch at all; an unknown module code is not found.
    assert officer.post(f"/modul/{demo.agency('BKD')}/hello", data={"on": "0"}).status_code == 403
    assert lead.post(f"/modul/{demo.agency('BKD')}/nope", data={"on": "1"}).status_code == 404

    monitor = _sign_in(module_app, "monitor")
    _switch(monitor, demo.agency("BKD"), "hello", on=False)
    assert officer.get("/m/hello/").status_code == 404
    with module_app.app_context(), scoped(Scope.system("tests: read"), db.session):
        row = db.session.scalar(
            sa.select(ModuleActivation).where(
                ModuleActivation.agency_id == demo.agency("BKD"),
                ModuleActivation.module_code == "hello",
            )
        )
        assert row is not None and row.enabled is False and row.changed_by_id is not None


def test_requirements_between_modules_are_kept(module_app: Flask, demo: Demo) -> None:
    lead = _sign_in(module_app, "lead.bkd")
    bkd = demo.agency("BKD")
    assert "Nyalakan dulu: Hello." in _switch(lead, bkd, "hello_extra", on=True)
    _switch(lead, bkd, "hello", on=True)
    _switch(lead, bkd, "hello_extra", on=True)
    refused = _switch(lead, bkd, "hello", on=False)
    assert "Matikan dulu modul yang membutuhkannya: Hello extra." in refused
    with module_app.app_context():
        assert registry.enabled_codes(bkd) == {"etracking", "hello", "hello_extra"}


def test_reviewer_and_other_region_monitor_cannot_switch(module_app: Flask, demo: Demo) -> None:
    bkd = demo.agency("BKD")
    reviewer = _sign_in(module_app, "reviewer")
    assert reviewer.post(f"/modul/{bkd}/hello", data={"on": "1"}).status_code == 403
    far_monitor = _sign_in(module_app, "monitor.konsel")
    assert far_monitor.post(f"/modul/{bkd}/hello", data={"on": "1"}).status_code == 404
    with module_app.app_context():
        assert registry.enabled_codes(bkd) == {"etracking"}  # as seeded


def test_switchboard_lists_the_built_in_modules(login) -> None:
    page = login("monitor").get("/modul").get_data(as_text=True)
    assert "e-Tracking (berkas melalui tahapan loket)" in page
