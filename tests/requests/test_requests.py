"""Make a request: the form, its guards, the queue, the private page, the thread by email."""

from __future__ import annotations

import json
import re
import time

import pytest
from sqlalchemy import func, select

from communaute.email import OutboxMessage, deliver_due
from communaute.extensions import db
from communaute.requests import services
from communaute.requests.models import CollaborationRequest, RequestState
from tests.factories import PASSWORD, login, make_coordinator, make_member, post
from tests.querycount import page_queries
from tests.requests.conftest import form_data, send


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(CollaborationRequest))


def text_of(msg) -> str:
    return msg.get_body(preferencelist=("plain",)).get_content()


def test_every_page_links_to_make_a_request_in_both_languages(client):
    fr = client.get("/").get_data(as_text=True)
    assert re.search(r'<a href="/requests/new"[^>]*>Faire une demande</a>', fr)
    assert "Avez-vous une idée de collaboration?" in fr
    en = client.get("/trainings/?lang=en").get_data(as_text=True)
    assert re.search(r'<a href="/requests/new"[^>]*>Make a request</a>', en)


def test_the_form_says_what_is_done_with_the_information(client):
    html = client.get("/requests/new").get_data(as_text=True)
    assert "<h1>Faire une demande</h1>" in html
    assert "Ce que nous faisons de vos renseignements" in html
    assert 'aria-hidden="true"' in html and 'tabindex="-1"' in html  # the honeypot


def test_a_request_is_stored_and_both_emails_leave(app, client, mailbox):
    coordinator = make_coordinator("coord@exemple.ca", language="en")
    response = send(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/requests/sent"
    [req] = db.session.scalars(select(CollaborationRequest)).all()
    assert req.state == RequestState.new
    assert req.organisation == "Centre de recherche du CHUM"
    assert req.phone == "514 555-0123"
    assert req.language == "fr"
    db.session.commit()
    deliver_due()
    messages = mailbox.wait_for(2)
    by_to = {m["To"]: m for m in messages}
    receipt = by_to["amelie@exemple.ca"]
    assert "Nous avons reçu votre demande" in receipt["Subject"]
    assert "https://communaute.example/requests/follow/" in text_of(receipt)
    team = by_to[coordinator.email]
    assert team["Subject"].startswith("New collaboration request")
    assert f"https://communaute.example/requests/{req.id}" in text_of(team)


def test_an_english_visitor_gets_an_english_receipt(app, client, mailbox):
    client.get("/?lang=en")
    send(client)
    db.session.commit()
    deliver_due()
    [msg] = mailbox.wait_for(1)
    assert msg["Subject"].startswith("We received your request")


def test_the_honeypot_keeps_nothing_and_says_thank_you(client):
    response = send(client, website="http://spam.example")
    assert response.headers["Location"] == "/requests/sent"
    assert count() == 0


@pytest.mark.parametrize("started", ["now", "", "pas-un-jeton", "tampered"])
def test_a_form_sent_too_fast_or_without_its_timestamp_is_refused_with_a_message(client, started):
    token = {
        "now": services.started_token(),
        "": "",
        "pas-un-jeton": "pas-un-jeton",
        "tampered": services.started_token(time.time() - 10)[:-2] + "xx",
    }[started]
    response = send(client, started=token)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "plus vite qu’une personne" in html
    assert count() == 0
    # The form comes back filled, with a fresh timestamp.
    assert 'value="Centre de recherche du CHUM"' in html


def test_a_form_left_open_more_than_a_day_is_refused(client):
    response = send(client, started=services.started_token(time.time() - 2 * 24 * 3600))
    assert "plus d’une journée" in response.get_data(as_text=True)
    assert count() == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Entrez votre nom."),
        ("name", "x" * 500, "120 caractères."),
        ("name", "Amélie\x00", "caractères invisibles"),
        ("name", "<script>alert(1)</script>", None),
        ("email", "amelie@exemple.ca\r\nBcc: autre@exemple.ca", "une seule adresse"),
        ("phone", "appelez-moi", "Indiquez un numéro de téléphone"),
        ("kind", "tout", "Not a valid choice"),
        ("project", "", "Décrivez votre projet"),
        ("project", "x" * 6000, "5000 caractères."),
        ("meeting_languages", "", "Choisissez la langue des rencontres."),
    ],
)
def test_hostile_or_missing_input_gets_a_message_next_to_its_field(client, field, value, message):
    response = send(client, **{field: value})
    html = response.get_data(as_text=True)
    if message is None:  # HTML in a name is kept as text, and escaped when shown
        assert response.status_code == 302
        assert count() == 1
        return
    assert response.status_code == 200
    assert count() == 0
    error = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', html, re.S)
    assert error, html[:3000]
    if message != "Not a valid choice":
        assert message in error.group(1)


