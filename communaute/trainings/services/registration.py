"""A member takes a seat, waits, gives it back, is reminded. The seat rules are the core's
(communaute/seats.py); what is the trainings' own is here: who may register, the give-back
link of a promotion, the self-paced activities, the emails."""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from communaute import seats
from communaute.auth.models import User
from communaute.db import utcnow
from communaute.errors import DomainError
from communaute.extensions import db
from communaute.i18n import lazy_gettext as _l
from communaute.trainings import emails
from communaute.trainings.models import (
    Course,
    Registration,
    RegistrationState,
    SessionState,
    TrainingSession,
)
from communaute.trainings.services.catalog import active_registration, self_paced_registration

#: Reminders go out during the day before the start.
REMINDER_WINDOW = timedelta(hours=24)


class RegistrationError(DomainError):
    pass


def why_not_register(
    session: TrainingSession, member: User | None, now: datetime | None = None
) -> RegistrationError | None:
    """Why ``member`` may not register for ``session`` now (an error to show), or None.

    ``member`` None (a visitor): only what holds for everyone is said; logging in is the
    page's business."""
    now = now or utcnow()
    if not session.course.published:
        return RegistrationError(_l("This course is not published yet: registration is not open."))
    if session.state == SessionState.cancelled:
        return RegistrationError(_l("This session is cancelled."))
    if session.starts_at <= now:
        return RegistrationError(_l("This session has already taken place."))
    if session.state == SessionState.closed:
        return RegistrationError(_l("Registration for this session is closed."))
    if session.registration_deadline and session.registration_deadline <= now:
        return RegistrationError(_l("The registration deadline for this session has passed."))
    if member is not None and (refusal := seats.why_not_member(member)) is not None:
        return RegistrationError(refusal, action="confirm")
    return None


def check_can_register(session: TrainingSession, member: User, now: datetime | None = None):
    """Raises the RegistrationError ``why_not_register`` gives, if any."""
    if (refusal := why_not_register(session, member, now)) is not None:
        raise refusal


def other_seat(session: TrainingSession, member: User) -> Registration | None:
    """The member's active registration for another session of the same course, when the
    course gives one seat per member (``allows_several`` off); else None."""
    if session.course.allows_several:
        return None
    return db.session.scalar(
        select(Registration)
        .join(TrainingSession, Registration.session_id == TrainingSession.id)
        .where(
            Registration.course_id == session.course_id,
            Registration.session_id != session.id,
            Registration.user_id == member.id,
            Registration.state != RegistrationState.cancelled,
        )
        .order_by(TrainingSession.starts_at)
        .limit(1)
    )


def register_for_session(
    session: TrainingSession, *, member: User, now: datetime | None = None
) -> tuple[Registration, bool]:
    """Registers ``member``: confirmed while seats remain, otherwise on the waiting list.

    Returns (registration, created). Registering again returns the active registration
    (created False) and queues nothing. Raises RegistrationError when registration is not
    possible. Queues the "confirmed" or "waiting list" email.
    """
    now = now or utcnow()
    check_can_register(session, member, now)
    session = seats.lock_to_join(session)
    check_can_register(session, member, now)  # the state may have changed while we waited
    existing = active_registration(session, member)
    if existing is not None:
        return existing, False
    if other_seat(session, member) is not None:
        raise RegistrationError(
            _l("You are already registered for another date of this course."), action="switch"
        )
    reg = Registration(
        course_id=session.course_id, session_id=session.id, user_id=member.id, created_at=now
    )
    reg, created, filled = seats.join(
        reg,
        session,
        find_existing=lambda: active_registration(session, member),
        actor=member,
        now=now,
    )
    if not created:
        return reg, False
    if reg.state == RegistrationState.confirmed:
        emails.notify_registration_confirmed(reg)
        if filled:
            from communaute.coordination.alerts import alert

            alert(
                "session_full",
                title=session.course.title,
                endpoint="trainings.roster",
                session_id=session.id,
            )
    else:
        emails.notify_waitlisted(reg, seats.position(reg))
    return reg, True


def switch_session(
    reg: Registration, session: TrainingSession, *, member: User, now: datetime | None = None
) -> Registration:
    """Moves ``member`` from ``reg`` (another date of the same course) to ``session``.

    The old seat is freed (its waiting list moves up, each promoted person told), the new
    one taken, and the member gets one email. Raises RegistrationError when the new session
    is not open or is full (a confirmed seat is never swapped for a waiting list).
    """
    now = now or utcnow()
    if reg.user_id != member.id or reg.session_id is None or reg.course_id != session.course_id:
        raise RegistrationError(_l("This registration cannot be moved to this session."))
    if reg.state == RegistrationState.cancelled:
        raise RegistrationError(_l("This registration is already cancelled."))
    check_can_register(session, member, now)
    session = seats.lock_to_join(session)
    check_can_register(session, member, now)
    if active_registration(session, member) is not None:
        raise RegistrationError(_l("You are already registered for this session."))
    left = seats.seats_left(session)
    if left is not None and left <= 0 and reg.state == RegistrationState.confirmed:
        raise RegistrationError(
            _l("This session is full: you keep your seat on the date you chose first.")
        )
    previous_session = reg.session
    cancel_registration(reg, actor=member, reason="auto:switched", now=now, notify=False)
    new = Registration(
        course_id=session.course_id, session_id=session.id, user_id=member.id, created_at=now
    )
    new, _created, _filled = seats.join(
        new,
        session,
        find_existing=lambda: active_registration(session, member),
        actor=member,
        now=now,
    )
    emails.notify_switched(new, previous_session)
    return new


