"""Webinars in French with an optional English: pages, cards, emails, forms, demo."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from communaute.demo import load_demo
from communaute.email import deliver_due
from communaute.extensions import db
from communaute.webinars import services
from communaute.webinars.models import Webinar
from tests.factories import login, make_coordinator, post
from tests.webinars.conftest import make_webinar
from tests.webinars.test_views import new_webinar_data

TITLE_EN = "Patient partnership in research"
DESCRIPTION_EN = "One hour to understand how patient partners take part."


def bilingual_webinar(**fields):
    return make_webinar(title_en=TITLE_EN, description_en=DESCRIPTION_EN, **fields)


def main_of(html: str) -> str:
    return html.split("<main", 1)[1].split("</main>", 1)[0]


def test_english_reader_sees_the_english_without_lang_fr_nor_note(client):
    webinar = bilingual_webinar()
    html = client.get(f"/webinars/{webinar.id}?lang=en").get_data(as_text=True)
    assert f"<h1>{TITLE_EN}</h1>" in html
    assert DESCRIPTION_EN in html
    assert "Content offered in French" not in html
    assert f'lang="fr">{TITLE_EN}' not in html and '<div lang="fr">' not in html


def test_french_reader_sees_the_french(client):
    webinar = bilingual_webinar()
    html = client.get(f"/webinars/{webinar.id}?lang=fr").get_data(as_text=True)
    assert "<h1>Le partenariat patient en recherche</h1>" in html
    assert TITLE_EN not in main_of(html)


def test_webinar_without_english_is_french_marked_with_the_note(client):
    webinar = make_webinar()
    html = client.get(f"/webinars/{webinar.id}?lang=en").get_data(as_text=True)
    assert '<h1 lang="fr">Le partenariat patient en recherche</h1>' in html
    assert '<p class="content-note">Content offered in French</p>' in html
    assert '<div lang="fr">' in html


def test_series_and_home_cards_in_the_readers_language(client):
    bilingual_webinar()
    for path in ("/webinars/?lang=en", "/"):
        html = client.get(path).get_data(as_text=True)
        assert "<h3><a href=" in html and f">{TITLE_EN}</a></h3>" in html
    html = client.get("/webinars/?lang=fr").get_data(as_text=True)
    assert ">Le partenariat patient en recherche</a></h3>" in html


def deliver(mailbox, n):
    db.session.commit()
    deliver_due()
    return mailbox.wait_for(n)


def test_english_guest_gets_the_english_title_in_email_and_calendar(app, mailbox):
    webinar = bilingual_webinar(start_at=datetime(2027, 1, 12, 17, 0, tzinfo=UTC))
    services.sign_up_guest(webinar, email="jo@exemple.ca", name="Jo", language="en")
    services.sign_up_guest(webinar, email="josee@exemple.ca", name="Josée", language="fr")
    messages = {m["To"]: m for m in deliver(mailbox, 2)}
    english, french = messages["jo@exemple.ca"], messages["josee@exemple.ca"]
    assert english["Subject"] == f"Sign-up confirmed: {TITLE_EN}"
    assert french["Subject"] == "Inscription confirmée : Le partenariat patient en recherche"
    [part] = [p for p in english.iter_attachments() if p.get_content_type() == "text/calendar"]
    [event] = Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")
    assert str(event["summary"]) == TITLE_EN


@pytest.fixture
def coordinator_client(client):
    login(client, make_coordinator())
    return client


def test_coordinator_writes_the_english(coordinator_client):
    data = new_webinar_data(en_title=TITLE_EN, en_description=DESCRIPTION_EN)
    assert post(coordinator_client, "/webinars/manage/new", data).status_code == 302
    webinar = db.session.scalar(select(Webinar))
    assert (webinar.title_en, webinar.description_en) == (TITLE_EN, DESCRIPTION_EN)
    html = coordinator_client.get(f"/webinars/manage/{webinar.id}/edit").get_data(as_text=True)
    assert f'value="{TITLE_EN}"' in html


@pytest.mark.parametrize(
    "field, value",
    [
        ("en_title", "x" * 201),
        ("en_title", "nul\x00"),
        ("en_title", "\u202eevil"),
        ("en_title", "two\nlines"),
        ("en_description", "x" * 5001),
        ("en_description", "bell\x07"),
    ],
)
def test_hostile_english_is_refused_next_to_its_field(coordinator_client, field, value):
    response = post(coordinator_client, "/webinars/manage/new", new_webinar_data(**{field: value}))
    assert response.status_code == 200
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Webinar)) == 0


def test_demo_webinars_have_some_english(app):
    list(load_demo())
    titles = list(db.session.scalars(select(Webinar.title_en).where(Webinar.title_en.is_not(None))))
    assert "Becoming a patient partner: where to start?" in titles
