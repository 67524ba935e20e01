"""A course or a session duplicated: everything but the people."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from communaute.extensions import db
from communaute.i18n import MONTREAL
from communaute.trainings.models import Course, Registration, RegistrationState, TrainingSession
from tests.factories import login, make_coordinator, make_member, post
from tests.trainings.conftest import make_course, make_session


@pytest.fixture
def coordinator_client(client):
    login(client, make_coordinator())
    return client


def test_a_course_is_copied_as_a_draft_with_a_free_address(coordinator_client):
    course = make_course(slug="savoir-etre", title="Savoir-être", published=True)
    make_session(course)
    page = f"/trainings/manage/courses/{course.id}/sessions"
    for expected in ("savoir-etre-copie", "savoir-etre-copie-2"):
        response = post(
            coordinator_client, f"/trainings/manage/courses/{course.id}/duplicate", form_page=page
        )
        copy = db.session.scalar(select(Course).where(Course.slug == expected))
        assert response.headers["Location"] == f"/trainings/manage/courses/{copy.id}"
        assert copy.title == "Savoir-être" and not copy.published and copy.sessions == []


def test_a_session_is_copied_a_week_later_at_the_same_montreal_time_without_people(
    coordinator_client,
):
    # 2027-03-10 at 9:00, EST; a week later it is EDT: the UTC hour moves, 9:00 stays.
    start = datetime(2027, 3, 10, 14, tzinfo=UTC)
    session = make_session(
        make_course(), starts_at=start, ends_at=start.replace(hour=16), capacity=12
    )
    member = make_member()
    db.session.add(
        Registration(
            course_id=session.course_id,
            session=session,
            user_id=member.id,
            state=RegistrationState.confirmed,
        )
    )
    db.session.commit()
    roster = f"/trainings/manage/sessions/{session.id}"
    assert f'action="{roster}/duplicate"' in coordinator_client.get(roster).get_data(as_text=True)
    response = post(coordinator_client, f"{roster}/duplicate", form_page=roster)
    copy = db.session.scalar(select(TrainingSession).where(TrainingSession.id != session.id))
    assert response.headers["Location"] == f"/trainings/manage/sessions/{copy.id}/edit"
    assert copy.starts_at == datetime(2027, 3, 17, 13, tzinfo=UTC)
    assert copy.starts_at.astimezone(MONTREAL).hour == 9
    assert copy.capacity == 12 and copy.registrations == []


def test_members_cannot_duplicate(app, client):
    session = make_session(make_course())
    login(client, make_member())
    token_page = "/trainings/"
    response = post(
        client, f"/trainings/manage/sessions/{session.id}/duplicate", form_page=token_page
    )
    assert response.status_code == 403
