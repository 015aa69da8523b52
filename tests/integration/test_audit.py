"""Audit trail screens (/jejak-audit): who sees which entries, the before/after table, filters that
never fail, the chain check, and a trail the database itself keeps append-only."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa

from puja_indah.audit.queries import entries_visible_in
from puja_indah.core import rls
from puja_indah.core.audit import AuditEntry
from puja_indah.core.models import Role
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db


def latest_entry_id(app, action: str, object_id: int, object_type: str = "User") -> int:
    with app.app_context(), scoped(Scope.system("tests: read audit"), db.session):
        entry_id = db.session.scalar(
            sa.select(sa.func.max(AuditEntry.id)).where(
                AuditEntry.action == action,
                AuditEntry.object_type == object_type,
                AuditEntry.object_id == str(object_id),
            )
        )
        db.session.remove()
    assert entry_id is not None, f"no {action} entry about {object_id}"
    return int(entry_id)


def entry_links(page: str) -> set[int]:
    return {int(n) for n in re.findall(r'href="/jejak-audit/(\d+)"', page)}


def lock(login, demo, account: str) -> int:
    """Lock a demo account through the users screens as the Bombana monitor; returns its id."""
    user_id = demo.users[account]
    assert login("monitor").post(f"/pengguna/{user_id}/kunci").status_code == 302
    return user_id


# --- what a change looks like ---------------------------------------------------------------


def test_a_lock_made_in_the_app_appears_with_before_and_after(login, demo, app):
    user_id = lock(login, demo, "officer.bkd")
    named = latest_entry_id(app, "account_locked", user_id)
    row_change = latest_entry_id(app, "update", user_id)

    monitor = login("monitor")
    listing = monitor.get("/jejak-audit").get_data(as_text=True)
    assert named in entry_links(listing)
    assert "Akun dikunci" in listing

    page = monitor.get(f"/jejak-audit/{named}").get_data(as_text=True)
    assert "locked_at" in page
    assert "Sebelum" in page and "Sesudah" in page
    table = page[page.index('data-testid="changes"') :]
    before_after = r"<code>locked_at</code></th>\s*<td[^>]*>–</td>\s*<td[^>]*>[^<–]+2026"
    assert re.search(before_after, table)
    assert "monitor@demo.pujaindah.id" in page

    # The automatic row-change entry (no agency: a user belongs to none) is the admin's to read.
    admin_page = login("admin").get(f"/jejak-audit/{row_change}").get_data(as_text=True)
    assert "locked_at" in admin_page and "Akun pengguna" in admin_page


def test_the_users_detail_page_lists_recent_entries_about_the_user(login, demo, app):
    user_id = lock(login, demo, "officer.bkd")
    named = latest_entry_id(app, "account_locked", user_id)
    page = login("monitor").get(f"/pengguna/{user_id}").get_data(as_text=True)
    assert f'href="/jejak-audit/{named}"' in page


# --- who sees what ---------------------------------------------------------------------------


def test_monitor_of_another_region_sees_no_bombana_entry(login, demo, app):
    user_id = lock(login, demo, "officer.bkd")
    named = latest_entry_id(app, "account_locked", user_id)
    konsel = login("monitor.konsel")
    assert named not in entry_links(konsel.get("/jejak-audit").get_data(as_text=True))
    assert konsel.get(f"/jejak-audit/{named}").status_code == 404
    # Filtering by a Bombana agency is refused with a message, not a 500 and not a leak.
    filtered = konsel.get(f"/jejak-audit?agency={demo.agency('BKD')}")
    assert filtered.status_code == 200
    assert "Pilih salah satu pilihan yang tersedia." in filtered.get_data(as_text=True)
    assert named not in entry_links(filtered.get_data(as_text=True))


def test_lead_sees_its_own_agency_entries_only(login, demo, app):
    bkd_user = lock(login, demo, "officer.bkd")
    dpmptsp_user = lock(login, demo, "officer.dpmptsp")
    own = latest_entry_id(app, "account_locked", bkd_user)
    other = latest_entry_id(app, "account_locked", dpmptsp_user)

    lead = login("lead.bkd")
    links = entry_links(lead.get("/jejak-audit").get_data(as_text=True))
    assert own in links and other not in links
    assert lead.get(f"/jejak-audit/{own}").status_code == 200
    assert lead.get(f"/jejak-audit/{other}").status_code == 404

    with app.app_context():
        scope = Scope.for_membership(Role.AGENCY_LEAD, demo.agency("BKD"), None)
        agencies = set(
            db.session.scalars(entries_visible_in(scope).with_only_columns(AuditEntry.agency_id))
        )
        db.session.remove()
    assert agencies == {demo.agency("BKD")}


def test_every_scope_reads_through_one_rule(app, demo):
    """Monitors: their region's entries; reviewers and admins: all; officers: none."""
    bombana = demo.regions["74.06"]
    with app.app_context(), scoped(Scope.system("tests: audit visibility"), db.session):
        total = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
        cases: list[tuple[Scope, Any]] = [
            (Scope.for_membership(Role.REGION_MONITOR, None, bombana), bombana),
            (Scope.for_membership(Role.NATIONAL_REVIEWER, None, None), "all"),
            (Scope.for_membership(Role.PLATFORM_ADMIN, None, None), "all"),
            (Scope.for_membership(Role.AGENCY_OFFICER, demo.agency("BKD"), None), "none"),
            (Scope.anonymous(), "none"),
        ]
        for scope, expected in cases:
            rows = db.session.execute(
                entries_visible_in(scope).with_only_columns(AuditEntry.region_id)
            ).all()
            if expected == "all":
                assert len(rows) == total
            elif expected == "none":
                assert rows == []
            else:
                assert {r.region_id for r in rows} <= {expected}
        db.session.remove()


