"""What the public and members read: the catalog, a course's sessions, "my trainings"."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from typing import NamedTuple

from sqlalchemy import bindparam, func, nulls_last, select
from sqlalchemy.orm import joinedload

from communaute import seats
from communaute.auth.models import User
from communaute.db import utcnow
from communaute.extensions import db
from communaute.i18n import fold
from communaute.trainings.models import (
    Audience,
    Course,
    CourseFormat,
    Registration,
    RegistrationState,
    SessionState,
    TrainingSession,
)

#: Courses per page of the catalog.
PAGE_SIZE = 10


# Seats -------------------------------------------------------------------------------------


def confirmed_count(session: TrainingSession) -> int:
    return seats.count(session, RegistrationState.confirmed)


def waiting_count(session: TrainingSession) -> int:
    return seats.count(session, RegistrationState.waiting)


def seats_left(session: TrainingSession) -> int | None:
    """None: no limit."""
    return seats.seats_left(session)


def state_counts(session_ids) -> dict[int, dict[RegistrationState, int]]:
    """Session id -> registrations counted by state, in one grouped query."""
    return seats.state_counts(TrainingSession.seat_kind, session_ids)


def seats_left_of(sessions, counts: dict | None = None) -> dict[int, int | None]:
    """Session id -> ``seats_left()`` for many sessions, from one grouped count."""
    return seats.seats_left_of(sessions, counts)


def waitlist_position(registration: Registration) -> int | None:
    """1 for the first on the waiting list; None when not waiting."""
    return seats.position(registration)


def waitlist_positions(registrations) -> dict[int, int]:
    """Registration id -> place on the waiting list, for the waiting ones, in one query."""
    return seats.positions(registrations)


def waiting_list(session: TrainingSession) -> list[Registration]:
    return seats.waiting_list(session)


# A member's registrations ------------------------------------------------------------------


def course_registrations(course: Course, member: User) -> dict[int, Registration]:
    """Session id -> the member's active registration, for every session of ``course``."""
    regs = db.session.scalars(
        select(Registration).where(
            Registration.session_id.in_(
                select(TrainingSession.id).where(TrainingSession.course_id == course.id)
            ),
            Registration.user_id == member.id,
            Registration.state != RegistrationState.cancelled,
        )
    )
    return {reg.session_id: reg for reg in regs}


def active_registration(session: TrainingSession, member: User) -> Registration | None:
    return db.session.scalar(
        select(Registration).where(
            Registration.session_id == session.id,
            Registration.user_id == member.id,
            Registration.state != RegistrationState.cancelled,
        )
    )


def self_paced_registration(course: Course, member: User) -> Registration | None:
    return db.session.scalar(
        select(Registration).where(
            Registration.course_id == course.id,
            Registration.session_id.is_(None),
            Registration.user_id == member.id,
            Registration.state != RegistrationState.cancelled,
        )
    )


def member_registrations(member: User, now: datetime | None = None) -> dict:
    """A member's registrations sorted for /me: upcoming, waiting, past, self-paced."""
    now = now or utcnow()
    regs = db.session.scalars(
        select(Registration)
        .where(Registration.user_id == member.id, Registration.state != RegistrationState.cancelled)
        .order_by(Registration.id)
        .options(joinedload(Registration.session), joinedload(Registration.course))
    ).all()
    positions = waitlist_positions(
        reg
        for reg in regs
        if reg.session is not None
        and reg.session.starts_at > now
        and reg.session.state != SessionState.cancelled
    )
    out = {"upcoming": [], "waiting": [], "past": [], "self_paced": []}
    for reg in regs:
        if reg.session is None:
            out["self_paced"].append(reg)
        elif reg.session.starts_at <= now:
            if reg.state == RegistrationState.confirmed:
                out["past"].append(reg)
        elif reg.session.state == SessionState.cancelled:
            continue
        elif reg.state == RegistrationState.waiting:
            out["waiting"].append((reg, positions[reg.id]))
        else:
            out["upcoming"].append(reg)
    out["upcoming"].sort(key=lambda r: r.session.starts_at)
    out["waiting"].sort(key=lambda p: p[0].session.starts_at)
    out["past"].sort(key=lambda r: r.session.starts_at, reverse=True)
    return out


# The catalog -------------------------------------------------------------------------------


def _next_start(now: datetime):
    return (
        select(func.min(TrainingSession.starts_at))
        .where(
            TrainingSession.course_id == Course.id,
            TrainingSession.starts_at > now,
            TrainingSession.state != SessionState.cancelled,
        )
        .correlate(Course)
        .scalar_subquery()
    )


#: What a catalog card shows: plain columns, no ``Course`` object built for a card.
CARD_COLUMNS = (
    Course.id,
    Course.slug,
    Course.title,
    Course.title_en,
    Course.summary,
    Course.summary_en,
    Course.duration,
    Course.duration_en,
    Course.format,
    Course.language,
    Course.audience,
)


