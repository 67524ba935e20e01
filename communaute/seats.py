"""Seats and waiting lists, one core for training sessions and webinars.

A *parent* (a ``TrainingSession``, a ``Webinar``) has a ``capacity`` (None: no limit) and
*seats* (a ``Registration``, a ``Signup``): one row per person, confirmed, waiting or
cancelled. Both blueprints describe their pair once, with a ``SeatKind`` set on the parent
class as ``seat_kind``, and call the plain functions below; what is theirs (who may join, which
email goes out, a give-back link) stays in their services.

The rules kept here, for both:
- **Counted under a lock.** Before counting confirmed seats the parent row is locked
  (``SELECT ... FOR UPDATE`` on PostgreSQL), so concurrent requests on any number of servers
  take turns; a parent without a limit takes a shared lock, so its sign-ups do not wait for
  each other, only for a change to the parent. A unique index on each seat table is the last
  guard against one person holding two rows (``insert_once``).
- **First in, first out by the moment someone joined the queue** (``waitlisted_at``, then
  id), never by when the row was first made: a person who cancels and comes back joins the
  end of the queue.
- **Every move is logged** (who, when, from which state to which, why) in the kind's move
  table; the system's own moves carry an ``auto:`` reason.
- **Reminders are claimed** with a conditional UPDATE before their email is queued, so two
  runs at once send each one once.

Functions flush, never commit: the caller (a view's unit of work, a command) commits once.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, NamedTuple, Protocol

from sqlalchemy import ForeignKey, Select, String, and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, aliased, declared_attr, mapped_column, relationship

from communaute.db import utcnow
from communaute.extensions import db
from communaute.i18n import lazy_gettext as _l


class SeatState(enum.StrEnum):
    confirmed = "confirmed"
    #: The parent was full: a seat is given, in order, when one frees up.
    waiting = "waiting"
    cancelled = "cancelled"


#: Reasons the system records on its own moves.
PROMOTED = "auto:promoted"


@dataclass(frozen=True)
class SeatKind:
    """How one blueprint's parent and seat tables fit the core."""

    #: The seat model (Registration, Signup).
    seat: type
    #: Its column naming the parent (Registration.session_id, Signup.webinar_id).
    parent_id: Any
    #: The move log model and the name of its relationship to the seat.
    move: type
    move_seat: str


class MoveLog:
    """The columns of a kind's move log (a mixin for its model): one change of state of a
    seat, who made it (None: the person themself or the system), when, from, to and why."""

    id: Mapped[int] = mapped_column(primary_key=True)
    from_state: Mapped[str | None] = mapped_column(String(30))
    to_state: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @declared_attr
    def actor_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)

    @declared_attr
    def actor(cls) -> Mapped[Any]:
        return relationship("User")


class Parent(Protocol):
    """What a training session and a webinar both are to the core."""

    seat_kind: ClassVar[SeatKind]
    id: int
    capacity: int | None

    def promotes(self, now: datetime) -> bool:
        """Whether a freed seat still goes to the waiting list (not cancelled, not begun)."""


class Seat(Protocol):
    id: int
    state: SeatState
    waitlisted_at: datetime | None
    cancelled_at: datetime | None
    reminder_sent_at: datetime | None


# Locks -------------------------------------------------------------------------------------


def lock(parent: Parent, *, shared: bool = False) -> Parent:
    """Locks the parent row (PostgreSQL) and reloads it; others wait their turn.

    Exclusive (FOR UPDATE): seats are counted one request at a time, and a change to the
    parent (date, cancellation, capacity) waits for the requests in flight, then sees them.
    Shared (FOR SHARE): joins to a parent without a limit do not wait for each other.
    """
    model = type(parent)
    return db.session.scalars(
        select(model)
        .where(model.id == parent.id)
        .with_for_update(read=shared)
        .execution_options(populate_existing=True)
    ).one()


