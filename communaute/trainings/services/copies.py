"""Copies that save typing: a course or a session again, everything but the people."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from communaute.db import utcnow
from communaute.extensions import db
from communaute.i18n import local_to_utc, utc_to_local
from communaute.trainings.models import Course, SessionState, TrainingSession

COURSE_FIELDS = (
    "title",
    "summary",
    "description",
    "language",
    "format",
    "audience",
    "duration",
    "prerequisites",
    "material_url",
    "title_en",
    "summary_en",
    "description_en",
    "duration_en",
    "prerequisites_en",
)


def _free_slug(slug: str) -> str:
    base = f"{slug[:70]}-copie"
    taken = set(db.session.scalars(select(Course.slug).where(Course.slug.startswith(base))))
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def duplicate_course(course: Course) -> Course:
    """A draft copy of the course (its texts and format; no session, no registration)."""
    copy = Course(published=False, slug=_free_slug(course.slug))
    for key in COURSE_FIELDS:
        setattr(copy, key, getattr(course, key))
    db.session.add(copy)
    db.session.flush()
    return copy


def _a_week_later(value: datetime, weeks: int) -> datetime:
    """The same Montreal clock time ``weeks`` weeks later (right across a change of time)."""
    day, at = utc_to_local(value)
    return local_to_utc(day + timedelta(weeks=weeks), at)


def duplicate_session(session: TrainingSession, *, now: datetime | None = None) -> TrainingSession:
    """The same session a week later (or the first week still ahead), open, nobody in it."""
    now = now or utcnow()
    weeks = 1
    while _a_week_later(session.starts_at, weeks) <= now:
        weeks += 1
    copy = TrainingSession(
        course=session.course,
        starts_at=_a_week_later(session.starts_at, weeks),
        ends_at=_a_week_later(session.ends_at, weeks),
        place=session.place,
        online_url=session.online_url,
        capacity=session.capacity,
        registration_deadline=(
            _a_week_later(session.registration_deadline, weeks)
            if session.registration_deadline
            else None
        ),
        state=SessionState.open,
    )
    db.session.add(copy)
    db.session.flush()
    return copy
