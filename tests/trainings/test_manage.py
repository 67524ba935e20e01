"""Coordinator pages: permissions, forms with hostile input, roster, attendance, CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from communaute.db import utcnow
from communaute.extensions import db
from communaute.i18n import MONTREAL
from communaute.trainings.models import (
    Course,
    Registration,
    RegistrationMove,
    RegistrationState,
    SessionState,
    TrainingSession,
)
from tests.factories import login, make_coordinator, make_member, post
from tests.trainings.conftest import make_course, make_session


def manage_addresses(course, session, reg):
    return [
        ("get", "/trainings/manage/"),
        ("get", "/trainings/manage/courses/new"),
        ("get", f"/trainings/manage/courses/{course.id}"),
        ("get", f"/trainings/manage/courses/{course.id}/sessions"),
        ("post", f"/trainings/manage/courses/{course.id}/publish"),
        ("get", f"/trainings/manage/courses/{course.id}/sessions/new"),
        ("get", f"/trainings/manage/sessions/{session.id}/edit"),
        ("get", f"/trainings/manage/sessions/{session.id}"),
        ("post", f"/trainings/manage/sessions/{session.id}/attendance"),
        ("post", f"/trainings/manage/registrations/{reg.id}/move"),
        ("post", f"/trainings/manage/sessions/{session.id}/cancel"),
        ("get", f"/trainings/manage/sessions/{session.id}/registrants.csv"),
    ]


@pytest.fixture
def roster_data(app):
    course = make_course(title="Atelier")
    session = make_session(course, capacity=3)
    member = make_member(name="Line Pépin", needs_captions=True)
    reg = Registration(
        course_id=course.id,
        session_id=session.id,
        user_id=member.id,
        state=RegistrationState.confirmed,
    )
    db.session.add(reg)
    db.session.commit()
    return course, session, reg


def test_every_manage_address_is_protected(app, client, roster_data):
    addresses = manage_addresses(*roster_data)
    for method, path in addresses:
        if method == "get":
            response = client.get(path)
        else:
            response = post(client, path, form_page="/auth/login")
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"], path
    login(client, make_member())
    for method, path in addresses:
        if method == "get":
            assert client.get(path).status_code == 403, path
        else:
            assert post(client, path, form_page="/me").status_code == 403, path
    coordinator_client = app.test_client()
    login(coordinator_client, make_coordinator())
    for method, path in addresses:
        if method == "get":
            assert coordinator_client.get(path).status_code == 200, path
    assert db.session.scalar(select(func.count()).select_from(RegistrationMove)) == 0


@pytest.fixture
def coordinator_client(client):
    login(client, make_coordinator())
    return client


COURSE = {
    "title": "Partenariat 101",
    "slug": "partenariat-101",
    "summary": "Les bases.",
    "description": "Un texte.\n\nUn autre paragraphe.",
    "language": "fr",
    "format": "online",
    "audience": "everyone",
    "duration": "2 heures",
    "prerequisites": "",
    "material_url": "",
}


def test_create_course_then_publish(coordinator_client):
    response = post(coordinator_client, "/trainings/manage/courses/new", COURSE)
    assert response.status_code == 302
    course = db.session.scalars(select(Course)).one()
    assert course.published is False
    post(
        coordinator_client,
        f"/trainings/manage/courses/{course.id}/publish",
        form_page=f"/trainings/manage/courses/{course.id}/sessions",
    )
    db.session.refresh(course)
    assert course.published is True


@pytest.mark.parametrize(
    "change, field_message",
    [
        ({"title": ""}, "Ce champ est obligatoire"),
        ({"title": "x" * 201}, "title"),
        ({"slug": "Avec Espaces"}, "lettres minuscules"),
        ({"slug": "manage"}, "réservée"),
        ({"slug": "<script>"}, "lettres minuscules"),
        ({"summary": "nul\x00"}, "summary"),
        ({"title": "\u202eevil"}, "title"),
        ({"format": "teleportation"}, "format"),
        ({"material_url": "javascript:alert(1)"}, "https://"),
        ({"description": "x" * 20001}, "description"),
    ],
)
def test_course_form_hostile_input(coordinator_client, change, field_message):
    response = post(coordinator_client, "/trainings/manage/courses/new", {**COURSE, **change})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "error-summary" in html
    assert field_message in html
    assert db.session.scalar(select(func.count()).select_from(Course)) == 0


def test_course_slug_must_be_free(coordinator_client):
    make_course(slug="partenariat-101")
    response = post(coordinator_client, "/trainings/manage/courses/new", COURSE)
    assert "déjà utilisée" in response.get_data(as_text=True)


def test_emoji_title_is_fine(coordinator_client):
    response = post(
        coordinator_client,
        "/trainings/manage/courses/new",
        {**COURSE, "title": "Partenariat 🤝 101"},
    )
    assert response.status_code == 302


SESSION = {
    "start_date": "2030-05-12",
    "start_time": "13:30",
    "end_time": "16:30",
    "place": "Salle 3",
    "online_url": "",
    "capacity": "12",
    "deadline_date": "2030-05-10",
    "deadline_time": "",
    "state": "open",
}


def test_create_session_in_montreal_time(coordinator_client):
    course = make_course()
    path = f"/trainings/manage/courses/{course.id}/sessions/new"
    assert post(coordinator_client, path, SESSION).status_code == 302
    session = db.session.scalars(select(TrainingSession)).one()
    assert session.starts_at.hour == 17  # 13 h 30 EDT is 17 h 30 UTC
    assert session.capacity == 12
    assert session.registration_deadline.date().isoformat() == "2030-05-11"  # 23 h 59 EDT


@pytest.mark.parametrize(
    "change, message",
    [
        ({"end_time": "12:00"}, "La fin doit être après le début"),
        ({"capacity": "0"}, "nombre entier"),
        ({"capacity": "-3"}, "nombre entier"),
        ({"capacity": "2.5"}, "nombre entier"),
        ({"capacity": "99999999999999999999"}, "nombre entier"),
        ({"capacity": "douze"}, "nombre entier"),
        ({"deadline_date": "2030-05-13"}, "date limite"),
        ({"start_date": "2030-02-30"}, "date"),
        ({"start_date": ""}, "Donnez une date valide"),
        ({"start_time": "25:00"}, "heure"),
        ({"place": "", "online_url": ""}, "un lieu, un lien"),
        ({"online_url": "ftp://x"}, "https://"),
        ({"place": "<script>alert(1)</script>" + "x" * 300}, "place"),
        ({"start_date": "0001-01-01"}, "entre les années 2000 et 2100"),
    ],
)
def test_session_form_hostile_input(coordinator_client, change, message):
    course = make_course()
    path = f"/trainings/manage/courses/{course.id}/sessions/new"
    response = post(coordinator_client, path, {**SESSION, **change})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in html.replace("’", "'") or message in html
    assert "<script>alert" not in html
    assert db.session.scalar(select(func.count()).select_from(TrainingSession)) == 0


def test_lowering_capacity_below_confirmed_is_refused(coordinator_client, roster_data):
    course, session, reg = roster_data
    other = make_member()
    db.session.add(
        Registration(
            course_id=course.id,
            session_id=session.id,
            user_id=other.id,
            state=RegistrationState.confirmed,
        )
    )
    db.session.commit()
    path = f"/trainings/manage/sessions/{session.id}/edit"
    values = {
        **SESSION,
        "start_date": session.starts_at.date().isoformat(),
        "capacity": "1",
        "deadline_date": "",
    }
    response = post(coordinator_client, path, values)
    assert response.status_code == 200
    assert "2 personnes sont déjà confirmées" in response.get_data(as_text=True)
    db.session.refresh(session)
    assert session.capacity == 3


def test_roster_shows_needs_and_csv_is_safe(coordinator_client, roster_data):
    course, session, reg = roster_data
    evil = make_member(name='=HYPERLINK("http://x")', email="evil@x.ca")
    db.session.add(
        Registration(
            course_id=course.id,
            session_id=session.id,
            user_id=evil.id,
            state=RegistrationState.waiting,
        )
    )
    db.session.commit()
    html = coordinator_client.get(f"/trainings/manage/sessions/{session.id}").get_data(as_text=True)
    # Line Pépin's row ends with her needs, from her account.
    assert re.search(r">Line Pépin</a></th>(?:(?!</tr>).)*<td>Sous-titres</td>\s*</tr>", html, re.S)
    response = coordinator_client.get(f"/trainings/manage/sessions/{session.id}/registrants.csv")
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Nom", "Courriel", "État"]
    names = [r[0] for r in rows[1:]]
    assert "Line Pépin" in names
    assert '\'=HYPERLINK("http://x")' in names


def _start_in_the_past(session):
    session.starts_at = utcnow().replace(microsecond=0) - timedelta(hours=1)
    session.ends_at = session.starts_at + timedelta(hours=2)
    db.session.commit()


def test_attendance_on_a_session_that_started(coordinator_client, roster_data):
    course, session, reg = roster_data
    _start_in_the_past(session)
    roster = f"/trainings/manage/sessions/{session.id}"
    post(
        coordinator_client,
        f"{roster}/attendance",
        {"attended": [str(reg.id), "abc", "-1"]},
        form_page=roster,
    )
    db.session.refresh(reg)
    assert reg.attended is True


def test_attendance_before_the_start_is_refused(coordinator_client, roster_data):
    course, session, reg = roster_data
    roster = f"/trainings/manage/sessions/{session.id}"
    response = post(
        coordinator_client,
        f"{roster}/attendance",
        {"attended": [str(reg.id)]},
        form_page=roster,
        follow_redirects=True,
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Les présences peuvent être prises une fois la séance commencée." in html
    db.session.refresh(reg)
    assert reg.attended is None


def test_move_and_cancel(coordinator_client, roster_data, mailbox):
    course, session, reg = roster_data
    roster = f"/trainings/manage/sessions/{session.id}"
    # A move needs a reason.
    response = post(
        coordinator_client,
        f"/trainings/manage/registrations/{reg.id}/move",
        {"to_state": "waiting", "reason": ""},
        form_page=roster,
        follow_redirects=True,
    )
    assert "obligatoire" in response.get_data(as_text=True)
    db.session.refresh(reg)
    assert reg.state == RegistrationState.confirmed
    post(
        coordinator_client,
        f"/trainings/manage/registrations/{reg.id}/move",
        {"to_state": "waiting", "reason": "Demande de la personne"},
        form_page=roster,
    )
    db.session.refresh(reg)
    assert reg.state == RegistrationState.waiting
    post(coordinator_client, f"{roster}/cancel", {"reason": "Salle fermée"}, form_page=roster)
    db.session.refresh(session)
    assert session.state == SessionState.cancelled


def test_summary_on_manage_index(coordinator_client, roster_data):
    html = coordinator_client.get("/trainings/manage/").get_data(as_text=True)
    assert "Atelier" in html and "pas encore noté" in html


def test_move_form_refuses_tampered_input(coordinator_client, roster_data):
    course, session, reg = roster_data
    roster = f"/trainings/manage/sessions/{session.id}"
    for data in (
        {"to_state": "teleported", "reason": "x"},
        {"to_state": "waiting", "reason": "nul\x00"},
        {"to_state": "waiting", "reason": "x" * 501},
    ):
        response = post(
            coordinator_client,
            f"/trainings/manage/registrations/{reg.id}/move",
            data,
            form_page=roster,
        )
        assert response.status_code == 302
        db.session.refresh(reg)
        assert reg.state == RegistrationState.confirmed
    response = post(
        coordinator_client,
        "/trainings/manage/registrations/999999/move",
        {"to_state": "waiting", "reason": "x"},
        form_page=roster,
    )
    assert response.status_code == 404


def test_roster_log_shows_moves_in_french(coordinator_client, roster_data):
    course, session, reg = roster_data
    roster = f"/trainings/manage/sessions/{session.id}"
    post(
        coordinator_client,
        f"/trainings/manage/registrations/{reg.id}/move",
        {"to_state": "cancelled", "reason": "Absente pour raison de santé"},
        form_page=roster,
    )
    html = coordinator_client.get(roster).get_data(as_text=True)
    assert "Journal des changements" in html
    assert "Absente pour raison de santé" in html


def test_huge_or_unknown_ids_are_404(coordinator_client):
    huge = "99999999999999999999"
    for path in (
        f"/trainings/manage/sessions/{huge}",
        f"/trainings/manage/courses/{huge}",
        f"/trainings/manage/sessions/{huge}/registrants.csv",
        "/trainings/manage/sessions/0",
    ):
        assert coordinator_client.get(path).status_code == 404, path
    response = post(coordinator_client, f"/trainings/registrations/{huge}/cancel", form_page="/me")
    assert response.status_code == 404
    response = post(coordinator_client, f"/trainings/sessions/{huge}/register", form_page="/me")
    assert response.status_code == 404


def test_coordination_page_links_to_trainings(coordinator_client):
    html = coordinator_client.get("/coordination").get_data(as_text=True)
    assert 'href="/trainings/manage/"' in html


def test_raising_capacity_from_the_form_promotes(coordinator_client, roster_data, mailbox):
    course, session, reg = roster_data
    session.capacity = 1
    # An afternoon a week ahead, in Montreal: the form takes a start and an end on one day
    # (a session that starts at 22:00 would end past midnight, whatever hour the tests run).
    day = (utcnow() + timedelta(days=7)).astimezone(MONTREAL).date()
    afternoon = datetime.combine(day, time(13, 30), MONTREAL)
    session.starts_at = afternoon.astimezone(UTC)
    session.ends_at = (afternoon + timedelta(hours=2)).astimezone(UTC)
    waiting = make_member()
    db.session.add(
        Registration(
            course_id=course.id,
            session_id=session.id,
            user_id=waiting.id,
            state=RegistrationState.waiting,
            waitlisted_at=session.created_at,
        )
    )
    db.session.commit()
    path = f"/trainings/manage/sessions/{session.id}/edit"
    form = coordinator_client.get(path).get_data(as_text=True)
    assert 'value="1"' in form
    start = session.starts_at.astimezone(MONTREAL)
    values = {
        **SESSION,
        "start_date": start.date().isoformat(),
        "start_time": start.strftime("%H:%M"),
        "end_time": session.ends_at.astimezone(MONTREAL).strftime("%H:%M"),
        "place": "",
        "online_url": session.online_url,
        "capacity": "2",
        "deadline_date": "",
    }
    response = post(coordinator_client, path, values, follow_redirects=True)
    assert "1 personne est passée" in response.get_data(as_text=True)
    promoted = db.session.scalars(
        select(Registration).where(Registration.user_id == waiting.id)
    ).one()
    assert promoted.state == RegistrationState.confirmed
