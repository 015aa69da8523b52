"""Reference lists on screen: monitors and admins edit, others read; conflicts and used rows are
refused with a message, never an error page."""

from __future__ import annotations

import sqlalchemy as sa

from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db
from puja_indah.reference.models import Affair, InitiatorKind, Theme
from tests.integration.progress_helpers import affair_id, make_innovation


def _row(app, model, **where):
    with app.app_context(), scoped(Scope.system("test: read reference"), db.session):
        stmt = sa.select(model)
        for name, value in where.items():
            stmt = stmt.where(getattr(model, name) == value)
        row = db.session.scalar(stmt)
        values = None if row is None else {c.key: getattr(row, c.key) for c in model.__table__.c}
        db.session.remove()
    return values


def test_everyone_signed_in_reads_the_lists(login):
    for account in ("officer.bkd", "monitor", "reviewer", "admin"):
        client = login(account)
        page = client.get("/reference/affairs").get_data(as_text=True)
        assert "Kesehatan" in page
        assert "Ditandai sebagai pelayanan dasar: 6 dari" in page
        themes = client.get("/reference/themes?year=2026").get_data(as_text=True)
        assert "Kemudahan Investasi" in themes and "data demo" in themes
        assert "Kepala Daerah" in client.get("/reference/initiator-kinds").get_data(as_text=True)
        editable = account in ("monitor", "admin")
        assert ("/reference/affairs/new" in page) is editable


def test_theme_filter_by_year_and_bad_filters(login, app):
    monitor = login("monitor")
    page = monitor.get("/reference/themes?year=2023").get_data(as_text=True)
    assert page.count("<tr>") == 1 + 4  # header and the four 2023 themes
    for bad in ("abc", "99999", "1999", ""):
        assert monitor.get(f"/reference/themes?year={bad}").status_code == 200


def test_monitor_edits_an_affair_and_flags_basic_service(login, app):
    monitor = login("monitor")
    tenaga = _row(app, Affair, code="2.07")
    response = monitor.post(
        f"/reference/affairs/{tenaga['id']}/edit",
        data={
            "code": "2.07",
            "name": "Tenaga Kerja dan Transmigrasi",
            "basic_service": "y",
            "sort_order": "7",
            "active": "y",
        },
    )
    assert response.status_code == 302
    saved = _row(app, Affair, code="2.07")
    assert saved["name"] == "Tenaga Kerja dan Transmigrasi" and saved["basic_service"] is True
    page = monitor.get("/reference/affairs").get_data(as_text=True)
    assert "Ditandai sebagai pelayanan dasar: 7 dari" in page


def test_admin_adds_deactivates_and_deletes_a_theme(login, app):
    admin = login("admin")
    response = admin.post(
        "/reference/themes/new", data={"year": "2027", "name": "Ekonomi Hijau", "active": "y"}
    )
    assert response.status_code == 302
    theme = _row(app, Theme, year=2027, name="Ekonomi Hijau")
    assert theme["is_demo"] is False and theme["active"] is True
    response = admin.post(
        f"/reference/themes/{theme['id']}/edit", data={"year": "2027", "name": "Ekonomi Hijau"}
    )
    assert response.status_code == 302 and _row(app, Theme, id=theme["id"])["active"] is False
    assert "Nonaktif" in admin.get("/reference/themes?year=2027").get_data(as_text=True)
    assert admin.post(f"/reference/themes/{theme['id']}/delete").status_code == 302
    assert _row(app, Theme, id=theme["id"]) is None


def test_duplicates_are_refused_with_a_message(login, app, table_counts):
    monitor = login("monitor")
    before = table_counts()
    response = monitor.post(
        "/reference/affairs/new",
        data={"code": "1.02", "name": "Kesehatan lagi", "sort_order": "1", "active": "y"},
    )
    assert response.status_code == 200
    assert "Urusan lain sudah memakai kode 1.02." in response.get_data(as_text=True)
    response = monitor.post(
        "/reference/themes/new", data={"year": "2026", "name": "non tematik", "active": "y"}
    )
    assert "Tema tahun 2026 sudah memuat non tematik." in response.get_data(as_text=True)
    response = monitor.post(
        "/reference/initiator-kinds/new", data={"code": "ASN", "name": "X", "sort_order": "0"}
    )
    assert "Jenis inisiator lain sudah memakai kode ASN." in response.get_data(as_text=True)
    # Renaming a theme onto another one of the same year is refused too.
    other = _row(app, Theme, year=2026, name="Kemudahan Investasi")
    response = monitor.post(
        f"/reference/themes/{other['id']}/edit",
        data={"year": "2026", "name": "Non Tematik", "is_demo": "y"},
    )
    assert response.status_code == 200 and "sudah memuat" in response.get_data(as_text=True)
    assert table_counts() == before


def test_bad_input_is_refused(login, table_counts):
    monitor = login("monitor")
    before = table_counts()
    for data in (
        {"code": "", "name": "X", "sort_order": "0"},
        {"code": "a b", "name": "X", "sort_order": "0"},
        {"code": "9.99", "name": "X" * 201, "sort_order": "0"},
        {"code": "9.99", "name": "X", "sort_order": "100000"},
        {"code": "9.99", "name": "X", "sort_order": "satu"},
    ):
        response = monitor.post("/reference/affairs/new", data=data)
        assert response.status_code == 200 and "is-invalid" in response.get_data(as_text=True)
    for year in ("1999", "2201", "abc", ""):
        response = monitor.post("/reference/themes/new", data={"year": year, "name": "X"})
        assert response.status_code == 200 and "is-invalid" in response.get_data(as_text=True)
    assert table_counts() == before


def test_a_used_row_is_not_deleted(login, app, demo, table_counts):
    # Used by an innovation of another region: the monitor of Bombana cannot see it, but the
    # count that guards the delete covers every region.
    make_innovation(app, demo.agency("BKAD", "74.05"), "Inovasi Konsel", affair="2.16")
    monitor = login("monitor")
    kominfo = affair_id(app, "2.16")
    before = table_counts()
    response = monitor.post(f"/reference/affairs/{kominfo}/delete", follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "digunakan oleh 1 inovasi sehingga tidak dapat dihapus" in page
    assert table_counts() == before
    # Deactivating is the way: the row stays on the innovation.
    response = monitor.post(
        f"/reference/affairs/{kominfo}/edit",
        data={"code": "2.16", "name": "Komunikasi dan Informatika", "sort_order": "16"},
    )
    assert response.status_code == 302 and _row(app, Affair, id=kominfo)["active"] is False
    # An unused one can be deleted.
    unused = _row(app, InitiatorKind, code="masyarakat")
    assert monitor.post(f"/reference/initiator-kinds/{unused['id']}/delete").status_code == 302
    assert _row(app, InitiatorKind, code="masyarakat") is None


def test_reviewer_and_officer_cannot_edit(login, app, table_counts):
    clients = [login("reviewer"), login("officer.bkd"), login("lead.bkd")]
    kesehatan = affair_id(app, "1.02")
    before = table_counts()
    for client in clients:
        data = {"code": "1.02", "name": "Diubah", "sort_order": "1"}
        assert client.post(f"/reference/affairs/{kesehatan}/edit", data=data).status_code == 403
        assert client.post("/reference/affairs/new", data={**data, "code": "X"}).status_code == 403
        assert client.post(f"/reference/affairs/{kesehatan}/delete").status_code == 403
        assert client.get("/reference/themes/new").status_code == 403
    assert table_counts() == before
    assert _row(app, Affair, id=kesehatan)["name"] == "Kesehatan"