@pytest.mark.parametrize("account", ["reviewer", "admin"])
def test_reviewers_and_admins_see_every_region(login, demo, app, account):
    user_id = lock(login, demo, "officer.bkd")
    named = latest_entry_id(app, "account_locked", user_id)
    browser = login(account)
    assert browser.get(f"/jejak-audit/{named}").status_code == 200
    assert browser.get("/jejak-audit").status_code == 200


def test_national_scope_filters_by_region_then_its_agencies(login, demo, app):
    """A national scope's agency select lists only the chosen region's agencies (never every
    agency in the country); an old `?agency=` link gets its region filled in; bad ids are
    reported (200, never 500)."""
    user_id = lock(login, demo, "officer.bkd")
    named = latest_entry_id(app, "account_locked", user_id)
    admin = login("admin")
    bombana, konsel = demo.regions["74.06"], demo.regions["74.05"]
    bkd = demo.agency("BKD")

    def agency_select(html: str) -> str:
        found = re.search(r'<select[^>]*name="agency".*?</select>', html, re.S)
        assert found
        return found.group(0)

    html = admin.get("/jejak-audit").get_data(as_text=True)
    assert agency_select(html).count("<option") == 1  # before a region is chosen
    assert "Pilih daerah lalu tekan Saring" in html
    html = admin.get(f"/jejak-audit?region={bombana}").get_data(as_text=True)
    assert f'<option value="{bkd}"' in agency_select(html)
    assert f'value="{demo.agency("BKAD", "74.05")}"' not in agency_select(html)
    assert named in entry_links(html)
    assert named not in entry_links(
        admin.get(f"/jejak-audit?region={konsel}").get_data(as_text=True)
    )
    html = admin.get(f"/jejak-audit?agency={bkd}").get_data(as_text=True)
    assert re.search(rf'<option value="{bombana}" selected>', html)  # region filled in
    assert named in entry_links(html)
    for query in ("region=999999", "region=abc", "agency=999999", f"region={konsel}&agency={bkd}"):
        response = admin.get(f"/jejak-audit?{query}")
        assert response.status_code == 200, query
        assert "Pilih salah satu pilihan yang tersedia." in response.get_data(as_text=True), query


