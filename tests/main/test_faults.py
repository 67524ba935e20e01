"""Outages of what the app leans on: Redis (limits, page cache) and the database itself.

Redis keeps nothing that matters: while it is away the limits count in each process's memory
and pages are rendered fresh; no request fails. A database that goes away answers 503 with
the error page (and Retry-After), never a 500. SMTP down is tests/main/test_outbox_outage.py.
"""

import logging

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from communaute import create_app
from communaute.extensions import db, limiter
from communaute.webinars.models import Signup
from tests.conftest import IsolatedClient, free_port, make_config
from tests.factories import PASSWORD, csrf_token, login, make_member
from tests.webinars.conftest import make_webinar


@pytest.fixture
def dead_redis():
    """A Redis URL where nothing listens."""
    return f"redis://127.0.0.1:{free_port()}/14"


@pytest.fixture
def limits_in_dead_redis(dead_redis):
    yield {"RATELIMIT_STORAGE_URI": dead_redis}
    # The Limiter object is shared by every app of this process: the next test's app must
    # not start in the fallback this one left it in.
    limiter._storage_dead = False


def guest(client, webinar, email):
    token = csrf_token(client, f"/webinars/{webinar.id}")
    return client.post(
        f"/webinars/{webinar.id}/signup",
        data={"csrf_token": token, "name": "Léa Côté", "email": email, "language": "fr"},
    )


class TestRedisForLimitsIsDown:
    @pytest.fixture
    def app_config(self, limits_in_dead_redis):
        return limits_in_dead_redis

    def test_login_sign_up_and_reset_still_work_with_a_warning(self, client, caplog):
        caplog.set_level(logging.WARNING)
        member = make_member("present@exemple.ca")
        response = login(client, member)  # asserts the 302 to the member's space
        assert response.headers["Location"] == "/me"
        assert any("falling back to in-memory" in r.getMessage() for r in caplog.records)

        webinar = make_webinar(capacity=10)
        visitor = client.application.test_client()
        assert guest(visitor, webinar, "lea@exemple.ca").status_code == 302
        assert db.session.scalar(select(Signup.email)) == "lea@exemple.ca"

        token = csrf_token(visitor, "/auth/reset")
        reset = visitor.post("/auth/reset", data={"csrf_token": token, "email": member.email})
        assert reset.status_code == 200
        assert "present@exemple.ca" in reset.get_data(as_text=True)

    def test_limits_still_hold_in_memory(self, client):
        make_member("cible@exemple.ca")
        token = csrf_token(client, "/auth/login")
        codes = [
            client.post(
                "/auth/login",
                data={"email": "cible@exemple.ca", "password": "pas le bon", "csrf_token": token},
            ).status_code
            for _ in range(11)
        ]
        assert codes == [200] * 10 + [429]


class TestRedisIsDownForEverything:
    """Limits and page cache point at the same dead Redis."""

    @pytest.fixture
    def app_config(self, limits_in_dead_redis, dead_redis):
        return {**limits_in_dead_redis, "PAGE_CACHE_URL": dead_redis}

    def test_pages_are_fresh_and_every_post_works(self, app, client, caplog):
        caplog.set_level(logging.WARNING)
        webinar = make_webinar(capacity=3)
        path = f"/webinars/{webinar.id}"
        for url in ("/", "/webinars/", path, "/magazine/", "/magazine/feed.xml", "/trainings/"):
            response = app.test_client().get(url)
            assert response.status_code == 200, url
            assert "X-Page-Cache" not in response.headers, "no cache without Redis"
        assert "3 places" in app.test_client().get(path).get_data(as_text=True)

        assert guest(app.test_client(), webinar, "un@exemple.ca").status_code == 302
        assert "2 places" in app.test_client().get(path).get_data(as_text=True)

        member = make_member("membre@exemple.ca")
        assert login(client, member).headers["Location"] == "/me"
        assert client.get("/me").status_code == 200
        messages = " ".join(r.getMessage() for r in caplog.records)
        assert "page cache: Redis unavailable" in messages
        assert "falling back to in-memory" in messages


# The database goes away -----------------------------------------------------------------


def assert_busy_page(response):
    assert response.status_code == 503
    # 5 s from the error handler, or more when a rate limit's window resets later.
    assert int(response.headers["Retry-After"]) >= 5
    html = response.get_data(as_text=True)
    assert "<h1>Le site est occupé</h1>" in html
    assert 'lang="fr"' in html, "the error page in its layout, not a bare traceback"


def test_a_database_that_does_not_answer_is_a_503_page(app, client, database_url, tmp_path):
    """Another app server whose database is unreachable; a member logged in elsewhere comes."""
    login(client, make_member("absent@exemple.ca"))
    cookie_name = app.config["SESSION_COOKIE_NAME"]  # __Host-session: the public URL is https
    session_cookie = client.get_cookie(cookie_name)
    if database_url.startswith("postgresql"):
        dead = sa.engine.make_url(database_url).set(port=free_port()).render_as_string(False)
    else:
        dead = f"sqlite:///{tmp_path}/absent/folder/db.sqlite3"
    server = create_app(make_config(dead, app.config["MAIL_PORT"], INSTANCE_PATH=str(tmp_path)))
    assert server.config["SECRET_KEY"] == app.config["SECRET_KEY"], "the cookie is valid there"
    server.test_client_class = IsolatedClient
    with server.app_context():
        visitor = server.test_client()
        for path in ("/webinars/", "/healthz", "/magazine/1"):
            assert_busy_page(visitor.get(path))
        token = csrf_token(visitor, "/auth/login")  # the login page itself needs no database
        response = visitor.post(
            "/auth/login",
            data={"email": "absent@exemple.ca", "password": PASSWORD, "csrf_token": token},
        )
        assert_busy_page(response)

        member = server.test_client()
        member.set_cookie(cookie_name, session_cookie.value)
        assert_busy_page(member.get("/me"))
        assert_busy_page(member.get("/"))
        db.session.remove()


def test_postgresql_gone_in_the_middle_of_a_request_is_a_503_page(app, client, pg_only):
    """The connection is killed between two queries of one request (a failover, a restart)."""
    admin = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"], isolation_level="AUTOCOMMIT")
    killing = []

    def kill_my_connection():
        if not killing:
            return
        pid = db.session.execute(sa.text("SELECT pg_backend_pid()")).scalar()
        with admin.connect() as conn:
            conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

    # First of all, before the logged-in member is loaded: even the error page cannot ask
    # the database who is logged in.
    app.before_request_funcs.setdefault(None, []).insert(0, kill_my_connection)
    login(client, make_member("milieu@exemple.ca"))
    visitor = app.test_client()
    token = csrf_token(visitor, "/auth/login")
    killing.append(True)
    try:
        assert_busy_page(client.get("/me"))
        assert_busy_page(client.get("/webinars/"))
        assert_busy_page(
            visitor.post(
                "/auth/login",
                data={"email": "milieu@exemple.ca", "password": PASSWORD, "csrf_token": token},
            )
        )
    finally:
        killing.clear()
        admin.dispose()
    # And the app comes back by itself: the pool drops the dead connections.
    assert client.get("/me").status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Signup)) == 0
