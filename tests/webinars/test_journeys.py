"""A guest's and a member's journey: the confirmation page, the box, managing a sign-up,
the cancellation email with its CANCEL calendar file, the calendar files and the feed."""

import csv
import io
import re
from datetime import UTC, datetime

from icalendar import Calendar
from sqlalchemy import select

from communaute.email import deliver_due
from communaute.extensions import db
from communaute.webinars import services
from communaute.webinars.models import Signup, SignupState
from tests.factories import login, make_coordinator, make_member, post
from tests.webinars.conftest import make_client, make_webinar

JOIN = "https://zoom.example/j/123456"
# Wednesday 9 December 2026, noon in Montreal.
NOON = datetime(2026, 12, 9, 17, 0, tzinfo=UTC)


def guest_data(**kw):
    return {"name": "Josée Tremblay", "email": "josee@exemple.ca", "language": "fr", **kw}


def sign_up_as_guest(client, webinar, **kw):
    page = f"/webinars/{webinar.id}"
    return post(client, page + "/signup", guest_data(**kw), form_page=page)


def text_of(msg) -> str:
    return msg.get_body(preferencelist=("plain",)).get_content()


def ics_of(msg) -> Calendar:
    [part] = [p for p in msg.iter_attachments() if p.get_content_type() == "text/calendar"]
    return Calendar.from_ical(part.get_payload(decode=True))


def link_in(msg, marker: str) -> str:
    link = next(w for w in text_of(msg).split() if marker in w)
    return link.replace("https://communaute.example", "")


def test_guest_lands_on_a_confirmation_page_with_everything(client):
    webinar = make_webinar(start_at=NOON)
    response = sign_up_as_guest(client, webinar, accessibility_needs="Sous-titres, SVP")
    assert response.status_code == 302
    assert response.location.endswith(f"/webinars/{webinar.id}/confirmation")
    html = client.get(response.location).get_data(as_text=True)
    box = html[html.index('id="my-signup"') :]
    assert "Vous êtes inscrite ou inscrit" in box
    when = box[box.index('class="when"') :]
    assert when.startswith('class="when">mercredi 9 décembre, de 12\u00a0h à 13\u00a0h')
    assert f'href="{JOIN}"' in box and "+1 438 555-0100" in box
    assert "Sous-titres en français en direct" in box
    assert f'href="/webinars/{webinar.id}/calendar.ics"' in box
    assert "calendar.google.com/calendar/render?action=TEMPLATE" in box
    assert "outlook.live.com/calendar/0/deeplink/compose" in box
    # No power over the sign-up without the emailed link (someone may type another's address).
    assert "/webinars/signup/" not in box and "/webinars/cancel/" not in box
    assert 'name="email"' not in html  # not the blank form again
    signup = db.session.scalar(select(Signup))
    assert signup.accessibility_needs == "Sous-titres, SVP"


def test_the_calendar_file_of_the_confirmation_page(client):
    webinar = make_webinar(start_at=NOON)
    sign_up_as_guest(client, webinar)
    response = client.get(f"/webinars/{webinar.id}/calendar.ics")
    assert response.mimetype == "text/calendar"
    assert "attachment" in response.headers["Content-Disposition"]
    [event] = Calendar.from_ical(response.data).walk("VEVENT")
    assert str(event["uid"]) == f"webinar-{webinar.id}@communaute.experiences"
    assert event.decoded("dtstart") == NOON
    assert JOIN in str(event["description"])
    # Another browser gets the public file: no join link.
    other = make_client(client.application)
    [public] = Calendar.from_ical(other.get(f"/webinars/{webinar.id}/calendar.ics").data).walk(
        "VEVENT"
    )
    assert JOIN not in str(public.get("description", "")) and str(public["uid"]) == str(
        event["uid"]
    )


