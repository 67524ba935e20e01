"""The webinar waiting list follows the seats core: first in, first out by the moment
someone joined the queue, each move logged, the position shown and emailed."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from communaute.db import utcnow
from communaute.email import OutboxMessage
from communaute.extensions import db
from communaute.webinars import services
from communaute.webinars.models import Signup, SignupMove, SignupState
from communaute.webinars.services import TokenError
from tests.factories import login, make_member, post
from tests.webinars.conftest import make_webinar


def guest(webinar, email, now):
    signup, _ = services.sign_up_guest(webinar, email=email, name=email.split("@")[0], now=now)
    db.session.commit()
    return signup


def test_someone_who_cancelled_and_came_back_joins_the_end_of_the_queue(app):
    """On the old code the returning row kept its created_at and jumped ahead of Béa."""
    webinar = make_webinar(capacity=1)
    t = utcnow()
    alice = guest(webinar, "alice@exemple.ca", t)
    chloe = guest(webinar, "chloe@exemple.ca", t + timedelta(minutes=1))
    assert chloe.state == SignupState.waiting
    services.cancel_signup(chloe, now=t + timedelta(minutes=2))
    bea = guest(webinar, "bea@exemple.ca", t + timedelta(minutes=3))
    chloe = guest(webinar, "chloe@exemple.ca", t + timedelta(minutes=4))  # comes back, last
    assert services.waiting_position(bea) == 1
    assert services.waiting_position(chloe) == 2
    [promoted] = services.cancel_signup(alice, now=t + timedelta(minutes=5))
    db.session.commit()
    assert promoted.email == "bea@exemple.ca"
    assert db.session.get(Signup, chloe.id).state == SignupState.waiting


def test_every_move_of_a_signup_is_logged(app):
    webinar = make_webinar(capacity=1)
    first = guest(webinar, "a@exemple.ca", utcnow())
    second = guest(webinar, "b@exemple.ca", utcnow())
    services.cancel_signup(first)
    db.session.commit()
    moves = db.session.scalars(
        select(SignupMove).where(SignupMove.signup_id == second.id).order_by(SignupMove.id)
    ).all()
    assert [(m.from_state, m.to_state, m.reason) for m in moves] == [
        (None, "waiting", ""),
        ("waiting", "confirmed", "auto:promoted"),
    ]
    [cancel] = db.session.get(Signup, first.id).moves[1:]
    assert (cancel.from_state, cancel.to_state) == ("confirmed", "cancelled")


def test_the_waiting_email_gives_the_position(app):
    webinar = make_webinar(capacity=1)
    for letter in "abc":
        guest(webinar, f"{letter}@exemple.ca", utcnow())
    waiting = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.kind == "webinars.waitlisted")
        .order_by(OutboxMessage.id)
    ).all()
    assert [m.recipient for m in waiting] == ["b@exemple.ca", "c@exemple.ca"]
    assert "en position 1 :" in waiting[0].text_body
    assert "en position 2 :" in waiting[1].text_body


def test_the_webinar_page_and_my_space_show_the_position(client):
    webinar = make_webinar(capacity=1)
    guest(webinar, "premiere@exemple.ca", utcnow())
    guest(webinar, "deuxieme@exemple.ca", utcnow())
    member = make_member("troisieme@exemple.ca")
    login(client, member)
    page = f"/webinars/{webinar.id}"
    response = post(client, page + "/signup", form_page=page, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "sur la liste d’attente, en position 2." in html  # the flash message
    assert "Votre place sur la liste d’attente\u00a0: 2." in html  # the confirmation page
    html = client.get(page).get_data(as_text=True)
    assert "Votre place sur la liste d’attente\u00a0: 2." in html  # the webinar's page
    me = client.get("/me").get_data(as_text=True)
    assert "Liste d’attente, position 2" in me


def test_an_old_cancel_link_does_not_cancel_a_later_signup(app):
    """A link belongs to one sign-up: after a cancel and a new sign-up of the same address
    (which reuses the row), the first email's link is refused."""
    webinar = make_webinar()
    t = utcnow()
    first = guest(webinar, "a@exemple.ca", t)
    old_link = services.make_cancel_token(first)
    services.cancel_signup(first, now=t + timedelta(minutes=1))
    again = guest(webinar, "a@exemple.ca", t + timedelta(minutes=2))
    assert again.id == first.id and again.state == SignupState.confirmed
    with pytest.raises(TokenError):
        services.signup_for_token(old_link)
    assert services.signup_for_token(services.make_cancel_token(again)).id == again.id


def test_an_old_cancel_link_is_refused_from_the_browser_too(client):
    webinar = make_webinar()
    first = guest(webinar, "a@exemple.ca", utcnow())
    old_link = f"/webinars/cancel/{services.make_cancel_token(first)}"
    services.cancel_signup(first)
    db.session.commit()
    guest(webinar, "a@exemple.ca", utcnow() + timedelta(seconds=1))
    response = client.get(old_link)
    assert response.status_code == 400
    assert "Utilisez le lien de votre dernier courriel" in response.get_data(as_text=True)
    assert db.session.scalar(select(Signup.state)) == SignupState.confirmed
