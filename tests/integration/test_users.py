"""Account management screens (/pengguna): who may manage whom, passwords shown once, locks that
end sessions, and refusals that change nothing."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from puja_indah.auth.models import LoginSession
from puja_indah.core.audit import AuditEntry
from puja_indah.core.models import Membership, Role, User
from puja_indah.core.passwords import verify_password
from puja_indah.core.tenancy import Scope, scoped
from puja_indah.extensions import db
from tests.integration.region_helpers import add_agencies, add_region, option_values

PASSWORD_VALUE = re.compile(r'id="temporary-password"[^>]*?value="([^"]+)"', re.S)


def shown_password(page: str) -> str:
    match = PASSWORD_VALUE.search(page)
    assert match, "the page shows no password"
    return match.group(1)


def read(app, fn):
    """Run `fn()` in a system scope and return its result (test-side reads)."""
    with app.app_context(), scoped(Scope.system("tests: read users"), db.session):
        try:
            return fn()
        finally:
            db.session.remove()


def user_by_email(app, email: str) -> User | None:
    def find() -> User | None:
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is not None:
            _ = [(m.role, m.agency_id, m.region_id) for m in user.memberships]
            db.session.expunge_all()
        return user

    return read(app, find)


def new_account(agency_id: int, email: str = "operator.baru@bombanakab.go.id", **extra):
    data = {"name": "Operator Baru", "email": email, "role": "agency_officer"}
    data["agency"] = str(agency_id)
    data.update(extra)
    return data


def sign_in(app, email: str, password: str):
    browser = app.test_client()
    response = browser.post("/masuk", data={"email": email, "password": password})
    return browser, response


# --- create --------------------------------------------------------------------------------------


def test_monitor_creates_an_officer_and_the_password_is_shown_once(login, demo, app):
    monitor = login("monitor")
    form = monitor.get("/pengguna/baru")
    assert form.status_code == 200
    assert "Akun baru" in form.get_data(as_text=True)

    response = monitor.post(
        "/pengguna/baru",
        data=new_account(demo.agency("DPMPTSP"), email="  Operator.Baru@BombanaKab.go.id "),
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    password = shown_password(page)
    assert "hanya ditampilkan satu kali" in page

    user = user_by_email(app, "operator.baru@bombanakab.go.id")
    assert user is not None, "the e-mail is stored lower-case"
    assert [(m.role, m.agency_id) for m in user.memberships] == [
        (Role.AGENCY_OFFICER, demo.agency("DPMPTSP"))
    ]
    assert password not in user.password_hash
    assert verify_password(user.password_hash, password)

    # Never shown again, and never written to the audit trail.
    assert password not in monitor.get(f"/pengguna/{user.id}").get_data(as_text=True)
    assert password not in monitor.get("/pengguna").get_data(as_text=True)
    changes = read(app, lambda: db.session.scalars(sa.select(AuditEntry.changes)).all())
    assert all(password not in str(c) for c in changes)

    # The new officer can sign in with it.
    _, signed_in = sign_in(app, "operator.baru@bombanakab.go.id", password)
    assert signed_in.status_code == 302


def test_monitor_cannot_create_an_account_in_another_region(login, demo, table_counts):
    monitor = login("monitor")
    before = table_counts()
    response = monitor.post("/pengguna/baru", data=new_account(demo.agency("BKAD", "74.05")))
    assert response.status_code == 200
    assert "Pilih salah satu pilihan yang tersedia." in response.get_data(as_text=True)
    assert 'id="temporary-password"' not in response.get_data(as_text=True)
    assert table_counts() == before


def test_monitor_cannot_create_monitors_or_administrators(login, demo, table_counts):
    monitor = login("monitor")
    before = table_counts()
    for role in ("region_monitor", "national_reviewer", "platform_admin"):
        data = new_account(demo.agency("BKD"), role=role, region=str(demo.regions["74.06"]))
        response = monitor.post("/pengguna/baru", data=data)
        assert response.status_code == 200
        assert "Pilih salah satu pilihan yang tersedia." in response.get_data(as_text=True)
    assert table_counts() == before


def test_lead_creates_an_officer_of_its_own_agency_only(login, demo, app, table_counts):
    lead = login("lead.bkd")
    ok = lead.post("/pengguna/baru", data=new_account(demo.agency("BKD")))
    assert ok.status_code == 200
    shown_password(ok.get_data(as_text=True))
    user = user_by_email(app, "operator.baru@bombanakab.go.id")
    assert user is not None
    assert [(m.role, m.agency_id) for m in user.memberships] == [
        (Role.AGENCY_OFFICER, demo.agency("BKD"))
    ]

    before = table_counts()
    as_lead = lead.post(
        "/pengguna/baru",
        data=new_account(
            demo.agency("BKD"), email="calon.kepala@bombanakab.go.id", role="agency_lead"
        ),
    )
    other_agency = lead.post(
        "/pengguna/baru",
        data=new_account(demo.agency("DPMPTSP"), email="operator.lain@bombanakab.go.id"),
    )
    for response in (as_lead, other_agency):
        assert response.status_code == 200
        assert "Pilih salah satu pilihan yang tersedia." in response.get_data(as_text=True)
    assert table_counts() == before


def test_admin_creates_a_region_monitor(login, demo, app):
    admin = login("admin")
    response = admin.post(
        "/pengguna/baru",
        data={
            "name": "Monitor Baru",
            "email": "monitor.baru@bombanakab.go.id",
            "role": "region_monitor",
            "region": str(demo.regions["74.06"]),
        },
    )
    assert response.status_code == 200
    shown_password(response.get_data(as_text=True))
    user = user_by_email(app, "monitor.baru@bombanakab.go.id")
    assert user is not None
    assert [(m.role, m.region_id, m.agency_id) for m in user.memberships] == [
        (Role.REGION_MONITOR, demo.regions["74.06"], None)
    ]


def test_agency_role_needs_an_agency(login, table_counts):
    admin = login("admin")
    before = table_counts()
    response = admin.post(
        "/pengguna/baru",
        data={"name": "Tanpa OPD", "email": "tanpa.opd@bombanakab.go.id", "role": "agency_officer"},
    )
    assert response.status_code == 200
    assert "Pilih OPD untuk peran ini." in response.get_data(as_text=True)
    assert table_counts() == before


def test_duplicate_email_is_refused_with_a_clear_message(login, demo, table_counts):
    monitor = login("monitor")
    before = table_counts()
    response = monitor.post(
        "/pengguna/baru",
        data=new_account(demo.agency("BKD"), email="OFFICER.BKD@demo.pujaindah.id"),
    )
    assert response.status_code == 200
    assert "Akun dengan alamat e-mail ini sudah ada." in response.get_data(as_text=True)
    assert table_counts() == before


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"name": "x" * 500, "email": "a@b.go.id", "role": "agency_officer", "agency": "1"},
        {"name": "Nama", "email": "bukan-email", "role": "agency_officer", "agency": "1"},
        {"name": "Nama", "email": "a@b.go.id", "role": "raja", "agency": "1"},
        {"name": "Nama", "email": "a@b.go.id", "role": "agency_officer", "agency": "abc"},
        {"name": "Nama", "email": "a@b.go.id", "role": "agency_officer", "agency": "9" * 30},
    ],
)
def test_bad_input_never_gives_a_500(login, table_counts, data):
    monitor = login("monitor")
    before = table_counts()
    response = monitor.post("/pengguna/baru", data=data)
    assert response.status_code == 200
    assert 'id="temporary-password"' not in response.get_data(as_text=True)
    assert table_counts() == before


# --- list ----------------------------------------------------------------------------------------


def listed_ids(page: str) -> set[int]:
    return {int(n) for n in re.findall(r'href="/pengguna/(\d+)"', page)}


def test_monitor_lists_the_accounts_of_its_region(login, demo):
    page = login("monitor").get("/pengguna").get_data(as_text=True)
    ids = listed_ids(page)
    users = demo.users
    assert {users["lead.bkd"], users["officer.bkd"], users["officer.dpmptsp"]} <= ids
    for other in ("officer.konsel", "monitor.konsel", "admin", "reviewer", "monitor"):
        assert users[other] not in ids
    assert "Aktif" in page


def test_list_search_and_filters(login, demo):
    monitor = login("monitor")
    by_name = listed_ids(monitor.get("/pengguna?q=dpmptsp").get_data(as_text=True))
    assert by_name == {demo.users["officer.dpmptsp"]}
    by_role = listed_ids(monitor.get("/pengguna?role=agency_lead").get_data(as_text=True))
    assert by_role == {demo.users["lead.bkd"]}
    by_agency = listed_ids(
        monitor.get(f"/pengguna?agency={demo.agency('BKD')}").get_data(as_text=True)
    )
    assert by_agency == {demo.users["lead.bkd"], demo.users["officer.bkd"]}


@pytest.mark.parametrize(
    "query",
    [
        "?page=abc",
        "?page=-3",
        "?page=99999999999999999999",
        "?q=" + "x" * 500,
        "?role=raja",
        "?agency=9999999999999999999999",
        "?q=%25_%5C",
    ],
)
def test_list_bad_parameters_never_give_a_500(login, query):
    assert login("monitor").get("/pengguna" + query).status_code == 200


def test_list_shows_exactly_the_accounts_whose_pages_open(login, demo):
    """The list query and core's can_manage_account agree, for every managing role."""
    for account in ("admin", "monitor", "monitor.konsel", "lead.bkd"):
        browser = login(account)
        ids = listed_ids(browser.get("/pengguna").get_data(as_text=True))
        opens = {
            user_id
            for user_id in demo.users.values()
            if browser.get(f"/pengguna/{user_id}").status_code == 200
        }
        assert ids == opens, account
        assert demo.users[account] not in opens, "nobody manages itself here"


