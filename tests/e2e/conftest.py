"""Browser fixtures: the app served on loopback, Debian's Chromium driven by Playwright.

``live_server`` serves a fresh app on a free port, sharing the test database; email is
delivered in the background to the real SMTP server (``mailbox``). ``page`` is a new
browser page; ``axe_check(page)`` fails on serious or critical accessibility violations.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pyotp
import pytest
from werkzeug.serving import make_server

from communaute import create_app
from tests.conftest import _reset, free_port, make_config
from tests.factories import TOTP_SECRET

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


class LiveServer:
    def __init__(self, app, port):
        self.app = app
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.server = make_server("127.0.0.1", port, app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.thread.join(5)


@pytest.fixture
def live_server(database_url, smtp_server, app_config, tmp_path):
    """The app in a thread on a free port. Yields (server, app); test code may use app_context."""
    port = free_port()
    app = create_app(
        make_config(
            database_url,
            smtp_server.port,
            INSTANCE_PATH=str(tmp_path),
            OUTBOX_DELIVERY="background",
            COMMUNAUTE_PUBLIC_URL=f"http://127.0.0.1:{port}",
            **app_config,
        )
    )
    app.config["TESTING"] = False
    with app.app_context():
        _reset(database_url)
        from communaute.extensions import db

        db.session.remove()
    server = LiveServer(app, port)
    server.start()
    yield server
    server.stop()
    # Its delivery thread also runs the reminders every REMINDERS_INTERVAL: stopped here, so
    # it never claims a later test's reminders or emails in the shared test database.
    app.extensions["outbox_deliverer"].stop()
    with app.app_context():
        from communaute.extensions import db

        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(locale="fr-CA", viewport={"width": 1024, "height": 800})
    pg = context.new_page()
    pg.set_default_timeout(10000)
    yield pg
    if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
        ARTIFACTS.mkdir(exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, "rep_" + report.when, report)


def give_the_code_if_asked(page) -> None:
    """After the password, a coordinator's login asks for the code of their second factor:
    typed here as their app would show it (tests.factories gives every coordinator the key
    TOTP_SECRET). A member's login goes on untouched."""
    page.wait_for_load_state()
    if "/auth/login/code" in page.url:
        page.locator("#code").fill(pyotp.TOTP(TOTP_SECRET).now())
        page.locator("main form.form button[type=submit]").click()
        page.wait_for_url(lambda url: "/auth/login" not in url)


def axe_check(page, *, context: str = "") -> None:
    """Runs axe-core in the page; fails on any serious or critical violation."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    detail = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(n["target"][0] if n.get("target") else "?" for n in v["nodes"][:5])
        for v in bad
    )
    assert not bad, f"axe violations on {context or page.url}:\n{detail}"
