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


def make_client(app):
    """Another browser: tests/conftest.py's client already starts each request with an empty g."""
    return app.test_client()