def register_for_self_paced(
    course: Course, *, member: User, now: datetime | None = None
) -> tuple[Registration, bool]:
    """Gives ``member`` access to a self-paced activity at once. Returns (registration, created)."""
    now = now or utcnow()
    if (refusal := seats.why_not_member(member)) is not None:
        raise RegistrationError(refusal, action="confirm")
    if not course.published:
        raise RegistrationError(_l("This course is not published yet: registration is not open."))
    if not course.is_self_paced:
        raise RegistrationError(_l("Choose a session to register for this course."))
    existing = self_paced_registration(course, member)
    if existing is not None:
        return existing, False
    reg = Registration(
        course_id=course.id,
        session_id=None,
        user_id=member.id,
        state=RegistrationState.confirmed,
        created_at=now,
        confirmed_at=now,
    )
    existing = seats.insert_once(reg, lambda: self_paced_registration(course, member))
    if existing is not None:
        return existing, False
    seats.log_move(reg, None, RegistrationState.confirmed, actor=member, now=now)
    db.session.flush()
    emails.notify_material_access(reg)
    return reg, True


def promote_from_waitlist(
    session: TrainingSession, *, now: datetime | None = None, exclude: int | None = None
) -> list[Registration]:
    """Confirms as many people from the head of the waiting list as there are free seats.

    The caller holds the session lock. Each person promoted gets an email with a link to
    give the seat back.
    """
    promoted = seats.promote(session, now=now, exclude=exclude)
    for reg in promoted:
        reg.promotion_token = secrets.token_urlsafe(32)
    db.session.flush()
    for reg in promoted:
        emails.notify_promoted(reg)
    return promoted


def cancel_registration(
    reg: Registration,
    *,
    actor: User,
    reason: str = "",
    now: datetime | None = None,
    notify: bool = True,
) -> list[Registration]:
    """Cancels ``reg`` (allowed until the session starts) and promotes the next in line.

    Returns the registrations promoted. Queues the cancellation email (and the promotions').
    """
    now = now or utcnow()
    if reg.state == RegistrationState.cancelled:
        raise RegistrationError(_l("This registration is already cancelled."))
    session = reg.session
    if session is not None:
        if session.starts_at <= now:
            raise RegistrationError(
                _l("This session has already started: it can no longer be cancelled.")
            )
        session = seats.lock(session)
        db.session.refresh(reg)
        if reg.state == RegistrationState.cancelled:
            raise RegistrationError(_l("This registration is already cancelled."))
    previous = seats.cancel(reg, actor=actor, reason=reason, now=now)
    reg.promotion_token = None
    db.session.flush()
    if notify:
        emails.notify_registration_cancelled(
            reg,
            was_confirmed=previous == RegistrationState.confirmed,
            by_team=actor is not None
            and actor.id != reg.user_id
            and not reason.startswith("auto:"),
        )
    if session is not None and previous == RegistrationState.confirmed:
        return promote_from_waitlist(session, now=now)
    return []


def registration_for_token(token: str) -> Registration | None:
    if not token or len(token) > 64 or not re.fullmatch(r"[A-Za-z0-9_-]+", token):
        return None
    return db.session.scalar(
        select(Registration).where(
            Registration.promotion_token == token,
            Registration.state == RegistrationState.confirmed,
        )
    )


def give_back_seat(reg: Registration, *, now: datetime | None = None) -> list[Registration]:
    """The promoted member gives the seat back from the email link: the next one gets it."""
    return cancel_registration(reg, actor=reg.user, reason="auto:given_back", now=now)


def send_reminders(now: datetime | None = None) -> int:
    """Queues the reminder of every confirmed registration whose session starts within 24 h.

    Each registration is claimed before its email is queued (``seats.claim_reminders``),
    in the caller's transaction: two runs at the same moment never send one twice.
    Returns how many were queued."""
    now = now or utcnow()
    due = (
        select(Registration.id)
        .join(TrainingSession, Registration.session_id == TrainingSession.id)
        .where(
            Registration.state == RegistrationState.confirmed,
            Registration.reminder_sent_at.is_(None),
            TrainingSession.state != SessionState.cancelled,
            TrainingSession.starts_at > now,
            TrainingSession.starts_at <= now + REMINDER_WINDOW,
        )
        .order_by(Registration.id)
    )
    claimed = seats.claim_reminders(Registration, due, now=now)
    for reg in claimed:
        emails.notify_reminder(reg)
    db.session.flush()
    return len(claimed)