def test_english_page_presets_english_and_confirms_in_english(client):
    webinar = make_webinar(start_at=NOON)
    html = client.get(f"/webinars/{webinar.id}?lang=en").get_data(as_text=True)
    assert '<input checked id="language-1" name="language" type="radio" value="en">' in html
    assert '<input id="language-0" name="language" type="radio" value="fr">' in html
    page = f"/webinars/{webinar.id}"
    response = post(client, page + "/signup", guest_data(language="en"), form_page=page)
    html = client.get(response.location).get_data(as_text=True)
    assert "You are signed up" in html
    assert "Wednesday, December 9, from 12 p.m. to 1 p.m." in html


def test_failed_signup_stays_on_the_form(client):
    webinar = make_webinar()
    response = sign_up_as_guest(client, webinar, accessibility_needs="x" * 501)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "500" in html[html.index('id="accessibility_needs-error"') :][:200]
    assert db.session.scalar(select(Signup)) is None


def test_waiting_guest_sees_the_position(client):
    webinar = make_webinar(capacity=1)
    services.sign_up_guest(webinar, email="first@exemple.ca", name="Première")
    db.session.commit()
    response = sign_up_as_guest(client, webinar)
    html = client.get(response.location).get_data(as_text=True)
    assert "Vous êtes sur la liste d’attente" in html
    assert "Votre place sur la liste d’attente\u00a0: 1." in html
    assert JOIN not in html


def test_guest_manages_and_cancels_from_the_email(client, mailbox):
    webinar = make_webinar(start_at=NOON)
    sign_up_as_guest(client, webinar)
    deliver_due()
    [confirmation] = mailbox.wait_for(1)
    manage = link_in(confirmation, "/webinars/signup/")
    html = client.get(manage).get_data(as_text=True)
    assert "Gérer mon inscription" in html and 'value="Josée Tremblay"' in html
    response = post(
        client,
        manage,
        {"name": "Josée T.", "language": "en", "accessibility_needs": "Interprète LSQ"},
    )
    assert response.status_code == 302
    signup = db.session.scalar(select(Signup))
    assert (signup.name, signup.language, signup.accessibility_needs) == (
        "Josée T.",
        "en",
        "Interprète LSQ",
    )
    # Hostile input: nothing stored, the message next to the field.
    response = post(client, manage, {"name": "", "language": "fr"})
    assert response.status_code == 200 and 'id="name-error"' in response.get_data(as_text=True)
    db.session.refresh(signup)
    assert signup.name == "Josée T."
    cancel = link_in(confirmation, "/webinars/cancel/")
    assert "Oui, annuler" in client.get(cancel).get_data(as_text=True)
    post(client, cancel, {})
    db.session.refresh(signup)
    assert signup.state == SignupState.cancelled
    deliver_due()
    messages = mailbox.wait_for(2)
    receipt = messages[1]
    assert receipt["To"] == "josee@exemple.ca"
    assert receipt["Subject"].startswith("Sign-up cancelled")  # now in English, as chosen
    assert "Wednesday, December 9, from 12 p.m. to 1 p.m." in text_of(receipt)
    cal = ics_of(receipt)
    assert str(cal["method"]) == "CANCEL"
    [cancelled] = cal.walk("VEVENT")
    [confirmed] = ics_of(confirmation).walk("VEVENT")
    assert str(cancelled["uid"]) == str(confirmed["uid"])
    assert int(cancelled["sequence"]) > int(confirmed["sequence"])
    assert str(cancelled["status"]) == "CANCELLED"


def test_coming_back_after_cancelling_gets_a_higher_sequence(app):
    webinar = make_webinar()
    signup, _ = services.sign_up_guest(webinar, email="a@exemple.ca", name="A")
    services.cancel_signup(signup)
    again, _ = services.sign_up_guest(webinar, email="a@exemple.ca", name="A")
    from communaute.webinars.emails import calendar_event

    assert calendar_event(webinar, again).sequence == 2