def lock_to_join(parent: Parent) -> Parent:
    """The lock a join needs: shared while the parent has no limit, else exclusive.

    A limit may be set while the shared lock is awaited: the shared lock is then given back
    (its savepoint rolled back) before the exclusive one is taken, so two joins never both
    hold the shared lock while waiting for the exclusive one (a deadlock).
    """
    if parent.capacity is not None:
        return lock(parent)
    savepoint = db.session.begin_nested()
    locked = lock(parent, shared=True)
    if locked.capacity is None:
        savepoint.commit()  # the outer transaction keeps the lock
        return locked
    savepoint.rollback()
    return lock(parent)


# Who may join ------------------------------------------------------------------------------

#: The one rule every seat shares for members: a confirmed address first.
NOT_CONFIRMED = _l("Confirm your email address first. We can send you the link again.")


def why_not_member(member) -> str | None:
    """Why this account may not take a seat yet, or None."""
    return None if member.is_confirmed else NOT_CONFIRMED


# Counting ----------------------------------------------------------------------------------


def count(parent: Parent, state: SeatState = SeatState.confirmed) -> int:
    kind = parent.seat_kind
    return db.session.scalar(
        select(func.count())
        .select_from(kind.seat)
        .where(kind.parent_id == parent.id, kind.seat.state == state)
    )


def left(capacity: int | None, confirmed: int) -> int | None:
    """The rule: seats still free once ``confirmed`` are taken; None: no limit."""
    return None if capacity is None else max(capacity - confirmed, 0)


def seats_left(parent: Parent) -> int | None:
    """Seats still free; None: no limit."""
    if parent.capacity is None:
        return None
    return left(parent.capacity, count(parent))


def confirmed_of(kind: SeatKind, parent_id) -> Any:
    """A column counting the confirmed seats of the parent whose id is ``parent_id`` (a
    column of the enclosing statement), for a list that shows seats left without a second
    query: give it to ``left`` with the capacity."""
    return (
        select(func.count())
        .select_from(kind.seat)
        .where(kind.parent_id == parent_id, kind.seat.state == SeatState.confirmed)
        .scalar_subquery()
    )


def state_counts(kind: SeatKind, parent_ids: Iterable[int]) -> dict[int, dict[SeatState, int]]:
    """Parent id -> seats counted by state, for many parents in one grouped query."""
    ids = list(parent_ids)
    counts: dict[int, dict[SeatState, int]] = {i: {} for i in ids}
    if not ids:
        return counts
    rows = db.session.execute(
        select(kind.parent_id, kind.seat.state, func.count())
        .where(kind.parent_id.in_(ids))
        .group_by(kind.parent_id, kind.seat.state)
    )
    for parent_id, state, n in rows:
        counts[parent_id][state] = n
    return counts


def seats_left_of(parents: Iterable[Parent], counts: dict | None = None) -> dict:
    """Parent id -> ``seats_left()`` for many parents of one kind, from one grouped count.

    ``counts`` (from ``state_counts``) when the caller already has them."""
    parents = [p for p in parents if p is not None]
    if counts is None:
        limited = [p.id for p in parents if p.capacity is not None]
        counts = state_counts(parents[0].seat_kind, limited) if limited else {}
    return {
        p.id: None
        if p.capacity is None
        else left(p.capacity, counts[p.id].get(SeatState.confirmed, 0))
        for p in parents
    }


# The queue ---------------------------------------------------------------------------------


def _ahead_of(kind: SeatKind, seat_table, other) -> Any:
    """``other`` waits ahead of ``seat_table`` in the same queue."""
    return and_(
        getattr(other, kind.parent_id.key) == getattr(seat_table, kind.parent_id.key),
        other.state == SeatState.waiting,
        or_(
            other.waitlisted_at < seat_table.waitlisted_at,
            and_(other.waitlisted_at == seat_table.waitlisted_at, other.id < seat_table.id),
        ),
    )


def waiting_list(parent: Parent) -> list:
    """The queue, first in first out by the moment each person joined it."""
    kind = parent.seat_kind
    return list(
        db.session.scalars(
            select(kind.seat)
            .where(kind.parent_id == parent.id, kind.seat.state == SeatState.waiting)
            .order_by(kind.seat.waitlisted_at, kind.seat.id)
        )
    )


