"""What the public and members read: the catalog, a course's sessions, "my trainings"."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import bindparam, func, nulls_last, select
from sqlalchemy.orm import joinedload

from communaute import seats
from communaute.auth.models import User
from communaute.db import utcnow
from communaute.extensions import db, read_rows
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


def _next_session_ranked():
    """Every upcoming session (after the parameter ``now``) that is not cancelled, ranked
    within its course (1: the next one, the earliest, then the lowest id): a subquery to join
    on ``rank = 1``."""
    return (
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
            TrainingSession.starts_at > bindparam("now"),
            TrainingSession.state != SessionState.cancelled,
        )
        .subquery("ranked")
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

#: Words of a catalog search that count (the rest are ignored).
MAX_WORDS = 10


@cache
def _catalog_statement(words: int, lang: bool, format: bool, audience: bool):
    """The catalog's statement for one shape of filters, built once: the words, the filters
    and the time are parameters (``w0``.., ``lang``, ``format``, ``audience``, ``now``).
    Building it costs more than running it (about 1 ms of CPU), and a statement built once
    skips SQLAlchemy's cache key too."""
    ranked = _next_session_ranked()
    query = (
        select(
            *CARD_COLUMNS,
            ranked.c.id.label("next_id"),
            ranked.c.starts_at.label("next_starts_at"),
            ranked.c.state.label("next_state"),
            ranked.c.capacity.label("next_capacity"),
        )
        # One pass over the sessions for every course, joined, rather than a subquery run
        # once per course to sort them.
        .outerjoin(ranked, (ranked.c.course_id == Course.id) & (ranked.c.rank == 1))
        .where(Course.published.is_(True))
    )
    for i in range(words):
        query = query.where(Course.search_text.like(bindparam(f"w{i}"), escape="\\"))
    if lang:
        query = query.where(Course.language == bindparam("lang"))
    if format:
        query = query.where(Course.format == bindparam("format"))
    if audience:
        query = query.where(Course.audience == bindparam("audience"))
    return query.order_by(*_catalog_order(ranked.c.starts_at, Course.title, Course.id))


def catalog_query(
    *,
    q: str = "",
    lang: str = "",
    format: str = "",
    audience: str = "",
    now: datetime | None = None,
):
    """Published courses matching every filter given; those with the soonest session first:
    the statement and its parameters.

    Rows of ``CARD_COLUMNS`` and of the course's next session (``next_id``,
    ``next_starts_at``, ``next_state``, ``next_capacity``; None when there is none), to page
    through with ``communaute.web.paginate_rows(..., around=with_seats)``."""
    params: dict = {"now": now or utcnow()}
    words = fold(q).split()[:MAX_WORDS]
    for i, word in enumerate(words):
        # Every word somewhere in the course, accents and case ignored ("experientiel").
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params[f"w{i}"] = f"%{escaped}%"
    if lang in ("fr", "en"):
        params["lang"] = lang
    if format in CourseFormat.__members__:
        params["format"] = CourseFormat(format)
    if audience in Audience.__members__:
        params["audience"] = Audience(audience)
    statement = _catalog_statement(
        len(words), "lang" in params, "format" in params, "audience" in params
    )
    return statement, params


def _catalog_order(starts_at, title, course_id):
    """Courses with the soonest next session first, those without one at the end; then by
    title, then by id (one order, page after page)."""
    return nulls_last(starts_at.asc()), title, course_id


def with_seats(page):
    """A page of ``catalog_query``'s rows with ``next_confirmed``, the confirmed seats of the
    next session, counted for the page's courses only (``paginate_rows``' ``around``)."""
    confirmed = seats.confirmed_of(TrainingSession.seat_kind, page.c.next_id)
    return select(page, confirmed.label("next_confirmed")).order_by(
        *_catalog_order(page.c.next_starts_at, page.c.title, page.c.id)
    )


def upcoming_sessions(limit: int = 3, now: datetime | None = None) -> list:
    """The next open sessions of published courses (the home), as plain rows: the
    session's ``id``, ``starts_at``, ``place`` and ``online_url``, and its course's ``slug``,
    ``title``, ``title_en`` and ``language`` (what ``localized_item`` reads)."""
    params = {"now": now or utcnow(), "how_many": limit}
    return read_rows(_upcoming_sessions_statement(), params)


@cache
def _upcoming_sessions_statement():
    return (
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
            TrainingSession.starts_at > bindparam("now"),
            TrainingSession.state == SessionState.open,
        )
        .order_by(TrainingSession.starts_at, TrainingSession.id)
        .limit(bindparam("how_many"))
    )


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
