"""How long a login lasts (said on the login page), and cookies that only HTTPS carries."""

import pytest

from communaute import create_app
from communaute.auth import sessions
from tests.conftest import make_config
from tests.factories import PASSWORD, csrf_token, fresh_code, login, make_coordinator, make_member

HOUR = 3600


def age(client, *, login_ago: float = 0, seen_ago: float = 0) -> None:
    """Moves this session's stamps into the past, as if time had gone by."""
    with client.session_transaction() as session:
        session[sessions.LOGIN_AT] -= int(login_ago)
        session[sessions.SEEN_AT] -= int(seen_ago)


def logged_in(client) -> bool:
    return client.get("/me").status_code == 200


def login_remembered(client, user):
    token = csrf_token(client, "/auth/login")
    response = client.post(
        "/auth/login",
        data={"email": user.email, "password": PASSWORD, "remember": "y", "csrf_token": token},
    )
    if response.headers["Location"] == "/auth/login/code":
        response = client.post(
            "/auth/login/code",
            data={
                "code": fresh_code(user.id),
                "csrf_token": csrf_token(client, "/auth/login/code"),
            },
        )
    assert response.status_code == 302
    return response


def test_a_member_is_logged_out_after_two_idle_hours(client):
    login(client, make_member())
    age(client, seen_ago=2 * HOUR - 120)
    assert logged_in(client), "an hour and 58 minutes is not yet idle"
    age(client, seen_ago=2 * HOUR + 1)
    response = client.get("/me")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Votre session a pris fin" in page


def test_activity_keeps_a_member_session_going_up_to_twelve_hours(client):
    login(client, make_member())
    age(client, login_ago=11 * HOUR, seen_ago=10 * 60)
    assert logged_in(client)
    age(client, login_ago=1 * HOUR + 1)
    assert not logged_in(client), "12 hours at most, active or not"


def test_keep_me_logged_in_lasts_thirty_days_without_an_idle_timeout(client):
    response = login_remembered(client, make_member())
    cookie = response.headers["Set-Cookie"]
    assert "Expires=" in cookie, "the cookie outlives the browser"
    age(client, login_ago=29 * 24 * HOUR, seen_ago=10 * 24 * HOUR)
    assert logged_in(client)
    age(client, login_ago=1 * 24 * HOUR + 1)
    assert not logged_in(client)


def test_without_keep_me_logged_in_the_cookie_dies_with_the_browser(client):
    response = login(client, make_member())
    assert "Expires=" not in response.headers["Set-Cookie"]


def test_a_coordinator_is_logged_out_after_thirty_idle_minutes(client):
    login(client, make_coordinator())
    age(client, seen_ago=29 * 60)
    assert client.get("/coordination").status_code == 200
    age(client, seen_ago=31 * 60)
    assert client.get("/coordination").status_code == 302
    assert not logged_in(client)


def test_a_coordinator_session_lasts_twelve_hours_even_when_remembered(client):
    login_remembered(client, make_coordinator())
    age(client, login_ago=12 * HOUR - 60)
    assert client.get("/coordination").status_code == 200
    age(client, login_ago=120)
    assert client.get("/coordination").status_code == 302


def test_a_session_without_stamps_is_over(client):
    """Made before these rules, or by hand with the key (as the benchmark does)."""
    login(client, make_member())
    with client.session_transaction() as session:
        del session[sessions.LOGIN_AT]
    assert not logged_in(client)


def test_the_login_page_says_how_long_a_session_lasts(client):
    fr = client.get("/auth/login?lang=fr").get_data(as_text=True)
    assert "30 jours" in fr and "2 heures sans activité" in fr
    assert "30 minutes sans activité" in fr and "12 heures" in fr
    en = client.get("/auth/login?lang=en").get_data(as_text=True)
    assert "30 days" in en and "2 hours without activity" in en
    assert "30 minutes without activity" in en


def test_logout_ends_every_session_of_the_account(app, client):
    user = make_member()
    login(client, user)
    other = app.test_client()
    login(other, user)
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/me")})
    assert not logged_in(other)


# Cookies and HSTS ----------------------------------------------------------------------------


def test_over_https_the_session_cookie_is_a_host_cookie(client):
    """The test settings' public URL is https. Werkzeug's test client sends Secure cookies
    over its plain-HTTP requests too (it checks only domain and path), so every test keeps
    its session; what a browser would do is checked on the header itself."""
    response = login(client, make_member())
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    attributes = [part.strip().lower() for part in cookie.split(";")[1:]]
    assert "secure" in attributes and "httponly" in attributes and "path=/" in attributes
    assert not any(a.startswith("domain=") for a in attributes), "__Host- forbids Domain"
    assert "samesite=lax" in attributes


def test_over_https_every_answer_asks_for_https_from_now_on(client):
    hsts = client.get("/").headers["Strict-Transport-Security"]
    assert hsts.startswith("max-age=31536000")


@pytest.fixture
def http_app(database_url, smtp_server, tmp_path):
    app = create_app(
        make_config(
            database_url,
            smtp_server.port,
            INSTANCE_PATH=str(tmp_path),
            COMMUNAUTE_PUBLIC_URL="http://127.0.0.1:5000",
        )
    )
    with app.app_context():
        yield app


def test_over_plain_http_the_cookie_is_plain_and_there_is_no_hsts(http_app):
    """``make run`` serves http://127.0.0.1:5000: a __Host- or Secure cookie would not stick."""
    client = http_app.test_client()
    response = client.get("/auth/login")
    assert "Strict-Transport-Security" not in response.headers
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("session=") and "Secure" not in cookie
