"""A person, for coordinators: everything one member did, in a fixed number of queries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from communaute.auth.models import User
from communaute.coordination.models import RosterMessage, RosterMessageRecipient
from communaute.db import utcnow
from communaute.extensions import db
from communaute.i18n import fold
from communaute.magazine.models import Submission, SubmissionState
from communaute.trainings.models import Registration, SessionState, TrainingSession
from communaute.webinars.models import Signup, Webinar, WebinarStatus

PAGE = 50


def search(q: str, *, limit: int = PAGE) -> list[User]:
    """Members whose name, full name or address holds ``q`` (case ignored)."""
    query = select(User).order_by(User.display_name, User.id).limit(limit)
    q = (q or "").strip()[:100]
    if q:
        like = f"%{q.lower()}%"
        query = query.where(
            or_(
                func.lower(User.display_name).like(like),
                func.lower(User.full_name).like(like),
                func.lower(User.email).like(like),
            )
        )
    return list(db.session.scalars(query))


def person(user: User, *, now: datetime | None = None) -> dict:
    """Registrations, sign-ups (as a member, and as a guest with the same address), texts,
    messages received, and what the person could be registered for by hand."""
    now = now or utcnow()
    registrations = db.session.scalars(
        select(Registration)
        .where(Registration.user_id == user.id)
        .order_by(Registration.created_at.desc())
        .options(joinedload(Registration.course), joinedload(Registration.session))
    ).all()
    signups = db.session.scalars(
        select(Signup)
        .join(Webinar)
        .where(or_(Signup.user_id == user.id, Signup.email == user.email.lower()))
        .order_by(Webinar.start_at.desc())
        .options(contains_eager(Signup.webinar))
    ).all()
    texts = db.session.scalars(
        select(Submission)
        .where(Submission.author_id == user.id, Submission.state != SubmissionState.draft)
        .order_by(Submission.created_at.desc())
    ).all()
    messages = db.session.execute(
        select(RosterMessage, RosterMessageRecipient.language)
        .join(RosterMessageRecipient)
        .where(
            or_(
                RosterMessageRecipient.user_id == user.id,
                RosterMessageRecipient.email == user.email.lower(),
            )
        )
        .order_by(RosterMessage.created_at.desc())
    ).all()
    taken_sessions = {r.session_id for r in registrations if r.is_active}
    sessions = [
        s
        for s in db.session.scalars(
            select(TrainingSession)
            .join(TrainingSession.course)
            .where(TrainingSession.state == SessionState.open, TrainingSession.starts_at > now)
            .order_by(TrainingSession.starts_at)
            .options(contains_eager(TrainingSession.course))
            .limit(100)
        )
        if s.id not in taken_sessions
    ]
    taken_webinars = {s.webinar_id for s in signups if s.state.value != "cancelled"}
    webinars = [
        w
        for w in db.session.scalars(
            select(Webinar)
            .where(Webinar.status == WebinarStatus.scheduled, Webinar.start_at > now)
            .order_by(Webinar.start_at)
            .limit(100)
        )
        if w.id not in taken_webinars
    ]
    return {
        "registrations": registrations,
        "signups": signups,
        "texts": texts,
        "messages": messages,
        "sessions": sessions,
        "webinars": webinars,
        "attended": sum(1 for r in registrations if r.attended)
        + sum(1 for s in signups if s.attended),
    }


def sort_key(user: User) -> str:
    return fold(user.display_name)
