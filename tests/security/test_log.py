"""The security log: what is written, how little of the address, who sees it, how long."""

import json
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from communaute.audit import EventKind, SecurityEvent, network_of, record_event
from communaute.db import utcnow
from communaute.extensions import db
from tests.factories import PASSWORD, csrf_token, login, make_coordinator, make_member, post


def kinds(user_id=None) -> list[str]:
    query = select(SecurityEvent.kind).order_by(SecurityEvent.id)
    if user_id is not None:
        query = query.where(SecurityEvent.user_id == user_id)
    return [k.value for k in db.session.scalars(query)]


def count(kind: EventKind) -> int:
    return db.session.scalar(
        select(func.count()).select_from(SecurityEvent).where(SecurityEvent.kind == kind)
    )


# What is written ------------------------------------------------------------------------------


def test_logins_and_failures_are_written_with_the_network_only(client):
    user = make_member("marc@exemple.ca")
    client.environ_base["REMOTE_ADDR"] = "203.0.113.77"
    post(client, "/auth/login", {"email": user.email, "password": "pas le bon mot de passe"})
    post(client, "/auth/login", {"email": "personne@exemple.ca", "password": "peu importe ici"})
    login(client, user)
    events = db.session.scalars(select(SecurityEvent).order_by(SecurityEvent.id)).all()
    assert [(e.kind.value, e.user_id) for e in events] == [
        ("login_failed", user.id),
        ("login_failed", None),
        ("login", user.id),
    ]
    assert {e.network for e in events} == {"203.0.113.0/24"}
    stored = " ".join(str(e.detail) for e in events)
    assert "personne@exemple.ca" not in stored and "pas le bon" not in stored


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("203.0.113.77", "203.0.113.0/24"),
        ("2001:db8:abcd:12::1", "2001:db8:abcd::/48"),
        ("::ffff:198.51.100.9", "198.51.100.0/24"),
        ("pas une adresse", None),
        (None, None),
    ],
)
def test_only_the_network_of_an_address_is_kept(address, network):
    assert network_of(address) == network


def test_a_wrong_current_password_is_written_though_its_action_rolled_back(client):
    user = make_member()
    login(client, user)
    post(
        client,
        "/auth/profile/password",
        {
            "pw-current_password": "pas le bon du tout",
            "pw-password": "un nouveau mot de passe solide",
            "pw-password_confirm": "un nouveau mot de passe solide",
        },
        form_page="/auth/profile",
    )
    post(client, "/auth/delete", {"password": "pas le bon non plus", "understand": "y"})
    assert kinds(user.id) == ["login", "password_check_failed", "password_check_failed"]


def test_password_and_email_changes_are_written(client):
    from tests.auth.test_password_and_profile import last_link

    user = make_member("ancienne@exemple.ca")
    login(client, user)
    new = "un nouveau mot de passe solide"
    post(
        client,
        "/auth/profile/password",
        {"pw-current_password": PASSWORD, "pw-password": new, "pw-password_confirm": new},
        form_page="/auth/profile",
    )
    post(
        client,
        "/auth/profile/email",
        {"email-new_email": "nouvelle@exemple.ca", "email-current_password": new},
        form_page="/auth/profile",
    )
    post(client, last_link("auth.confirm_new_email"))
    assert kinds(user.id) == [
        "login",
        "password_changed",
        "email_change_requested",
        "email_changed",
    ]


def test_a_reset_password_is_written(client):
    from tests.auth.test_password_and_profile import last_link

    user = make_member("vrai@exemple.ca")
    post(client, "/auth/reset", {"email": "vrai@exemple.ca"})
    new = "un nouveau mot de passe solide"
    post(client, last_link("auth.reset"), {"password": new, "password_confirm": new})
    assert kinds(user.id) == ["password_changed"]


def test_limits_hit_are_written(client):
    make_member("cible@exemple.ca")
    token = csrf_token(client, "/auth/login")
    for _ in range(11):
        client.post(
            "/auth/login",
            data={"email": "cible@exemple.ca", "password": "mauvais mot", "csrf_token": token},
        )
    (event,) = db.session.scalars(
        select(SecurityEvent).where(SecurityEvent.kind == EventKind.rate_limited)
    ).all()
    assert event.detail == "POST /auth/login"
    assert event.network == "127.0.0.0/24"


def test_a_role_change_from_the_command_line_is_written(app):
    make_member("deja@exemple.ca")
    app.test_cli_runner().invoke(
        args=["users", "create-coordinator", "deja@exemple.ca", "--name", "X"], input="x\n"
    )
    (event,) = db.session.scalars(
        select(SecurityEvent).where(SecurityEvent.kind == EventKind.role_changed)
    ).all()
    assert event.detail == "member → coordinator"
    assert event.network is None, "no request: the command line"


def test_the_log_reads_a_role_change_in_the_readers_language(client):
    coordinator = make_coordinator()
    record_event(EventKind.role_changed, user_id=coordinator.id, detail="member → coordinator")
    db.session.commit()
    login(client, coordinator)
    page = client.get("/security/?kind=role_changed").get_data(as_text=True)
    assert "membre → coordination" in page


def test_export_and_deletion_are_written_and_the_deletion_names_nobody(client):
    user = make_member("partir@exemple.ca")
    login(client, user)
    client.get("/auth/export")
    assert kinds(user.id) == ["login", "account_exported"]
    post(client, "/auth/delete", {"password": PASSWORD, "understand": "y"})
    assert kinds() == ["account_deleted"], "the account's own rows went with it"
    assert db.session.scalar(select(SecurityEvent.user_id)) is None


# Export and deletion of a member's rows ------------------------------------------------------------