def test_officers_may_not_read_the_trail(login):
    officer = login("officer.bkd")
    assert officer.get("/jejak-audit").status_code == 403
    assert officer.get("/jejak-audit/1").status_code == 403


@pytest.mark.parametrize("entry_id", [999_999_999, 2**31, 10**30])
def test_unknown_entry_is_404(login, entry_id):
    assert login("admin").get(f"/jejak-audit/{entry_id}").status_code == 404


def test_no_route_edits_or_deletes_an_entry(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("audit."):
            assert (rule.methods or set()) <= {"GET", "HEAD", "OPTIONS"}, rule.rule


# --- filters ---------------------------------------------------------------------------------


def test_filters_by_action_actor_and_date(login, demo, app):
    user_id = lock(login, demo, "officer.bkd")
    named = latest_entry_id(app, "account_locked", user_id)
    monitor = login("monitor")
    by_action = monitor.get("/jejak-audit?action=account_locked").get_data(as_text=True)
    assert named in entry_links(by_action)
    assert "Akun dikunci" in by_action
    by_actor = monitor.get("/jejak-audit?actor=MONITOR@demo").get_data(as_text=True)
    assert named in entry_links(by_actor)
    nobody = monitor.get("/jejak-audit?actor=tidak-ada-orang").get_data(as_text=True)
    assert entry_links(nobody) == set()
    old = monitor.get("/jejak-audit?date_from=2000-01-01&date_to=2000-01-31").get_data(as_text=True)
    assert entry_links(old) == set()
    by_type = monitor.get(
        f"/jejak-audit?object_type=User&agency={demo.agency('BKD')}&date_from=2000-01-01"
    ).get_data(as_text=True)
    assert named in entry_links(by_type)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("date_from=2026-13-45", "Masukkan tanggal dengan format hari/bulan/tahun"),
        ("date_to=kemarin", "Masukkan tanggal dengan format hari/bulan/tahun"),
        ("date_from=1899-01-01", "Masukkan tanggal antara tahun 2000 dan 2099."),
        ("date_from=9999-12-31", "Masukkan tanggal antara tahun 2000 dan 2099."),
        ("date_from=2026-05-02&date_to=2026-05-01", "Tanggal akhir lebih awal"),
        ("action=hapus-semua", "Pilih salah satu pilihan yang tersedia."),
        ("agency=abc", "Pilih salah satu pilihan yang tersedia."),
        ("actor=" + "x" * 300, "Maksimal 100 karakter."),
    ],
)
def test_bad_filters_give_a_message_not_a_500(login, query, message):
    response = login("monitor").get(f"/jejak-audit?{query}")
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "query", ["page=abc", "page=-1", "page=99999999999999999999", "actor=%25_"]
)
def test_odd_parameters_never_give_a_500(login, query):
    assert login("lead.bkd").get(f"/jejak-audit?{query}").status_code == 200


# --- the chain -------------------------------------------------------------------------------


def test_admin_sees_the_chain_check_and_others_do_not(login):
    admin = login("admin")
    assert 'data-testid="chain-box"' in admin.get("/jejak-audit").get_data(as_text=True)
    checked = admin.get("/jejak-audit?periksa=1").get_data(as_text=True)
    assert "Rantai utuh" in checked
    monitor_page = login("monitor").get("/jejak-audit?periksa=1").get_data(as_text=True)
    assert 'data-testid="chain-box"' not in monitor_page


class _Op:
    """Just enough of Alembic's `op` for core/rls's trigger helpers."""

    def __init__(self, connection: sa.Connection) -> None:
        self.connection = connection

    def get_bind(self) -> sa.Connection:
        return self.connection

    def execute(self, sql: str) -> None:
        self.connection.exec_driver_sql(sql)


