"""A member's journey through a course: the confirmation page, the box on the course page,
the calendar files, one seat per course and the switch to another date."""

from __future__ import annotations

from icalendar import Calendar
from sqlalchemy import func, select

from communaute.email import deliver_due
from communaute.extensions import db
from communaute.trainings import services
from communaute.trainings.models import Course, Registration, RegistrationState
from tests.factories import login, make_member, post
from tests.trainings.conftest import make_course, make_session

LINK = "https://zoom.example/j/123"


def register(client, session):
    page = f"/trainings/{session.course.slug}"
    return post(client, f"/trainings/sessions/{session.id}/register", form_page=page)


def active(member) -> list[Registration]:
    return list(
        db.session.scalars(
            select(Registration).where(
                Registration.user_id == member.id,
                Registration.state != RegistrationState.cancelled,
            )
        )
    )


def test_registering_lands_on_the_confirmation_page(client):
    session = make_session(make_course(title="Partenariat expérientiel"))
    member = make_member()
    login(client, member)
    response = register(client, session)
    [reg] = active(member)
    assert response.location.endswith(f"/trainings/registrations/{reg.id}")
    html = client.get(response.location).get_data(as_text=True)
    box = html[html.index(f'id="my-registration-{reg.id}"') :]
    assert "Vous êtes inscrite ou inscrit" in box
    assert f'href="{LINK}"' in box
    assert f"/trainings/registrations/{reg.id}/calendar.ics" in box
    assert "calendar.google.com" in box and "outlook.live.com" in box
    assert "Oui, annuler mon inscription" in html
    # The course page shows the same box instead of the button.
    page = client.get(f"/trainings/{session.course.slug}").get_data(as_text=True)
    assert f'id="my-registration-{reg.id}"' in page
    assert f'action="/trainings/sessions/{session.id}/register"' not in page


def test_registration_page_and_file_are_the_members_own(client):
    session = make_session()
    owner = make_member()
    reg, _ = services.register_for_session(session, member=owner)
    db.session.commit()
    login(client, make_member())
    assert client.get(f"/trainings/registrations/{reg.id}").status_code == 404
    assert client.get(f"/trainings/registrations/{reg.id}/calendar.ics").status_code == 404
    assert client.get("/trainings/registrations/99999").status_code == 404


def test_calendar_files_of_a_registration_and_of_a_session(client):
    session = make_session()
    member = make_member()
    reg, _ = services.register_for_session(session, member=member)
    db.session.commit()
    public = Calendar.from_ical(client.get(f"/trainings/sessions/{session.id}/calendar.ics").data)
    [event] = public.walk("VEVENT")
    assert str(event["uid"]) == f"training-session-{session.id}@communaute.experiences"
    assert event.decoded("dtstart") == session.starts_at
    assert LINK not in str(event.get("description", ""))
    login(client, member)
    own = Calendar.from_ical(client.get(f"/trainings/registrations/{reg.id}/calendar.ics").data)
    [mine] = own.walk("VEVENT")
    assert str(mine["uid"]) == str(event["uid"]) and LINK in str(mine["description"])


def test_a_second_date_offers_to_switch(client, mailbox):
    course = make_course()
    first = make_session(course, days=7, capacity=1)
    second = make_session(course, days=14)
    member = make_member()
    waiting = make_member()
    login(client, member)
    register(client, first)
    services.register_for_session(first, member=waiting)  # on the waiting list
    db.session.commit()
    page = client.get(f"/trainings/{course.slug}").get_data(as_text=True)
    assert "Choisir plutôt cette date" in page
    response = register(client, second)
    assert response.location.endswith(f"/trainings/sessions/{second.id}/switch")
    html = client.get(response.location).get_data(as_text=True)
    assert "Vous êtes inscrite ou inscrit à" in html and "Passer au" in html
    assert len(active(member)) == 1  # nothing changed yet
    deliver_due()
    mailbox.wait_for(2)
    mailbox.clear()
    response = post(client, f"/trainings/sessions/{second.id}/switch")
    [reg] = active(member)
    assert reg.session_id == second.id and reg.state == RegistrationState.confirmed
    assert response.location.endswith(f"/trainings/registrations/{reg.id}")
    # The freed seat went to the waiting list.
    [promoted] = active(waiting)
    assert promoted.state == RegistrationState.confirmed
    deliver_due()
    messages = mailbox.wait_for(2)
    mine = mailbox.to(member.email)
    assert len(mine) == 1 and "Date modifiée" in mine[0]["Subject"]
    assert len(messages) == 2  # the switch, and the promotion of the person waiting


def test_a_course_may_allow_several_sessions(client):
    course = make_course(allows_several=True)
    first, second = make_session(course, days=7), make_session(course, days=14)
    member = make_member()
    login(client, member)
    register(client, first)
    response = register(client, second)
    assert "/switch" not in response.location
    assert len(active(member)) == 2


def test_switch_to_a_full_session_is_refused_and_keeps_the_seat(client):
    course = make_course()
    first = make_session(course, days=7)
    second = make_session(course, days=14, capacity=1)
    services.register_for_session(second, member=make_member())
    member = make_member()
    db.session.commit()
    login(client, member)
    register(client, first)
    response = post(client, f"/trainings/sessions/{second.id}/switch")
    assert response.status_code == 200
    assert "vous gardez votre place" in response.get_data(as_text=True)
    [reg] = active(member)
    assert reg.session_id == first.id
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 2


def test_coordinator_decides_whether_a_course_allows_several_sessions(client):
    from tests.factories import make_coordinator
    from tests.trainings.test_manage import COURSE

    login(client, make_coordinator())
    post(client, "/trainings/manage/courses/new", COURSE)
    course = db.session.scalar(select(Course))
    assert course.allows_several is False  # one seat per course unless ticked
    path = f"/trainings/manage/courses/{course.id}"
    html = client.get(path).get_data(as_text=True)
    assert 'name="allows_several"' in html
    post(client, path, {**COURSE, "allows_several": "y"})
    db.session.refresh(course)
    assert course.allows_several is True