def position(seat) -> int | None:
    """1 for the first in the queue; None when not waiting."""
    return positions([seat]).get(seat.id)


def positions(seats: Iterable) -> dict[int, int]:
    """Seat id -> its place in its queue, for the waiting ones, in one query."""
    seats = [s for s in seats if s is not None and s.state == SeatState.waiting]
    if not seats:
        return {}
    model = type(seats[0])
    kind = _kind_of(model)
    ahead = aliased(model)
    rows = db.session.execute(
        select(model.id, func.count(ahead.id))
        .outerjoin(ahead, _ahead_of(kind, model, ahead))
        .where(model.id.in_([s.id for s in seats]))
        .group_by(model.id)
    )
    return {seat_id: n + 1 for seat_id, n in rows}


_KINDS: dict[type, SeatKind] = {}


def register_kind(parent_model: type, kind: SeatKind) -> None:
    """Called once per blueprint, after its models: ``TrainingSession.seat_kind``."""
    parent_model.seat_kind = kind
    _KINDS[kind.seat] = kind


def _kind_of(seat_model: type) -> SeatKind:
    return _KINDS[seat_model]


# Moves -------------------------------------------------------------------------------------


def log_move(
    seat,
    from_state: SeatState | None,
    to_state: SeatState,
    *,
    actor=None,
    reason: str = "",
    now: datetime | None = None,
) -> None:
    db.session.add(_move(seat, from_state, to_state, actor=actor, reason=reason, now=now))


def _move(seat, from_state, to_state, *, actor=None, reason: str = "", now=None):
    """The move log row of one change of state (not added to the session)."""
    kind = _kind_of(type(seat))
    return kind.move(
        **{kind.move_seat: seat},
        actor_id=actor.id if actor is not None else None,
        from_state=from_state.value if from_state else None,
        to_state=to_state.value,
        reason=(reason or "")[:500],
        created_at=now or utcnow(),
    )


class Joined(NamedTuple):
    """What ``join`` did: the seat, whether this request took it (False: the person's
    concurrent request won), and whether it took the last free seat (the parent is full)."""

    seat: Any
    created: bool
    filled: bool = False


def join(seat, parent: Parent, *, find_existing, actor=None, now: datetime | None = None):
    """Gives a new or returning seat its state and logs the move: confirmed while a seat is
    free, else the end of the queue. The caller holds the parent lock (``lock_to_join``).

    A new seat is inserted once (``insert_once``): when a concurrent request of the same
    person won, that seat is returned with created False and nothing changes.
    Returns Joined(seat, created, filled): ``filled`` when it took the last free seat.
    """
    now = now or utcnow()
    previous = seat.state if seat.id is not None else None
    left = seats_left(parent)  # counted under the parent lock
    state = SeatState.confirmed if left is None or left > 0 else SeatState.waiting
    seat.state = state
    seat.cancelled_at = None
    seat.reminder_sent_at = None
    seat.waitlisted_at = now if state == SeatState.waiting else None
    if hasattr(seat, "confirmed_at"):
        seat.confirmed_at = now if state == SeatState.confirmed else None
    move = _move(seat, previous, state, actor=actor, now=now)
    if seat.id is None:
        # The seat and its move in one flush: when another request won, neither is kept.
        winner = insert_once(seat, find_existing, also=(move,))
        if winner is not None:
            return Joined(winner, False)
    else:
        db.session.add(move)
        db.session.flush()
    return Joined(seat, True, filled=left == 1)


def insert_once(seat, find_existing, *, also: Iterable = ()):
    """Adds ``seat``, and the rows in ``also`` that go with it, in one flush; when the
    unique index says the person already holds a seat (another request of theirs won the
    race), none of them is kept, that seat is returned instead and the transaction stays
    usable. Returns None when ``seat`` was inserted.

    The savepoint is what keeps the transaction usable after the refusal on PostgreSQL.
    ``INSERT ... ON CONFLICT DO NOTHING RETURNING`` through the ORM was tried in its place
    (bench/RESULTS.md, Session 8): fewer round trips, more CPU.
    """
    try:
        with db.session.begin_nested():
            db.session.add(seat)
            db.session.add_all(also)
            db.session.flush()
    except IntegrityError:
        existing = find_existing()
        if existing is None:
            raise
        return existing
    return None