def test_a_file_in_place_of_a_field_is_refused(client):
    from io import BytesIO

    data = form_data(client)
    data["project"] = (BytesIO(b"%PDF-1.4"), "projet.pdf")
    response = client.post("/requests/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    assert count() == 0


def test_one_address_cannot_be_sent_more_than_three_requests_an_hour(client):
    for _ in range(3):
        assert send(client).status_code == 302
    assert send(client).status_code == 429
    assert count() == 3


def test_the_queue_is_for_coordinators(client):
    assert client.get("/requests/").headers["Location"].startswith("/auth/login?next=")
    member = make_member()
    login(client, member)
    assert client.get("/requests/").status_code == 403
    req = _a_request(client)
    assert client.get(f"/requests/{req.id}").status_code == 403
    assert (
        post(client, f"/requests/{req.id}/note", {"note": "x"}, form_page="/me").status_code == 403
    )


def _a_request(client) -> CollaborationRequest:
    send(client)
    return db.session.scalars(select(CollaborationRequest)).one()


def test_a_coordinator_assigns_notes_and_changes_the_state(client):
    coordinator = make_coordinator(name="Josée Coordination")
    req = _a_request(client)
    login(client, coordinator)
    queue = client.get("/requests/").get_data(as_text=True)
    assert "Dre Amélie Tremblay" in queue and "Nouvelle" in queue
    page = f"/requests/{req.id}"
    assert (
        post(
            client, f"{page}/assign", {"assignee": str(coordinator.id)}, form_page=page
        ).status_code
        == 302
    )
    assert (
        post(
            client, f"{page}/note", {"note": "Piste : le comité cancer."}, form_page=page
        ).status_code
        == 302
    )
    assert post(client, f"{page}/state", {"state": "closed"}, form_page=page).status_code == 302
    db.session.expire_all()
    req = db.session.get(CollaborationRequest, req.id)
    assert req.assignee_id == coordinator.id
    assert req.state == RequestState.closed
    assert [n.body for n in req.notes] == ["Piste : le comité cancer."]
    # A tampered assignee or state is refused next to its field.
    member = make_member()
    bad = post(client, f"{page}/assign", {"assignee": str(member.id)}, form_page=page)
    assert bad.status_code == 200 and 'id="assignee-error"' in bad.get_data(as_text=True)
    bad = post(client, f"{page}/state", {"state": "perdu"}, form_page=page)
    assert bad.status_code == 200 and 'id="state-error"' in bad.get_data(as_text=True)
    assert client.get("/requests/2147483647").status_code == 404
    assert client.get("/requests/?state=<script>").status_code == 200


def test_a_tampered_private_link_is_a_404(client):
    req = _a_request(client)
    token = services.private_token(req)
    assert client.get(f"/requests/follow/{token}").status_code == 200
    assert client.get(f"/requests/follow/{token[:-3]}abc").status_code == 404
    assert client.get("/requests/follow/" + "a" * 400).status_code == 404
    for data in ({"r": req.id, "n": "un-autre"}, {"r": req.id + 1, "n": req.nonce}, {"r": 0},
                 ["liste"], {"r": 2**40, "n": req.nonce}):  # fmt: skip
        forged = services._link_serializer().dumps(data)
        assert client.get(f"/requests/follow/{forged}").status_code == 404
    # The page tells nobody where it came from.
    assert client.get(f"/requests/follow/{token}").headers["Referrer-Policy"] == "no-referrer"


def test_the_whole_thread_goes_through_the_real_smtp_server(app, client, mailbox):
    """request → a coordinator answers → the requester receives it → answers by the private
    link → the coordinator receives it and sees it on the request's page."""
    coordinator = make_coordinator("coord@exemple.ca", name="Josée")
    send(client)
    db.session.commit()
    deliver_due()
    mailbox.wait_for(2)
    mailbox.clear()
    req = db.session.scalars(select(CollaborationRequest)).one()

    team = app.test_client()
    login(team, coordinator)
    page = f"/requests/{req.id}"
    response = post(
        team,
        f"{page}/message",
        {"message": "Bonjour, pouvons-nous en parler jeudi?"},
        form_page=page,
    )
    assert response.status_code == 302
    deliver_due()
    [to_requester] = mailbox.wait_for(1)
    assert to_requester["To"] == "amelie@exemple.ca"
    body = text_of(to_requester)
    assert "pouvons-nous en parler jeudi?" in body
    link = re.search(r"https://communaute\.example(/requests/follow/\S+)", body).group(1)
    mailbox.clear()

    visitor = app.test_client()
    page_html = visitor.get(link).get_data(as_text=True)
    assert "pouvons-nous en parler jeudi?" in page_html
    response = post(visitor, link + "/reply", {"message": "Oui, jeudi à 10 h."}, form_page=link)
    assert response.status_code == 302
    deliver_due()
    [to_team] = mailbox.wait_for(1)
    assert to_team["To"] == "coord@exemple.ca"
    assert "Oui, jeudi à 10 h." in text_of(to_team)
    seen = team.get(page).get_data(as_text=True)
    assert "Oui, jeudi à 10 h." in seen
    db.session.expire_all()
    assert db.session.get(CollaborationRequest, req.id).state == RequestState.in_progress


def test_an_empty_answer_or_one_to_a_closed_request_is_refused(client):
    req = _a_request(client)
    link = f"/requests/follow/{services.private_token(req)}"
    bad = post(client, link + "/reply", {"message": ""}, form_page=link)
    assert bad.status_code == 200 and 'id="message-error"' in bad.get_data(as_text=True)
    req.state = RequestState.closed
    db.session.commit()
    html = client.get(link).get_data(as_text=True)
    assert "Cette demande est fermée" in html
    bad = post(client, link + "/reply", {"message": "Encore une chose"}, form_page="/requests/new")
    assert bad.status_code == 200
    assert (
        db.session.scalar(
            select(func.count()).select_from(db.metadata.tables["collaboration_request_messages"])
        )
        == 0
    )


def test_export_and_deletion_cover_the_requests_of_the_account_address(app, client):
    member = make_member("amelie@exemple.ca")
    _a_request(app.test_client())  # sent as a visitor, from the account's address
    other = app.test_client()
    send(other, email="autre@exemple.ca")
    login(client, member)
    data = json.loads(client.get("/auth/export").get_data(as_text=True))
    [mine] = data["requests"]
    assert mine["organisation"] == "Centre de recherche du CHUM"
    post(client, "/auth/delete", {"password": PASSWORD, "understand": "y"})
    emails = db.session.scalars(select(CollaborationRequest.email)).all()
    assert emails == ["autre@exemple.ca"]


def test_an_unconfirmed_account_does_not_see_requests_from_its_address(app, client):
    member = make_member("amelie@exemple.ca", confirmed=False)
    _a_request(app.test_client())
    login(client, member)
    data = json.loads(client.get("/auth/export").get_data(as_text=True))
    assert data["requests"] == []


def test_erasing_a_coordinator_leaves_the_requests_they_handled(app, client):
    coordinator = make_coordinator()
    req = _a_request(app.test_client())
    services.assign(req, coordinator.id, actor=coordinator)
    services.add_note(req, "Note", actor=coordinator)
    db.session.commit()
    services.erase_requests(coordinator)
    db.session.commit()
    db.session.expire_all()
    req = db.session.get(CollaborationRequest, req.id)
    assert req.assignee_id is None and req.notes[0].author_id is None


def test_queue_query_budget_does_not_grow(app, client):
    coordinator = make_coordinator()
    for i in range(3):
        send(app.test_client(), email=f"r{i}@exemple.ca")
    login(client, coordinator)
    small = page_queries(client, "/requests/").count
    for i in range(20):
        send(app.test_client(), email=f"s{i}@exemple.ca")
    assert page_queries(client, "/requests/").count == small
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) > 0