def test_member_cancel_sends_the_receipt_in_their_language(client, mailbox):
    webinar = make_webinar(start_at=NOON)
    member = make_member("sam@exemple.ca", name="Sam", language="en")
    login(client, member)
    page = f"/webinars/{webinar.id}"
    response = post(client, page + "/signup", {}, form_page=page)
    assert response.location.endswith(f"/webinars/{webinar.id}/confirmation")
    html = client.get(response.location).get_data(as_text=True)
    assert "You are signed up" in html and "/webinars/signup/" in html
    signup = db.session.scalar(select(Signup))
    cancel = f"/webinars/cancel/{services.make_cancel_token(signup)}"
    post(client, cancel, {})
    deliver_due()
    receipt = mailbox.wait_for(2)[1]
    assert receipt["To"] == "sam@exemple.ca" and receipt["Subject"].startswith("Sign-up cancelled")
    assert str(ics_of(receipt)["method"]) == "CANCEL"
    me = client.get("/me").get_data(as_text=True)
    assert "Sign-up cancelled" in me


def test_me_offers_the_calendar_file_and_manage_link(client):
    webinar = make_webinar()
    login(client, make_member("sam@exemple.ca"))
    page = f"/webinars/{webinar.id}"
    post(client, page + "/signup", {}, form_page=page)
    signup = db.session.scalar(select(Signup))
    me = client.get("/me").get_data(as_text=True)
    # The token carries the second it was signed: read it off the page, then check it names
    # this sign-up.
    [token] = set(re.findall(r'href="/webinars/signup/([^/"]+)/calendar\.ics"', me))
    assert services.signup_for_token(token).id == signup.id
    assert f'href="/webinars/signup/{token}"' in me
    [event] = Calendar.from_ical(client.get(f"/webinars/signup/{token}/calendar.ics").data).walk(
        "VEVENT"
    )
    assert JOIN in str(event["description"])
    assert client.get(f"/webinars/signup/{token}x/calendar.ics").status_code == 404
    assert client.get(f"/webinars/signup/{token}x").status_code == 400


def test_public_feed_of_the_series(client):
    kept = make_webinar(days=5, title="À venir")
    gone = make_webinar(days=8, title="Annulé")
    services.cancel_webinar(gone)
    db.session.commit()
    response = client.get("/webinars/calendar.ics")
    assert response.mimetype == "text/calendar"
    cal = Calendar.from_ical(response.data)
    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    assert str(events[f"webinar-{kept.id}@communaute.experiences"]["status"]) == "CONFIRMED"
    assert str(events[f"webinar-{gone.id}@communaute.experiences"]["status"]) == "CANCELLED"
    assert JOIN not in response.get_data(as_text=True)


def test_guest_needs_on_the_attendance_page_and_csv(client):
    webinar = make_webinar()
    services.sign_up_guest(
        webinar, email="a@exemple.ca", name="A", accessibility_needs="=HYPERLINK(1) Sous-titres"
    )
    db.session.commit()
    login(client, make_coordinator())
    html = client.get(f"/webinars/{webinar.id}/attendance").get_data(as_text=True)
    assert "=HYPERLINK(1) Sous-titres" in html
    body = client.get(f"/webinars/{webinar.id}/attendance.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    header = rows[0]
    needs = rows[1][header.index("Besoins d'accommodement")]
    assert needs == "'=HYPERLINK(1) Sous-titres"


def test_accessibility_needs_are_exported_and_erased(app):
    from communaute.auth.services import export_account
    from communaute.registry import personal_data_providers

    webinar = make_webinar()
    services.sign_up_guest(
        webinar, email="sam@exemple.ca", name="Sam", accessibility_needs="Interprète LSQ"
    )
    member = make_member("sam@exemple.ca")
    db.session.commit()
    [exported] = export_account(member)["webinars"]
    assert exported["accessibility_needs"] == "Interprète LSQ"
    for provider in personal_data_providers():
        provider.erase(member)
    db.session.commit()
    assert db.session.scalar(select(Signup)) is None
