"""The "Done when" of issue 13 in a browser, at 390 px (a phone) and at 1280 px (a desk):
a guest signs up, sees the confirmation page, downloads the calendar file, changes their
name, cancels and gets the cancellation email; a member searches "experientiel",
registers, then tries a second date and is offered the switch. Axe on each new page, in
French and in English."""

from __future__ import annotations

import re
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

from communaute.db import utcnow
from communaute.extensions import db
from communaute.webinars.models import Signup, SignupState, Speaker, Webinar
from tests.e2e.conftest import axe_check
from tests.e2e.test_trainings import log_in
from tests.factories import make_member
from tests.trainings.conftest import make_course, make_session

WIDTHS = [390, 1280]
JOIN = "https://zoom.example/j/123456"


def _webinar() -> Webinar:
    # A Wednesday at noon, Montreal time (17:00 UTC in winter), a few weeks ahead.
    start = utcnow().replace(hour=17, minute=0, second=0, microsecond=0) + timedelta(days=21)
    while start.weekday() != 2:
        start += timedelta(days=1)
    webinar = Webinar(
        title="Le partenariat patient en recherche",
        description="Une heure pour comprendre comment les patients partenaires participent.",
        start_at=start,
        join_url=JOIN,
        phone_dial_in="+1 438 555-0100, code 123456",
        captioning="Sous-titres en français en direct",
    )
    webinar.speakers.append(Speaker(name="Marie Tremblay", is_patient_partner=True))
    db.session.add(webinar)
    db.session.commit()
    return webinar


def _axe_both_languages(page, context: str) -> None:
    """Axe on the page as it is (French), then in English, then back to French."""
    axe_check(page, context=f"{context} (fr)")
    url = page.url
    page.goto(url + ("&" if "?" in url else "?") + "lang=en")
    axe_check(page, context=f"{context} (en)")
    page.goto(url + ("&" if "?" in url else "?") + "lang=fr")


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"] + 1, f"{page.url} is {width} px wide"


@pytest.mark.parametrize("width", WIDTHS)
def test_guest_signs_up_adds_to_calendar_changes_name_cancels(
    live_server, page, mailbox, width, tmp_path
):
    page.set_viewport_size({"width": width, "height": 850})
    with live_server.app.app_context():
        webinar = _webinar()
        webinar_id, start, end = webinar.id, webinar.start_at, webinar.end_at
    base = live_server.url

    page.goto(f"{base}/webinars/{webinar_id}")
    page.get_by_label("Votre nom").fill("Invitée Tremblay")
    page.get_by_label("Votre adresse courriel").fill("invitee@exemple.ca")
    page.get_by_label("Besoins d’accessibilité (facultatif)").fill("Sous-titres")
    page.locator("form.form button[type=submit]").click()

    # The confirmation page: its own address, what, when in words, how to join, calendars.
    assert page.url.endswith(f"/webinars/{webinar_id}/confirmation")
    box = page.locator("#my-signup")
    assert box.get_by_role("heading", name="Vous êtes inscrite ou inscrit").count() == 1
    when = box.locator(".when").inner_text()
    assert re.match(r"mercredi \d+ \w+( \d{4})?, de 12 h à 13 h", when.replace("\u00a0", " "))
    assert box.get_by_role("link", name=JOIN).count() == 1
    assert "+1 438 555-0100" in box.inner_text()
    assert box.get_by_role("link", name=re.compile("Google Agenda")).count() == 1
    assert box.get_by_role("link", name=re.compile("Outlook.com")).count() == 1
    _no_sideways_scroll(page)
    _axe_both_languages(page, "guest confirmation page")

    with page.expect_download() as download:
        box.get_by_role("link", name=re.compile("Télécharger le fichier d’agenda")).click()
    path = Path(download.value.path())
    [event] = Calendar.from_ical(path.read_bytes()).walk("VEVENT")
    assert str(event["uid"]) == f"webinar-{webinar_id}@communaute.experiences"
    assert event.decoded("dtstart") == start.replace(tzinfo=UTC)
    assert event.decoded("dtend") == end.replace(tzinfo=UTC)
    assert str(event["summary"]) == "Le partenariat patient en recherche"
    assert JOIN in str(event["description"])

    # The email's link: manage my sign-up.
    [confirmation] = mailbox.wait_for(1)
    body = confirmation.get_body(preferencelist=("plain",)).get_content()
    manage = re.search(r"(http://127\.0\.0\.1:\d+/webinars/signup/\S+)", body).group(1)
    page.goto(manage)
    _no_sideways_scroll(page)
    _axe_both_languages(page, "manage my sign-up")
    page.get_by_label("Votre nom").fill("Josée Tremblay")
    page.get_by_role("button", name="Enregistrer mes modifications").click()
    assert "Vos modifications sont enregistrées." in page.locator(".flashes").inner_text()
    assert page.get_by_label("Votre nom").input_value() == "Josée Tremblay"

    # Cancel, with a confirmation step; the email carries a CANCEL calendar file.
    page.locator("#my-signup").get_by_role("link", name="Annuler mon inscription").click()
    _axe_both_languages(page, "cancel confirmation step")
    page.get_by_role("button", name="Oui, annuler mon inscription").click()
    assert "annulée" in page.locator(".flashes").inner_text()
    messages = mailbox.wait_for(2)
    receipt = messages[-1]
    assert receipt["To"] == "invitee@exemple.ca"
    assert receipt["Subject"].startswith("Inscription annulée")
    assert "Josée Tremblay" in receipt.get_body(preferencelist=("plain",)).get_content()
    [part] = [p for p in receipt.iter_attachments() if p.get_content_type() == "text/calendar"]
    cancel = Calendar.from_ical(part.get_payload(decode=True))
    assert str(cancel["method"]) == "CANCEL"
    assert str(next(iter(cancel.walk("VEVENT")))["uid"]) == str(event["uid"])
    with live_server.app.app_context():
        signup = db.session.query(Signup).filter_by(webinar_id=webinar_id).one()
        assert signup.state == SignupState.cancelled and signup.name == "Josée Tremblay"


