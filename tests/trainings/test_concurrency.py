"""Capacity holds under real concurrent requests (PostgreSQL: row locks, several connections)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from communaute.extensions import db
from communaute.trainings import services
from communaute.trainings.models import Registration, RegistrationState
from tests.factories import csrf_token, login, make_member
from tests.trainings.conftest import make_course, make_session


@pytest.fixture
def app_config():
    # Fifty logins from one address in a few seconds: the login rate limit is not under test.
    return {"RATELIMIT_ENABLED": False}


def logged_in(app, member, page):
    """A client of its own, logged in, with a CSRF token for ``page``.

    A fresh app context each time: requests made under the test's app context share ``g``,
    where Flask-Login and Flask-WTF cache the user and the token.
    """
    client = app.test_client()
    with app.app_context():
        login(client, member)
    with app.app_context():
        return client, csrf_token(client, page)


def test_fifty_members_ten_seats(app, pg_only):
    course = make_course()
    session = make_session(course, capacity=10)
    session_id, slug = session.id, course.slug
    members = [make_member(commit=False) for _ in range(50)]
    db.session.commit()
    clients = [logged_in(app, member, f"/trainings/{slug}") for member in members]
    db.session.remove()

    barrier = threading.Barrier(len(clients))
    statuses, errors = [], []

    def hit(client, token):
        try:
            barrier.wait(timeout=30)
            response = client.post(
                f"/trainings/sessions/{session_id}/register", data={"csrf_token": token}
            )
            statuses.append(response.status_code)
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=hit, args=pair) for pair in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert statuses == [302] * 50

    regs = db.session.scalars(
        select(Registration).where(Registration.session_id == session_id)
    ).all()
    confirmed = [r for r in regs if r.state == RegistrationState.confirmed]
    waiting = [r for r in regs if r.state == RegistrationState.waiting]
    assert len(regs) == 50
    assert len(confirmed) == 10 and len(waiting) == 40
    assert len({r.user_id for r in regs}) == 50
    assert sorted(services.waitlist_position(r) for r in waiting) == list(range(1, 41))


def test_double_click_from_two_tabs_makes_one_registration(app, pg_only):
    session = make_session(make_course(), capacity=5)
    member = make_member()
    session_id, slug = session.id, session.course.slug
    (client_a, token_a), (client_b, token_b) = (
        logged_in(app, member, f"/trainings/{slug}") for _ in range(2)
    )
    tokens = [token_a, token_b]
    db.session.remove()
    barrier = threading.Barrier(2 * 5)

    def hit(client, token):
        barrier.wait(timeout=30)
        client.post(f"/trainings/sessions/{session_id}/register", data={"csrf_token": token})

    threads = [
        threading.Thread(target=hit, args=(c, t))
        for _ in range(5)
        for c, t in ((client_a, tokens[0]), (client_b, tokens[1]))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    count = db.session.scalar(
        select(func.count()).select_from(Registration).where(Registration.session_id == session_id)
    )
    assert count == 1
