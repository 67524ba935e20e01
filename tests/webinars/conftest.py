from datetime import timedelta

import pytest

from communaute.db import utcnow
from communaute.extensions import db
from communaute.webinars.models import Speaker, Webinar


def make_webinar(*, days: float = 7, commit: bool = True, **fields) -> Webinar:
    values = {
        "title": "Le partenariat patient en recherche",
        "description": "Une heure pour comprendre comment les patients partenaires participent.",
        "tags": "recherche, partenariat",
        "start_at": utcnow().replace(microsecond=0) + timedelta(days=days),
        "duration_minutes": 60,
        "language": "fr",
        "join_url": "https://zoom.example/j/123456",
        "phone_dial_in": "+1 438 555-0100, code 123456",
        "captioning": "Sous-titres en français en direct",
        **fields,
    }
    webinar = Webinar(**values)
    webinar.speakers.append(
        Speaker(name="Marie Tremblay", bio="Patiente partenaire.", is_patient_partner=True)
    )
    db.session.add(webinar)
    if commit:
        db.session.commit()
    return webinar


@pytest.fixture
def webinar(app):
    return make_webinar()


@pytest.fixture(autouse=True)
def request_context(request):
    """DomainError turns its lazy message into text at once, which needs a request (the
    locale selector reads it): service tests run inside one, as views do. Tests taking
    ``bare_app`` run in the bare app context, as the CLI does."""
    if "app" not in request.fixturenames or "bare_app" in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    with app.test_request_context("/"):
        yield


@pytest.fixture
def bare_app(app):
    return app


@pytest.fixture
def app_config():
    # The test settings use an https public URL, which makes the session cookie Secure:
    # the plain-http test client would then drop it (and every CSRF token with it).
    # Flask-Mail also suppresses sending when TESTING is on: the SMTP fixture would get nothing.
    return {
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "MAIL_SUPPRESS_SEND": False,
    }


def make_client(app):
    """A test client whose every request starts with an empty ``g``, as in production.

    The ``app`` fixture keeps one app context for the whole test, so Flask's ``g`` would
    outlive each request, and with it Flask-WTF's cached CSRF token (after login clears
    the session, forms fail with "CSRF session token is missing"), Flask-Babel's locale
    (``?lang=`` ignored after the first request) and Flask-Login's user."""
    from flask import g, has_app_context

    test_client = app.test_client()
    original = test_client.open

    def open_(*args, **kwargs):
        if has_app_context():
            for name in list(vars(g)):
                g.pop(name, None)
        return original(*args, **kwargs)

    test_client.open = open_
    return test_client


@pytest.fixture
def client(app):
    return make_client(app)