@pytest.mark.parametrize("width", WIDTHS)
def test_member_searches_registers_then_is_offered_the_switch(live_server, page, width):
    page.set_viewport_size({"width": width, "height": 850})
    with live_server.app.app_context():
        course = make_course(title="Le savoir expérientiel en recherche")
        first = make_session(course, days=10, capacity=8, online_url="https://zoom.example/j/9")
        make_session(course, days=24, capacity=8, online_url="https://zoom.example/j/9")
        make_member(email="sylvie@exemple.ca", name="Sylvie")
        slug, first_id = course.slug, first.id
    base = live_server.url

    log_in(page, base, "sylvie@exemple.ca")
    page.goto(base + "/trainings/")
    page.get_by_label("Rechercher").fill("experientiel")
    page.get_by_role("button", name="Afficher les formations").click()
    page.get_by_role("link", name="Le savoir expérientiel en recherche").click()
    assert page.url.endswith(f"/trainings/{slug}")

    page.get_by_role("button", name="M’inscrire à cette séance").first.click()
    assert re.search(r"/trainings/registrations/\d+$", page.url)
    box = page.locator(".seat-box")
    assert box.get_by_role("heading", name="Vous êtes inscrite ou inscrit").count() == 1
    assert "de " in box.locator(".when").inner_text()
    _no_sideways_scroll(page)
    _axe_both_languages(page, "registration confirmation page")

    # The course page: the box instead of the button, and a second date offers to switch.
    page.goto(base + f"/trainings/{slug}")
    assert page.locator(".seat-box").count() == 1
    _no_sideways_scroll(page)
    page.get_by_role("button", name="Choisir plutôt cette date").click()
    assert "/switch" in page.url
    assert page.get_by_role("heading", name="Changer de date?").count() == 1
    assert "Vous êtes inscrite ou inscrit à" in page.locator("main").inner_text()
    _no_sideways_scroll(page)
    _axe_both_languages(page, "switch page")
    page.get_by_role("button", name="Oui, passer à cette date").click()
    assert re.search(r"/trainings/registrations/\d+$", page.url)
    assert "nouvelle date" in page.locator(".flashes").inner_text()
    with live_server.app.app_context():
        from communaute.trainings.models import Registration, RegistrationState

        active = (
            db.session.query(Registration)
            .filter(Registration.state != RegistrationState.cancelled)
            .all()
        )
        assert len(active) == 1 and active[0].session_id != first_id
