"""Browser journeys of the webinar series: a guest signs up and cancels from the email;
a coordinator marks attendance and downloads the list."""

import re
from datetime import timedelta

from communaute.db import utcnow
from communaute.extensions import db
from communaute.webinars.models import Signup, SignupState, Speaker, Webinar
from tests.e2e.conftest import axe_check, give_the_code_if_asked
from tests.factories import PASSWORD, make_coordinator, make_member


def _webinar(days: float, **fields) -> Webinar:
    webinar = Webinar(
        title=fields.pop("title", "Le partenariat patient en recherche"),
        description="Une heure pour comprendre comment les patients partenaires participent.",
        tags="recherche, partenariat",
        start_at=utcnow().replace(microsecond=0) + timedelta(days=days),
        join_url="https://zoom.example/j/123456",
        phone_dial_in="+1 438 555-0100, code 123456",
        captioning="Sous-titres en français en direct",
        **fields,
    )
    webinar.speakers.append(
        Speaker(name="Marie Tremblay", bio="Patiente partenaire.", is_patient_partner=True)
    )
    db.session.add(webinar)
    db.session.commit()
    return webinar


def test_guest_signs_up_then_cancels_from_the_email(live_server, page, mailbox):
    with live_server.app.app_context():
        webinar_id = _webinar(7).id
        _webinar(-7, title="Un webinaire passé", recording_url="https://video.example/r/1")

    page.goto(live_server.url + "/webinars/")
    axe_check(page, context="series page")
    page.get_by_role("link", name="Le partenariat patient en recherche").click()
    assert "zoom.example" not in page.content()
    axe_check(page, context="webinar page")

    page.get_by_label("Votre nom").fill("Invitée Tremblay")
    page.get_by_label("Votre adresse courriel").fill("invitee@exemple.ca")
    page.get_by_role("button", name="S’inscrire").click()
    assert "invitee@exemple.ca" in page.locator(".flashes").inner_text()

    [msg] = mailbox.wait_for(1)
    body = msg.get_body(preferencelist=("plain",)).get_content()
    assert "https://zoom.example/j/123456" in body
    link = re.search(r"(http://127\.0\.0\.1:\d+/webinars/cancel/\S+)", body).group(1)

    page.goto(link)
    page.get_by_role("button", name="Oui, annuler mon inscription").click()
    assert "annulée" in page.locator(".flashes").inner_text()
    with live_server.app.app_context():
        signup = db.session.query(Signup).filter_by(webinar_id=webinar_id).one()
        assert signup.state == SignupState.cancelled


def test_coordinator_marks_attendance_and_downloads_csv(live_server, page, tmp_path):
    with live_server.app.app_context():
        coordinator = make_coordinator("coordination@exemple.ca")
        member = make_member("jean@exemple.ca", name="Jean Membre", needs_captions=True)
        webinar = _webinar(-2, recording_url="https://video.example/r/1")
        db.session.add_all(
            [
                Signup(
                    webinar_id=webinar.id,
                    email=member.email,
                    name="Jean Membre",
                    user_id=member.id,
                ),
                Signup(webinar_id=webinar.id, email="x@exemple.ca", name="Xavier Invité"),
            ]
        )
        db.session.commit()
        webinar_id, email = webinar.id, coordinator.email

    page.goto(live_server.url + "/auth/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    give_the_code_if_asked(page)
    page.goto(f"{live_server.url}/webinars/{webinar_id}/attendance")
    axe_check(page, context="attendance page")

    page.get_by_role("checkbox", name="Jean Membre").check()
    page.get_by_role("button", name="Enregistrer les présences").click()
    assert page.get_by_role("checkbox", name="Jean Membre").is_checked()
    assert not page.get_by_role("checkbox", name="Xavier Invité").is_checked()
    assert "50 %" in page.content()

    with page.expect_download() as info:
        page.get_by_role("link", name="Télécharger la liste (CSV)").click()
    path = tmp_path / "presences.csv"
    info.value.save_as(path)
    text = path.read_bytes().decode("utf-8-sig")
    assert text.startswith("Nom;Courriel")
    assert "Jean Membre" in text and "oui" in text

    page.goto(live_server.url + "/webinars/manage/report")
    assert page.locator("svg title").first.text_content()
    axe_check(page, context="series report")