def _set_changes(test_database, entry_id: int, changes_json: str) -> None:
    """Rewrite one entry behind the application's back, as the table owner."""
    engine = test_database.owner_engine
    assert engine is not None
    with engine.begin() as conn:
        if test_database.backend == "postgresql":
            # The data version's deferred trigger would leave the UPDATE's event pending, and
            # PostgreSQL refuses ALTER TABLE on a table with pending trigger events.
            conn.exec_driver_sql("SET CONSTRAINTS ALL IMMEDIATE")
            conn.exec_driver_sql(
                "ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only"
            )
            conn.execute(
                sa.text("UPDATE audit_entries SET changes = CAST(:v AS json) WHERE id = :id"),
                {"v": changes_json, "id": entry_id},
            )
            conn.exec_driver_sql(
                "ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_append_only"
            )
        else:
            conn.exec_driver_sql("DROP TRIGGER audit_entries_no_update")
            conn.execute(
                sa.text("UPDATE audit_entries SET changes = :v WHERE id = :id"),
                {"v": changes_json, "id": entry_id},
            )
            # Recreated by the very function the migration uses, so it is exactly the same.
            conn.exec_driver_sql("DROP TRIGGER audit_entries_no_delete")
            rls.make_append_only(_Op(conn), "audit_entries")


def test_verify_detects_a_tampered_entry(login, demo, app, test_database):
    user_id = lock(login, demo, "officer.bkd")
    entry_id = latest_entry_id(app, "account_locked", user_id)
    runner = app.test_cli_runner()

    intact = runner.invoke(args=["audit", "verify"])
    assert intact.exit_code == 0, intact.output
    assert "Audit trail intact" in intact.output

    assert test_database.owner_engine is not None
    with test_database.owner_engine.connect() as conn:
        original = conn.execute(
            sa.text("SELECT CAST(changes AS TEXT) FROM audit_entries WHERE id = :id"),
            {"id": entry_id},
        ).scalar_one()
    _set_changes(test_database, entry_id, '{"locked_at": {"before": null, "after": null}}')
    try:
        broken = runner.invoke(args=["audit", "verify"])
        assert broken.exit_code == 1
        assert f"entry {entry_id}: content altered" in broken.output
        page = login("admin").get("/jejak-audit?periksa=1").get_data(as_text=True)
        assert "Rantai terputus" in page and f"entry {entry_id}" in page
    finally:
        # Put the entry back so the rest of the run starts from an intact trail.
        _set_changes(test_database, entry_id, original)
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


def test_the_database_refuses_update_and_delete(app, test_database):
    with app.app_context():
        entry_id = db.session.scalar(sa.select(sa.func.max(AuditEntry.id)))
        for statement in (
            sa.update(AuditEntry).where(AuditEntry.id == entry_id).values(action="edited"),
            sa.delete(AuditEntry).where(AuditEntry.id == entry_id),
        ):
            with pytest.raises(sa.exc.DBAPIError):
                db.session.execute(statement)
            db.session.rollback()
        db.session.remove()
    assert test_database.owner_engine is not None
    for sql in (
        "UPDATE audit_entries SET action = 'edited' WHERE id = :id",
        "DELETE FROM audit_entries WHERE id = :id",
    ):
        with pytest.raises(sa.exc.DBAPIError), test_database.owner_engine.begin() as conn:
            conn.execute(sa.text(sql), {"id": entry_id})


def test_every_audited_kind_of_object_has_a_name_in_both_languages(app):
    """The trail stores class names; the viewer and the board print a translated label. A new
    audited model without a label would show its class name to users: caught here."""
    from flask_babel import force_locale

    from puja_indah.audit.labels import OBJECT_LABELS, object_label
    from puja_indah.core.audit import SKIPPED_MODELS
    from puja_indah.core.db import Base

    audited = {m.class_.__name__ for m in Base.registry.mappers} - SKIPPED_MODELS
    assert not audited - set(OBJECT_LABELS), "add labels in audit/labels.py"
    with app.test_request_context():
        with force_locale("id"):
            assert object_label("Innovation") == "Inovasi"
            assert object_label("FileEvent") == "Langkah berkas terlacak"
        with force_locale("en"):
            assert object_label("FileEvent") == "Tracked-file step"
        assert object_label("SomethingNew") == "SomethingNew"
        assert object_label(None) == "–"
