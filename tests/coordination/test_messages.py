"""A message to the people of a session or a webinar: who, preview, once per person, a log."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from communaute.coordination import services
from communaute.coordination.models import (
    Audience,
    ParentKind,
    RosterMessage,
    RosterMessageRecipient,
)
from communaute.email import OutboxMessage, deliver_due
from communaute.extensions import db
from communaute.trainings.models import Registration, RegistrationState
from communaute.webinars.models import Signup, SignupState
from tests.factories import csrf_token, login, make_member, token_in
from tests.trainings.conftest import make_course, make_session
from tests.webinars.conftest import make_webinar


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": False}


@pytest.fixture
def webinar(app):
    w = make_webinar(title="Midi recherche")
    english = make_member("anglo@exemple.ca", name="Jane", language="en", commit=False)
    db.session.flush()
    db.session.add_all(
        [
            Signup(
                webinar=w, email="amelie@exemple.ca", name="Amélie", state=SignupState.confirmed
            ),
            Signup(
                webinar=w,
                email="anglo@exemple.ca",
                name="Jane",
                user_id=english.id,
                language="en",
                state=SignupState.confirmed,
            ),
            Signup(webinar=w, email="attente@exemple.ca", name="Luc", state=SignupState.waiting),
            Signup(webinar=w, email="parti@exemple.ca", name="Paul", state=SignupState.cancelled),
        ]
    )
    db.session.commit()
    return w


def page(webinar):
    return f"/coordination/messages/webinar/{webinar.id}"


def form(client, path, **values):
    html = client.get(path).get_data(as_text=True)
    token = services_token(html)
    data = {
        "csrf_token": token_in(html),
        "token": token,
        "audience": "confirmed",
        "subject_fr": "Nouveau lien",
        "body_fr": "Bonjour {prénom},\n\nLe lien a changé.",
        "subject_en": "",
        "body_en": "",
    }
    data.update(values)
    return data


def services_token(html):
    import re

    return re.search(r'name="token" type="hidden" value="([^"]+)"', html).group(1)


def test_preview_shows_the_count_and_the_text_then_send_reaches_each_person_in_their_language(
    app, coordo_client, webinar, mailbox
):
    data = form(
        coordo_client,
        page(webinar),
        subject_en="New link",
        body_en="Hello {name},\n\nThe link changed.",
    )
    preview = coordo_client.post(page(webinar), data={**data, "action": "preview"})
    html = preview.get_data(as_text=True)
    assert '<p id="preview-count"><strong>Il partira à 2 personnes.</strong>' in html
    assert "<p>Bonjour Amélie,</p>" in html
    assert db.session.scalar(select(func.count()).select_from(RosterMessage)) == 0

    sent = coordo_client.post(page(webinar), data={**data, "action": "send"})
    assert sent.status_code == 302
    log = coordo_client.get(page(webinar)).get_data(as_text=True)
    assert "Message envoyé à 2 personnes." in log
    assert '<th scope="row">Nouveau lien</th><td>2</td>' in log

    deliver_due()
    messages = {m["To"]: m for m in mailbox.wait_for(2)}
    fr = messages["amelie@exemple.ca"]
    assert fr["Subject"] == "Nouveau lien"
    text = fr.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    assert text.startswith("Bonjour Amélie,\n\nLe lien a changé.")
    assert "Midi recherche" in text
    en = messages["anglo@exemple.ca"]
    assert en["Subject"] == "New link"
    assert en.get_body(preferencelist=("plain",)).get_content().startswith("Hello Jane,")


def test_the_same_form_sent_twice_sends_once(app, coordo_client, webinar):
    data = {**form(coordo_client, page(webinar)), "action": "send"}
    assert coordo_client.post(page(webinar), data=data).status_code == 302
    again = coordo_client.post(page(webinar), data=data, follow_redirects=True)
    assert "Ce message a déjà été envoyé" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(RosterMessage)) == 1
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 2


@pytest.mark.parametrize(
    "audience, expected",
    [
        ("confirmed", {"amelie@exemple.ca", "anglo@exemple.ca"}),
        ("waiting", {"attente@exemple.ca"}),
        ("everyone", {"amelie@exemple.ca", "anglo@exemple.ca", "attente@exemple.ca"}),
        ("attended", {"amelie@exemple.ca"}),
        ("absent", {"anglo@exemple.ca"}),
    ],
)
def test_who_receives_it(app, rctx, webinar, audience, expected):
    for s in webinar.signups:
        s.attended = s.email == "amelie@exemple.ca"
    db.session.commit()
    people = services.recipients(ParentKind.webinar, webinar, Audience(audience))
    assert {p.email for p in people} == expected


def test_a_session_roster(app, rctx, coordo_client):
    session = make_session(make_course(title="Savoir-faire"), capacity=1)
    for state in (RegistrationState.confirmed, RegistrationState.waiting):
        m = make_member(name="Inès", commit=False)
        db.session.flush()
        db.session.add(
            Registration(course_id=session.course_id, session=session, user_id=m.id, state=state)
        )
    db.session.commit()
    path = f"/coordination/messages/session/{session.id}"
    data = {**form(coordo_client, path, audience="waiting"), "action": "send"}
    assert coordo_client.post(path, data=data).status_code == 302
    [rec] = db.session.scalars(select(RosterMessageRecipient)).all()
    waiting = db.session.scalar(
        select(Registration).where(Registration.state == RegistrationState.waiting)
    )
    assert rec.user_id == waiting.user_id
    roster = coordo_client.get(f"/trainings/manage/sessions/{session.id}").get_data(as_text=True)
    assert f'href="{path}"' in roster


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("subject_fr", "Objet\r\nBcc: x@exemple.ca", "Ce champ doit tenir sur une seule ligne."),
        ("subject_fr", "", "Écrivez l’objet."),
        ("body_fr", "x" * 5001, "5000 caractères au maximum."),
        (
            "body_fr",
            "a\x00b",
            "Ce champ contient des caractères invisibles qui ne sont pas permis.",
        ),
        (
            "body_en",
            "Only the text",
            "Écrivez l’objet et le texte en anglais, ou ni l’un ni l’autre.",
        ),
    ],
)
def test_hostile_or_incomplete_input_is_refused_next_to_its_field(
    app, coordo_client, webinar, field, value, message
):
    data = {**form(coordo_client, page(webinar)), field: value, "action": "send"}
    response = coordo_client.post(page(webinar), data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    shown_at = "subject_en" if field == "body_en" else field
    assert message in html.split(f'id="{shown_at}-error">')[1].split("</p>")[0]
    assert db.session.scalar(select(func.count()).select_from(RosterMessage)) == 0
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_html_in_the_text_stays_text(app, coordo_client, webinar, mailbox):
    data = {
        **form(coordo_client, page(webinar), body_fr="<script>alert(1)</script> {prénom}"),
        "action": "preview",
    }
    html = coordo_client.post(page(webinar), data=data).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Amélie" in html


def test_a_limit_per_day(app, coordo_client, webinar):
    for _ in range(services.PER_PARENT_PER_DAY):
        data = {**form(coordo_client, page(webinar)), "action": "send"}
        assert coordo_client.post(page(webinar), data=data).status_code == 302
    data = {**form(coordo_client, page(webinar)), "action": "send"}
    html = coordo_client.post(page(webinar), data=data).get_data(as_text=True)
    assert "Au plus 5 messages par jour aux mêmes personnes" in html
    assert db.session.scalar(select(func.count()).select_from(RosterMessage)) == 5


def test_members_cannot_write_and_unknown_parents_are_404(app, client, coordo_client, webinar):
    assert coordo_client.get("/coordination/messages/course/1").status_code == 404
    assert coordo_client.get("/coordination/messages/webinar/999999").status_code == 404
    member = make_member("m@exemple.ca")
    login(client, member)
    assert client.get(page(webinar)).status_code == 403


def test_export_and_erase_cover_the_messages_received(app, rctx, webinar, coordinator):
    english = db.session.scalar(select(Signup).where(Signup.email == "anglo@exemple.ca")).user
    services.send_message(
        ParentKind.webinar,
        webinar,
        audience=Audience.confirmed,
        subject_fr="Objet",
        body_fr="Texte",
        subject_en="Subject",
        body_en="Text",
        token="t1",
        sender=coordinator,
    )
    db.session.commit()
    [row] = services.export_messages(english)
    assert row["subject"] == "Subject"
    services.erase_messages(english)
    db.session.commit()
    assert services.export_messages(english) == []
    assert db.session.scalar(select(func.count()).select_from(RosterMessageRecipient)) == 1


def test_two_requests_at_once_send_once(app, pg_only, webinar, coordinator):
    path = page(webinar)
    clients = []
    for _ in range(2):
        c = app.test_client()
        with app.app_context():
            login(c, coordinator)
        with app.app_context():
            clients.append((c, csrf_token(c, path)))
    with app.app_context():
        token = services_token(clients[0][0].get(path).get_data(as_text=True))
    db.session.remove()
    barrier = threading.Barrier(2)
    statuses = []

    def hit(c, csrf):
        barrier.wait(timeout=30)
        data = {
            "csrf_token": csrf,
            "token": token,
            "audience": "everyone",
            "subject_fr": "Objet",
            "body_fr": "Texte",
            "subject_en": "",
            "body_en": "",
            "action": "send",
        }
        statuses.append(c.post(path, data=data).status_code)

    threads = [threading.Thread(target=hit, args=pair) for pair in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert statuses == [302, 302]
    assert db.session.scalar(select(func.count()).select_from(RosterMessage)) == 1
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 3