def catalog_query(
    *,
    q: str = "",
    lang: str = "",
    format: str = "",
    audience: str = "",
    now: datetime | None = None,
):
    """Published courses matching every filter given; those with the soonest session first.

    Rows of ``CARD_COLUMNS``, to page through (``communaute.web.paginate_rows``)."""
    now = now or utcnow()
    query = select(*CARD_COLUMNS).where(Course.published.is_(True))
    for word in fold(q).split()[:10]:
        # Every word somewhere in the course, accents and case ignored ("experientiel").
        like = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(Course.search_text.like(like, escape="\\"))
    if lang in ("fr", "en"):
        query = query.where(Course.language == lang)
    if format in CourseFormat.__members__:
        query = query.where(Course.format == CourseFormat(format))
    if audience in Audience.__members__:
        query = query.where(Course.audience == Audience(audience))
    # NULLS LAST (courses without a next session at the end) rather than a CASE on the
    # subquery: the database then runs the subquery once per course, not twice.
    return query.order_by(nulls_last(_next_start(now).asc()), Course.title)


class NextSession(NamedTuple):
    """What a catalog card says of a course's next session."""

    starts_at: datetime
    state: SessionState
    #: None: no limit
    seats_left: int | None


@cache
def _next_sessions_statement():
    """The first upcoming session of each course in ``course_ids``, with its confirmed seats
    counted beside it, built once: the statement is the same on every visit (ids and time
    are parameters)."""
    ranked = (
        select(
            TrainingSession.id,
            TrainingSession.course_id,
            TrainingSession.starts_at,
            TrainingSession.state,
            TrainingSession.capacity,
            func.row_number()
            .over(
                partition_by=TrainingSession.course_id,
                order_by=(TrainingSession.starts_at, TrainingSession.id),
            )
            .label("rank"),
        )
        .where(
            TrainingSession.course_id.in_(bindparam("course_ids", expanding=True)),
            TrainingSession.starts_at > bindparam("now"),
            TrainingSession.state != SessionState.cancelled,
        )
        .subquery()
    )
    confirmed = seats.confirmed_of(TrainingSession.seat_kind, ranked.c.id)
    return select(
        ranked.c.course_id,
        ranked.c.starts_at,
        ranked.c.state,
        ranked.c.capacity,
        confirmed.label("confirmed"),
    ).where(ranked.c.rank == 1)


def next_sessions(course_ids, now: datetime | None = None) -> dict[int, NextSession | None]:
    """Course id -> its next upcoming session and the seats left in it (or None), for every
    course, in one query."""
    now = now or utcnow()
    nxt: dict[int, NextSession | None] = dict.fromkeys(course_ids, None)
    if not nxt:
        return nxt
    rows = db.session.execute(_next_sessions_statement(), {"course_ids": list(nxt), "now": now})
    for row in rows:
        left = seats.left(row.capacity, row.confirmed)
        nxt[row.course_id] = NextSession(row.starts_at, row.state, left)
    return nxt


def upcoming_sessions(limit: int = 3, now: datetime | None = None) -> list:
    """The next open sessions of published courses (the home), as plain rows: the
    session's ``id``, ``starts_at``, ``place`` and ``online_url``, and its course's ``slug``,
    ``title``, ``title_en`` and ``language`` (what ``localized_item`` reads)."""
    now = now or utcnow()
    return db.session.execute(
        select(
            TrainingSession.id,
            TrainingSession.starts_at,
            TrainingSession.place,
            TrainingSession.online_url,
            Course.slug,
            Course.title,
            Course.title_en,
            Course.language,
        )
        .join(Course)
        .where(
            Course.published.is_(True),
            TrainingSession.starts_at > now,
            TrainingSession.state == SessionState.open,
        )
        .order_by(TrainingSession.starts_at, TrainingSession.id)
        .limit(limit)
    ).all()


#: How far back a member's calendar feed goes.
FEED_PAST = timedelta(days=90)


def feed_registrations(member: User, now: datetime | None = None) -> list[Registration]:
    """A member's session registrations for their calendar feed, one per session (the
    active one, else the latest cancelled one), from the last three months on."""
    since = (now or utcnow()) - FEED_PAST
    regs = db.session.scalars(
        select(Registration)
        .join(TrainingSession, Registration.session_id == TrainingSession.id)
        .where(Registration.user_id == member.id, TrainingSession.starts_at >= since)
        .order_by(Registration.id)
        .options(joinedload(Registration.session).joinedload(TrainingSession.course))
    )
    by_session: dict[int, Registration] = {}
    for reg in regs:
        kept = by_session.get(reg.session_id)
        if kept is None or kept.state == RegistrationState.cancelled:
            by_session[reg.session_id] = reg
    return sorted(by_session.values(), key=lambda r: r.session.starts_at)