# --- lock, unlock, reset -------------------------------------------------------------------------


def test_lock_ends_the_open_sessions_of_the_target(login, demo, app):
    target = login("officer.bkd")
    assert target.get("/").status_code == 200
    monitor = login("monitor")
    officer_id = demo.users["officer.bkd"]
    response = monitor.post(f"/pengguna/{officer_id}/kunci")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/pengguna/{officer_id}")

    signed_out = target.get("/")
    assert signed_out.status_code == 302
    assert "/masuk" in signed_out.headers["Location"]
    detail = monitor.get(f"/pengguna/{officer_id}").get_data(as_text=True)
    assert "Dikunci" in detail
    assert re.search(r'data-testid="open-sessions">0<', detail)

    _, again = sign_in(app, "officer.bkd@demo.pujaindah.id", demo.password)
    assert again.status_code == 200
    assert 'id="temporary-password"' not in again.get_data(as_text=True)
    open_logins = read(
        app,
        lambda: db.session.scalar(
            sa.select(sa.func.count())
            .select_from(LoginSession)
            .where(LoginSession.user_id == officer_id, LoginSession.ended_at.is_(None))
        ),
    )
    assert open_logins == 0


def test_unlock_lets_the_user_sign_in_again_and_clears_throttling(login, demo, app):
    officer_id = demo.users["officer.bkd"]
    email = "officer.bkd@demo.pujaindah.id"
    monitor = login("monitor")
    monitor.post(f"/pengguna/{officer_id}/kunci")
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        sign_in(app, email, "Salah-sekali-123")
    _, throttled = sign_in(app, email, demo.password)
    assert throttled.status_code == 429

    response = monitor.post(f"/pengguna/{officer_id}/buka")
    assert response.status_code == 302
    assert "Aktif" in monitor.get(f"/pengguna/{officer_id}").get_data(as_text=True)
    _, signed_in = sign_in(app, email, demo.password)
    assert signed_in.status_code == 302


