"""Fixtures: the app on SQLite and (with TEST_DATABASE_URL) PostgreSQL, a real SMTP server.

Every test that uses ``app`` runs once per database. Each PostgreSQL run gets its own
database, created here and dropped at the end, so parallel runs never meet.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from email import message_from_bytes, policy

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask import g, has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade

from communaute import create_app
from communaute.extensions import db

PG_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


# A real SMTP server on loopback ---------------------------------------------------------


class Mailbox:
    """What arrived at the SMTP server, as parsed email.message.EmailMessage objects."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()
        self.refuse = False

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return "451 Try again later"
        msg = message_from_bytes(
            envelope.original_content or envelope.content, policy=policy.default
        )
        with self.lock:
            self.messages.append(msg)
        return "250 OK"

    def clear(self):
        with self.lock:
            self.messages.clear()
        self.refuse = False

    def wait_for(self, count: int = 1, timeout: float = 10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.05)
        raise AssertionError(f"expected {count} email(s), got {len(self.messages)}")

    def to(self, address: str):
        return [m for m in self.messages if address in m["To"]]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server():
    box = Mailbox()
    box.port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    yield box
    controller.stop()


@pytest.fixture
def mailbox(smtp_server):
    smtp_server.clear()
    yield smtp_server
    smtp_server.clear()


# Databases ---------------------------------------------------------------------------------


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory):
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("db") / "test.sqlite3"
        url = f"sqlite:///{path}"
        yield url
        return
    name = f"communaute_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    yield url
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def make_config(database_url: str, smtp_port: int, **extra) -> dict:
    return {
        "COMMUNAUTE_ENV": "testing",
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_port,
        "MAIL_USE_TLS": False,
        "MAIL_USE_SSL": False,
        "MAIL_SUPPRESS_SEND": False,
        "OUTBOX_DELIVERY": "worker",
        "COMMUNAUTE_PUBLIC_URL": "https://communaute.example",
        "RATELIMIT_STORAGE_URI": "memory://",
        # The page cache is tested where it is named (tests/main/test_page_cache.py).
        "PAGE_CACHE_STORE": "auto" if extra.get("PAGE_CACHE_URL") else "off",
        **extra,
    }


_migrated: set[str] = set()


#: How many times ``_reset`` tries a TRUNCATE that PostgreSQL aborted in a deadlock.
TRUNCATE_ATTEMPTS = 5


def _reset(database_url: str) -> None:
    """Schema from the migrations once per database; then every table emptied."""
    if database_url not in _migrated:
        upgrade()
        _migrated.add(database_url)
        return
    tables = [t.name for t in db.metadata.sorted_tables]
    if db.engine.dialect.name == "postgresql":
        truncate = sa.text(
            "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"
        )
        # A connection an earlier test left writing (a delivery thread finishing its send)
        # can meet the TRUNCATE in a deadlock, which PostgreSQL ends by aborting one side:
        # once it has finished, the TRUNCATE goes through.
        for attempt in range(TRUNCATE_ATTEMPTS):
            try:
                db.session.execute(truncate)
                break
            except sa.exc.OperationalError as exc:
                last = attempt == TRUNCATE_ATTEMPTS - 1
                if last or getattr(exc.orig, "sqlstate", None) != "40P01":
                    raise
                db.session.rollback()
                time.sleep(0.2 * (attempt + 1))
    else:
        for name in reversed(tables):
            db.session.execute(sa.text(f'DELETE FROM "{name}"'))
    db.session.commit()


class IsolatedClient(FlaskClient):
    """A client whose requests do not see each other's logged-in user.

    Flask reuses the app context a test has pushed, so ``g`` (where Flask-Login caches
    the user, and Flask-WTF its CSRF token) would carry into the next request, another
    client's included. Each request starts and ends with an empty ``g``; the test's session
    then forgets what it loaded, so assertions read fresh rows.
    """

    def open(self, *args, **kwargs):
        if not has_app_context():  # a thread of its own: the request makes its own context
            return super().open(*args, **kwargs)
        g.__dict__.clear()
        try:
            response = super().open(*args, **kwargs)
            if response.is_streamed:
                # A streamed page is rendered as it is read: read it now, while it is still
                # this request's, not after the test's session forgot what the body loaded.
                response.make_sequence()
            return response
        finally:
            g.__dict__.clear()
            db.session.expire_all()


@pytest.fixture
def app_config():
    """Override in a test module to change settings."""
    return {}


@pytest.fixture
def app(database_url, smtp_server, app_config, tmp_path):
    application = create_app(
        make_config(database_url, smtp_server.port, INSTANCE_PATH=str(tmp_path), **app_config)
    )
    application.test_client_class = IsolatedClient
    with application.app_context():
        _reset(database_url)
        yield application
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def backend(database_url):
    return "postgresql" if database_url.startswith("postgresql") else "sqlite"


PG_ONLY = "PostgreSQL only"
SQLITE_ONLY = "SQLite only"


@pytest.fixture
def pg_only(backend):
    """For concurrency proofs: they run on the PostgreSQL param, and are skipped on SQLite."""
    if backend != "postgresql":
        pytest.skip(f"{PG_ONLY}: row locks and concurrent writers")


@pytest.fixture
def sqlite_only(backend):
    """For what only the embedded database has (its journal mode): skipped on PostgreSQL."""
    if backend != "sqlite":
        pytest.skip(f"{SQLITE_ONLY}: its journal mode")


# Requiring every test to run in CI ----------------------------------------------------------


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "e2e" in str(item.fspath).split(os.sep):
            item.add_marker(pytest.mark.e2e)


_skipped_required: list[str] = []


def pytest_runtest_logreport(report):
    required = os.environ.get("COMMUNAUTE_REQUIRE_ALL_TESTS")
    # A test for one database only runs on the other's param: that skip is expected.
    one_database = PG_ONLY in str(report.longrepr) or SQLITE_ONLY in str(report.longrepr)
    if report.skipped and required and not one_database:
        _skipped_required.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if os.environ.get("COMMUNAUTE_REQUIRE_ALL_TESTS"):
        if not PG_URL:
            print("\nCI requires TEST_DATABASE_URL: the PostgreSQL run did not happen.")
            session.exitstatus = 1
        if _skipped_required:
            print("\nCI requires every test to run; skipped:\n  " + "\n  ".join(_skipped_required))
            session.exitstatus = 1
