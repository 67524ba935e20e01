"""Demo content: realistic, one full session with a waiting list, idempotent."""

from sqlalchemy import func, select

from communaute.demo import load_demo
from communaute.extensions import db
from communaute.trainings import services
from communaute.trainings.models import Course, Registration, TrainingSession


def counts():
    return tuple(
        db.session.scalar(select(func.count()).select_from(m))
        for m in (Course, TrainingSession, Registration)
    )


def test_demo_is_idempotent_and_has_a_full_session(app):
    list(load_demo())
    first = counts()
    assert first[0] >= 4
    list(load_demo())
    assert counts() == first
    full = [s for s in db.session.scalars(select(TrainingSession)) if services.seats_left(s) == 0]
    assert full and services.waiting_count(full[0]) >= 1