def test_the_export_holds_the_members_security_events(client):
    user = make_member()
    login(client, user)
    data = json.loads(client.get("/auth/export").get_data(as_text=True))
    assert [e["kind"] for e in data["security_log"]] == ["login"]
    assert data["security_log"][0]["network"] == "127.0.0.0/24"
    assert data["second_factor"] == {"enabled_at": None, "recovery_codes_left": 0}


def test_deleting_a_coordinator_keeps_what_they_did_without_naming_them(app, client):
    gone = make_coordinator("partir@exemple.ca")
    other = make_coordinator("reste@exemple.ca")
    record_event(EventKind.second_factor_reset, user_id=other.id, actor_id=gone.id)
    db.session.commit()
    login(client, gone)
    post(client, "/auth/delete", {"password": PASSWORD, "understand": "y"})
    event = db.session.scalar(
        select(SecurityEvent).where(SecurityEvent.kind == EventKind.second_factor_reset)
    )
    assert event.user_id == other.id and event.actor_id is None


# Retention ---------------------------------------------------------------------------------------------


def test_the_purge_command_keeps_a_year(app):
    user = make_member()
    now = utcnow()
    for days in (366, 364, 1):
        db.session.add(
            SecurityEvent(
                kind=EventKind.login, user_id=user.id, created_at=now - timedelta(days=days)
            )
        )
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["security", "purge"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("1 ")
    ages = sorted((now - e).days for e in db.session.scalars(select(SecurityEvent.created_at)))
    assert ages == [0, 363] or ages == [1, 364], ages


@pytest.mark.parametrize("app_config", [{"SECURITY_LOG_RETENTION_DAYS": 30}])
def test_the_retention_is_a_setting(app, app_config):
    db.session.add(SecurityEvent(kind=EventKind.login, created_at=utcnow() - timedelta(days=31)))
    db.session.commit()
    app.test_cli_runner().invoke(args=["security", "purge"])
    assert db.session.scalar(select(func.count()).select_from(SecurityEvent)) == 0


# /security/ ---------------------------------------------------------------------------------


def test_visitors_are_sent_to_login_and_members_get_403(app, client):
    for path in ("/security/", "/security/second-factor"):
        response = app.test_client().get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith(
            "/auth/login?next="
        ), path
    login(client, make_member())
    assert client.get("/security/").status_code == 403
    assert client.get("/security/second-factor").status_code == 403


def test_coordinators_see_the_log_newest_first_a_page_at_a_time(client):
    coordinator = make_coordinator(name="Nadia")
    member = make_member(name="Réjean")
    now = utcnow()
    for n in range(60):
        db.session.add(
            SecurityEvent(
                kind=EventKind.login_failed,
                user_id=member.id,
                network="203.0.113.0/24",
                created_at=now - timedelta(days=2, minutes=n),
                detail=f"n{n:02d}",
            )
        )
    db.session.commit()
    login(client, coordinator)
    first = client.get("/security/").get_data(as_text=True)
    assert first.count("<h1>") == 1
    assert "Journal de sécurité" in first
    assert first.index("Connexion</td>") < first.index("n00"), "the newest (this login) first"
    # This login wrote two events (login, code used): 48 of the 60 fit on the first page.
    assert "n00" in first and "n47" in first and "n48" not in first, "50 a page"
    assert "Réjean" in first and "203.0.113.0/24" in first
    second = client.get("/security/?page=2").get_data(as_text=True)
    assert "n48" in second and "n59" in second and "n00" not in second


def test_the_log_filters_by_kind(client):
    coordinator = make_coordinator()
    record_event(EventKind.password_changed, user_id=coordinator.id, detail="ici")
    db.session.commit()
    login(client, coordinator)
    page = client.get("/security/?kind=password_changed").get_data(as_text=True)
    assert "Mot de passe changé</td>" in page and "Connexion</td>" not in page
    assert '<option value="password_changed" selected>' in page


@pytest.mark.parametrize(
    "query",
    [
        "?page=0",
        "?page=-1",
        "?page=²",
        "?page=١٢",
        "?page=9223372036854775808",
        "?kind=%00",
        "?kind=" + "x" * 5000,
        "?page=10000000000000000000",
    ],
)
def test_strange_arguments_on_the_log_never_fail(client, query):
    login(client, make_coordinator())
    assert client.get("/security/" + query).status_code == 200


def test_the_coordination_page_links_to_the_log(client):
    login(client, make_coordinator())
    assert 'href="/security/"' in client.get("/coordination").get_data(as_text=True)


def test_the_privacy_page_says_what_the_log_keeps(client):
    page = client.get("/privacy").get_data(as_text=True)
    assert "journal de sécurité" in page
    assert "365 jours" in page
    english = client.get("/privacy?lang=en").get_data(as_text=True)
    assert "security log" in english


PAGE_CACHE = {
    "PAGE_CACHE_URL": "redis://127.0.0.1:6379/15",
    "PAGE_CACHE_KEY": f"test:pages:{uuid.uuid4().hex}",
}


@pytest.mark.parametrize("app_config", [PAGE_CACHE])
def test_failed_logins_do_not_empty_the_public_page_cache(app, app_config):
    """A password-guessing run writes a row per try: it must not make every public page be
    rendered again (the log is shown on no public page)."""
    app.test_client().get("/privacy")
    assert app.test_client().get("/privacy").headers["X-Page-Cache"] == "hit"
    attacker = app.test_client()
    post(attacker, "/auth/login", {"email": "x@exemple.ca", "password": "pas le bon du tout"})
    assert count(EventKind.login_failed) == 1
    assert app.test_client().get("/privacy").headers["X-Page-Cache"] == "hit"