def cancel(seat, *, actor=None, reason: str = "", now: datetime | None = None) -> SeatState:
    """Cancels a seat and logs it; returns the state it had. The caller promotes."""
    now = now or utcnow()
    previous = seat.state
    seat.state = SeatState.cancelled
    seat.cancelled_at = now
    log_move(seat, previous, SeatState.cancelled, actor=actor, reason=reason, now=now)
    return previous


def confirm(seat, *, actor=None, reason: str = "", now: datetime | None = None) -> None:
    """A coordinator confirms someone (the caller checked a seat is free)."""
    now = now or utcnow()
    previous = seat.state
    seat.state = SeatState.confirmed
    seat.cancelled_at = None
    seat.waitlisted_at = None
    if hasattr(seat, "confirmed_at"):
        seat.confirmed_at = now
    log_move(seat, previous, SeatState.confirmed, actor=actor, reason=reason, now=now)


def send_to_waiting(seat, *, actor=None, reason: str = "", now: datetime | None = None) -> None:
    """A coordinator moves someone to the end of the queue."""
    now = now or utcnow()
    previous = seat.state
    seat.state = SeatState.waiting
    seat.waitlisted_at = now
    seat.cancelled_at = None
    log_move(seat, previous, SeatState.waiting, actor=actor, reason=reason, now=now)


def promote(parent: Parent, *, now: datetime | None = None, exclude: int | None = None) -> list:
    """Confirms as many people from the head of the queue as there are free seats.

    The caller holds the parent lock, then tells each person returned (their email). Nobody
    is promoted once the parent no longer takes people (cancelled, begun). ``exclude``: a
    seat just moved back to the queue, which must not get its own seat straight back.
    """
    now = now or utcnow()
    if not parent.promotes(now):
        return []
    free = seats_left(parent)
    queue = [s for s in waiting_list(parent) if s.id != exclude]
    if free is not None:
        queue = queue[:free]
    for seat in queue:
        seat.state = SeatState.confirmed
        seat.waitlisted_at = None
        if hasattr(seat, "confirmed_at"):
            seat.confirmed_at = now
        log_move(seat, SeatState.waiting, SeatState.confirmed, reason=PROMOTED, now=now)
    db.session.flush()
    return queue


# Reminders ---------------------------------------------------------------------------------


def claim_reminders(model: type, due: Select, *, now: datetime) -> list:
    """Claims the seats ``due`` selects (ids) for their reminder and returns them.

    One conditional UPDATE marks them (``reminder_sent_at IS NULL``): when two runs meet,
    rows the other run locked are skipped (SKIP LOCKED on PostgreSQL) and rows it already
    marked no longer match, so each reminder is claimed once. The caller queues the emails
    in the same transaction and commits: a crash before the commit sends nothing and
    claims nothing. Members who turned reminders off in their mail preferences are left out.
    """
    from communaute.auth.models import User

    no_reminders = select(User.id).where(User.id == model.user_id, User.wants_reminders.is_(False))
    due = due.where(~no_reminders.exists())
    ids = db.session.scalars(due.with_for_update(skip_locked=True, of=model)).all()
    if not ids:
        return []
    claimed = db.session.scalars(
        update(model)
        .where(
            model.id.in_(ids),
            model.reminder_sent_at.is_(None),
            model.state == SeatState.confirmed,
        )
        .values(reminder_sent_at=now)
        .returning(model.id)
        .execution_options(synchronize_session=False)
    ).all()
    if not claimed:
        return []
    return list(
        db.session.scalars(
            select(model)
            .where(model.id.in_(claimed))
            .order_by(model.id)
            .execution_options(populate_existing=True)
        )
    )