def test_reset_password_shows_a_temporary_password_once_and_ends_sessions(login, demo, app):
    target = login("officer.bkd")
    lead = login("lead.bkd")
    officer_id = demo.users["officer.bkd"]
    response = lead.post(f"/pengguna/{officer_id}/reset-sandi")
    assert response.status_code == 200
    temporary = shown_password(response.get_data(as_text=True))
    assert target.get("/").status_code == 302

    _, old = sign_in(app, "officer.bkd@demo.pujaindah.id", demo.password)
    assert old.status_code == 200
    _, new = sign_in(app, "officer.bkd@demo.pujaindah.id", temporary)
    assert new.status_code == 302
    assert temporary not in lead.get(f"/pengguna/{officer_id}").get_data(as_text=True)


# --- roles ---------------------------------------------------------------------------------------


def test_monitor_adds_and_removes_a_role(login, demo, app):
    monitor = login("monitor")
    officer_id = demo.users["officer.dpmptsp"]
    added = monitor.post(
        f"/pengguna/{officer_id}/peran",
        data={"role": "agency_lead", "agency": str(demo.agency("DPMPTSP"))},
    )
    assert added.status_code == 302
    user = user_by_email(app, "officer.dpmptsp@demo.pujaindah.id")
    assert user is not None
    roles = {(m.role, m.agency_id): m.id for m in user.memberships}
    assert (Role.AGENCY_LEAD, demo.agency("DPMPTSP")) in roles

    again = monitor.post(
        f"/pengguna/{officer_id}/peran",
        data={"role": "agency_lead", "agency": str(demo.agency("DPMPTSP"))},
        follow_redirects=True,
    )
    assert "Akun ini sudah memiliki peran tersebut." in again.get_data(as_text=True)

    membership_id = roles[(Role.AGENCY_LEAD, demo.agency("DPMPTSP"))]
    removed = monitor.post(f"/pengguna/{officer_id}/peran/{membership_id}/hapus")
    assert removed.status_code == 302
    user = user_by_email(app, "officer.dpmptsp@demo.pujaindah.id")
    assert user is not None
    assert [m.role for m in user.memberships] == [Role.AGENCY_OFFICER]


