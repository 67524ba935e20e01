"""Course and session factories for the trainings tests."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from communaute.db import utcnow
from communaute.extensions import db
from communaute.trainings.models import (
    Audience,
    Course,
    CourseFormat,
    SessionState,
    TrainingSession,
)

_n = itertools.count(1)


def make_course(*, published=True, format=CourseFormat.online, commit=True, **fields) -> Course:
    n = next(_n)
    values = {
        "slug": f"cours-{n}",
        "title": f"Cours {n}",
        "summary": "Un résumé du cours.",
        "description": "Une description.",
        "language": "fr",
        "audience": Audience.patient_partners,
        "duration": "2 heures",
        "prerequisites": "",
    }
    values.update(fields)
    course = Course(published=published, format=format, **values)
    db.session.add(course)
    if commit:
        db.session.commit()
    return course


def make_session(course=None, *, days=7, capacity=10, commit=True, **fields) -> TrainingSession:
    course = course or make_course()
    start = utcnow().replace(microsecond=0) + timedelta(days=days)
    values = {
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        "place": "",
        "online_url": "https://zoom.example/j/123",
        "capacity": capacity,
        "state": SessionState.open,
    }
    values.update(fields)
    session = TrainingSession(course=course, **values)
    db.session.add(session)
    if commit:
        db.session.commit()
    return session


@pytest.fixture
def course(app):
    return make_course()


@pytest.fixture
def training_session(app, course):
    return make_session(course, capacity=2)


@pytest.fixture
def request_context(app):
    """Services build email links with url_for, as they do inside a request."""
    with app.test_request_context():
        yield