def test_the_last_role_cannot_be_removed(login, demo, app, table_counts):
    monitor = login("monitor")
    officer_id = demo.users["officer.bkd"]
    user = user_by_email(app, "officer.bkd@demo.pujaindah.id")
    assert user is not None
    before = table_counts()
    response = monitor.post(
        f"/pengguna/{officer_id}/peran/{user.memberships[0].id}/hapus", follow_redirects=True
    )
    assert "paling sedikit satu peran" in response.get_data(as_text=True)
    assert table_counts() == before


def test_monitor_cannot_grant_a_role_in_another_region(login, demo, table_counts):
    monitor = login("monitor")
    before = table_counts()
    response = monitor.post(
        f"/pengguna/{demo.users['officer.bkd']}/peran",
        data={"role": "agency_officer", "agency": str(demo.agency("BKAD", "74.05"))},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Pilih salah satu pilihan yang tersedia." in response.get_data(as_text=True)
    assert table_counts() == before


def test_membership_of_another_user_in_the_url_is_404(login, demo, app, table_counts):
    other = user_by_email(app, "officer.dpmptsp@demo.pujaindah.id")
    assert other is not None
    monitor = login("monitor")
    before = table_counts()
    response = monitor.post(
        f"/pengguna/{demo.users['officer.bkd']}/peran/{other.memberships[0].id}/hapus"
    )
    assert response.status_code == 404
    assert table_counts() == before


# --- refusals ------------------------------------------------------------------------------------


def every_screen(user_id: int, membership_id: int) -> list[tuple[str, str]]:
    return [
        ("get", "/pengguna"),
        ("get", "/pengguna/baru"),
        ("post", "/pengguna/baru"),
        ("get", f"/pengguna/{user_id}"),
        ("post", f"/pengguna/{user_id}/kunci"),
        ("post", f"/pengguna/{user_id}/buka"),
        ("post", f"/pengguna/{user_id}/reset-sandi"),
        ("post", f"/pengguna/{user_id}/peran"),
        ("post", f"/pengguna/{user_id}/peran/{membership_id}/hapus"),
    ]


@pytest.mark.parametrize("account", ["reviewer", "officer.bkd"])
def test_roles_without_account_management_get_403_everywhere(
    login, demo, app, table_counts, account
):
    target = user_by_email(app, "officer.dpmptsp@demo.pujaindah.id")
    assert target is not None
    browser = login(account)
    before = table_counts()
    for method, url in every_screen(target.id, target.memberships[0].id):
        response = getattr(browser, method)(url)
        assert response.status_code == 403, (method, url)
    after = table_counts()
    assert after == before


def test_anonymous_visitors_are_sent_to_sign_in(client, demo):
    response = client.get("/pengguna")
    assert response.status_code == 302
    assert "/masuk" in response.headers["Location"]


@pytest.mark.parametrize(
    ("account", "target"),
    [
        ("monitor", "officer.konsel"),  # another region
        ("monitor.konsel", "officer.bkd"),
        ("monitor", "admin"),  # an administrator
        ("monitor", "reviewer"),
        ("monitor", "monitor"),  # itself
        ("lead.bkd", "officer.dpmptsp"),  # another agency
        ("lead.bkd", "lead.bkd"),
        ("admin", "admin"),
    ],
)
def test_accounts_the_actor_may_not_manage_answer_404(
    login, demo, app, table_counts, account, target
):
    user = user_by_email(app, f"{target}@demo.pujaindah.id")
    assert user is not None
    browser = login(account)
    before = table_counts()
    for method, url in every_screen(user.id, user.memberships[0].id)[3:]:
        response = getattr(browser, method)(url)
        assert response.status_code == 404, (method, url)
    assert table_counts() == before


@pytest.mark.parametrize("user_id", [999999, 2**31, 10**25])
def test_unknown_user_id_is_404(login, user_id):
    monitor = login("monitor")
    assert monitor.get(f"/pengguna/{user_id}").status_code == 404
    assert monitor.post(f"/pengguna/{user_id}/kunci").status_code == 404


def test_lead_screens_offer_only_its_officers(login, demo):
    lead = login("lead.bkd")
    ids = listed_ids(lead.get("/pengguna").get_data(as_text=True))
    assert ids == {demo.users["officer.bkd"]}
    page = lead.get("/pengguna/baru").get_data(as_text=True)
    assert 'value="agency_lead"' not in page
    assert f'value="{demo.agency("DPMPTSP")}"' not in page


def test_membership_rows_match_the_database(app, demo):
    """Guard for the other tests: the demo officer has exactly one membership."""
    memberships = read(
        app,
        lambda: db.session.scalars(
            sa.select(Membership.role).where(Membership.user_id == demo.users["officer.bkd"])
        ).all(),
    )
    assert memberships == [Role.AGENCY_OFFICER]


def test_a_duplicate_that_slips_past_the_check_is_still_refused(
    login, demo, table_counts, monkeypatch
):
    """Two requests racing for one e-mail: the database's unique index decides, politely."""
    from puja_indah.users import services

    monkeypatch.setattr(services, "email_in_use", lambda email: False)
    monitor = login("monitor")
    before = table_counts()
    response = monitor.post(
        "/pengguna/baru",
        data=new_account(demo.agency("BKD"), email="officer.bkd@demo.pujaindah.id"),
    )
    assert response.status_code == 200
    assert "Akun dengan alamat e-mail ini sudah ada." in response.get_data(as_text=True)
    assert 'id="temporary-password"' not in response.get_data(as_text=True)
    assert table_counts() == before


# --- a national administrator: a region first, then its agencies ---------------------------------

NOT_A_CHOICE_ID = "Pilih salah satu pilihan yang tersedia."


def test_admin_forms_offer_only_the_chosen_regions_agencies(login, demo, app):
    """The create form, the add-role form and the list filter never hold every agency of the
    country: before a region is chosen the agency select is empty, after it holds that region's
    agencies only; more agencies elsewhere add no option."""
    extra = add_region(app, "74.90", active=3, inactive=1)
    admin = login("admin")
    officer = demo.users["officer.bkd"]
    pages = {
        "create": lambda: admin.get("/pengguna/baru"),
        "detail": lambda: admin.get(f"/pengguna/{officer}"),
        "list": lambda: admin.get("/pengguna"),
    }
    before = {}
    for name, open_page in pages.items():
        page = open_page().get_data(as_text=True)
        assert option_values(page, "agency") == [""], name
        assert str(extra.id) in option_values(page, "region"), name
        before[name] = page.count("<option")
    assert "Tampilkan perangkat daerahnya" in pages["create"]().get_data(as_text=True)
    assert "Pilih daerah lalu tekan Cari" in pages["list"]().get_data(as_text=True)

    add_agencies(app, demo.regions["74.05"], 40)
    add_agencies(app, extra.id, 25)
    for name, open_page in pages.items():
        assert open_page().get_data(as_text=True).count("<option") == before[name], name

    # The grant forms offer the region's active agencies; the list filter its inactive ones too.
    chosen = admin.post(
        "/pengguna/baru", data={"region": str(extra.id), "show_agencies": "y"}
    ).get_data(as_text=True)
    offered = option_values(chosen, "agency")
    assert offered[0] == "" and len(offered) == 1 + len(extra.active) + 25
    assert set(map(str, extra.active)) <= set(offered)
    assert not set(map(str, extra.inactive)) & set(offered)
    assert str(demo.agency("BKD")) not in offered
    listed = option_values(
        admin.get(f"/pengguna?region={extra.id}").get_data(as_text=True), "agency"
    )
    assert set(map(str, extra.active + extra.inactive)) <= set(listed)
    assert str(demo.agency("BKD")) not in listed


def test_admin_creates_an_officer_by_region_then_agency(login, demo, app, table_counts):
    admin = login("admin")
    konsel, bkad = demo.regions["74.05"], demo.agency("BKAD", "74.05")
    data = {
        "name": "Operator Konsel Baru",
        "email": "operator.konsel.baru@bombanakab.go.id",
        "role": "agency_officer",
        "region": str(konsel),
    }
    before = table_counts()
    shown = admin.post("/pengguna/baru", data={**data, "show_agencies": "y"})
    page = shown.get_data(as_text=True)
    assert shown.status_code == 200
    assert table_counts() == before, "showing the agencies saves nothing"
    assert 'value="Operator Konsel Baru"' in page, "what was typed stays"
    assert str(bkad) in option_values(page, "agency")
    assert 'id="temporary-password"' not in page
    assert "is-invalid" not in page, "fields not filled in yet are not judged"

    created = admin.post("/pengguna/baru", data={**data, "agency": str(bkad)})
    shown_password(created.get_data(as_text=True))
    user = user_by_email(app, "operator.konsel.baru@bombanakab.go.id")
    assert user is not None
    assert [(m.role, m.agency_id, m.region_id) for m in user.memberships] == [
        (Role.AGENCY_OFFICER, bkad, None)
    ]


def test_admin_adds_a_role_by_region_then_agency(login, demo, app, table_counts):
    admin = login("admin")
    officer = demo.users["officer.dpmptsp"]
    konsel, bkad = demo.regions["74.05"], demo.agency("BKAD", "74.05")
    before = table_counts()
    shown = admin.post(
        f"/pengguna/{officer}/peran",
        data={"role": "agency_lead", "region": str(konsel), "show_agencies": "y"},
    )
    assert shown.status_code == 200
    assert table_counts() == before
    page = shown.get_data(as_text=True)
    assert str(bkad) in option_values(page, "agency")
    assert str(demo.agency("BKD")) not in option_values(page, "agency")
    assert re.search(rf'<option value="{konsel}" selected>', page)

    added = admin.post(
        f"/pengguna/{officer}/peran",
        data={"role": "agency_lead", "region": str(konsel), "agency": str(bkad)},
    )
    assert added.status_code == 302
    user = user_by_email(app, "officer.dpmptsp@demo.pujaindah.id")
    assert user is not None
    assert (Role.AGENCY_LEAD, bkad) in {(m.role, m.agency_id) for m in user.memberships}


def test_an_old_admin_form_with_only_an_agency_gets_its_region(login, demo, app, table_counts):
    admin = login("admin")
    bkad = demo.agency("BKAD", "74.05")
    created = admin.post(
        "/pengguna/baru",
        data=new_account(bkad, email="operator.lama@bombanakab.go.id"),
    )
    shown_password(created.get_data(as_text=True))
    user = user_by_email(app, "operator.lama@bombanakab.go.id")
    assert user is not None
    assert [(m.role, m.agency_id) for m in user.memberships] == [(Role.AGENCY_OFFICER, bkad)]

    # A list link with only an agency: its region is filled in, the list filtered by the agency.
    page = admin.get(f"/pengguna?agency={bkad}").get_data(as_text=True)
    assert re.search(rf'<option value="{demo.regions["74.05"]}" selected>', page)
    assert listed_ids(page) == {demo.users["officer.konsel"], user.id}

    # A monitor's region is never guessed from an agency.
    before = table_counts()
    monitor = admin.post(
        "/pengguna/baru",
        data=new_account(bkad, email="monitor.tebakan@bombanakab.go.id", role="region_monitor"),
    )
    assert "Pilih daerah untuk peran ini." in monitor.get_data(as_text=True)
    assert table_counts() == before


def test_admin_list_filters_by_region(login, demo):
    admin = login("admin")
    konsel = listed_ids(
        admin.get(f"/pengguna?region={demo.regions['74.05']}").get_data(as_text=True)
    )
    assert konsel == {demo.users["officer.konsel"], demo.users["monitor.konsel"]}


@pytest.mark.parametrize(
    "choice",
    [
        {"region": "999999"},
        {"region": "abc"},
        {"region": "9" * 30},
        {"agency": "999999"},
        {"region": "{konsel}", "agency": "{bkd}"},  # an agency of another region
    ],
)
def test_admin_bad_region_or_agency_is_a_message_and_changes_nothing(
    login, demo, table_counts, choice
):
    admin = login("admin")
    ids = {"konsel": demo.regions["74.05"], "bkd": demo.agency("BKD")}
    choice = {k: v.format(**ids) for k, v in choice.items()}
    officer = demo.users["officer.dpmptsp"]
    before = table_counts()
    account = {"name": "Nama", "email": "salah.pilih@bombanakab.go.id", "role": "agency_officer"}
    added = admin.post(f"/pengguna/{officer}/peran", data={"role": "agency_lead", **choice})
    assert added.status_code == 302
    responses = [
        admin.get(added.headers["Location"]),  # the account's page with the flashed message
        admin.post("/pengguna/baru", data={**account, **choice}),
        admin.post("/pengguna/baru", data={**account, **choice, "show_agencies": "y"}),
        admin.post(
            f"/pengguna/{officer}/peran",
            data={"role": "agency_lead", **choice, "show_agencies": "y"},
        ),
        admin.get("/pengguna", query_string=choice),
    ]
    for n, response in enumerate(responses):
        assert response.status_code == 200, n
        page = response.get_data(as_text=True)
        assert NOT_A_CHOICE_ID in page or "Pilih OPD untuk peran ini." in page, n
        assert 'id="temporary-password"' not in page
    for response in responses[1:]:
        assert NOT_A_CHOICE_ID in response.get_data(as_text=True)
    assert table_counts() == before


def test_monitor_and_lead_forms_keep_their_own_agencies(login, demo):
    """No region select for those who grant in one region or one agency."""
    page = login("monitor").get("/pengguna/baru").get_data(as_text=True)
    assert 'name="show_agencies"' not in page and 'name="region"' not in page
    offered = option_values(page, "agency")
    assert str(demo.agency("DPMPTSP")) in offered
    assert str(demo.agency("BKAD", "74.05")) not in offered
    assert 'name="region"' not in login("monitor").get("/pengguna").get_data(as_text=True)
    lead = login("lead.bkd").get("/pengguna/baru").get_data(as_text=True)
    assert option_values(lead, "agency") == ["", str(demo.agency("BKD"))]


def _first_submit_button(page: str) -> str:
    """The name of the first submit control of the form with a "Show its agencies" button: the
    one Enter in a text field presses."""
    forms = re.findall(r"<form[^>]*method=\"post\"[^>]*>(.*?)</form>", page, re.S)
    form = next(body for body in forms if 'name="show_agencies"' in body)
    controls = re.findall(r"<(?:button|input)[^>]*type=\"submit\"[^>]*>", form)
    found = re.search(r"name=\"([^\"]+)\"", controls[0])
    return found.group(1) if found else ""


def test_enter_in_an_admin_form_saves_rather_than_shows_agencies(login, demo):
    """The national administrator's forms have "Show its agencies" before their main button;
    Enter presses the first submit button, which must be the one that saves."""
    admin = login("admin")
    officer = demo.users["officer.bkd"]
    create = admin.get("/pengguna/baru").get_data(as_text=True)
    assert "show_agencies" in create
    assert _first_submit_button(create) == "submit"
    detail = admin.get(f"/pengguna/{officer}").get_data(as_text=True)
    assert _first_submit_button(detail) == "submit"
    agency = admin.get("/opd/baru").get_data(as_text=True)
    assert "show_agencies" in agency
    assert _first_submit_button(agency) == "submit"
