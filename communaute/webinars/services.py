"""Webinar rules: plain functions with explicit inputs; they flush, never commit."""

from __future__ import annotations

import hashlib
import unicodedata
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from communaute.db import utcnow
from communaute.errors import DomainError
from communaute.extensions import db
from communaute.webinars import emails
from communaute.webinars.models import Signup, SignupState, Speaker, Webinar, WebinarStatus

#: A cancellation link works this long (it names the sign-up and its address).
CANCEL_MAX_AGE = 180 * 24 * 3600
#: Reminders go out during the day before the start.
REMINDER_WINDOW = timedelta(hours=24)

WEBINAR_FIELDS = (
    "title",
    "description",
    "tags",
    "duration_minutes",
    "language",
    "join_url",
    "phone_dial_in",
    "captioning",
    "capacity",
    "recording_url",
    "resources",
)


class SignupError(DomainError):
    pass


class WebinarError(DomainError):
    pass


class TokenError(DomainError):
    pass


def normalise_email(email: str) -> str:
    return unicodedata.normalize("NFC", email or "").strip().lower()


# Webinars ------------------------------------------------------------------------------


def _check_fields(fields: dict) -> None:
    duration = fields.get("duration_minutes")
    if duration is not None and not 0 < duration <= 600:
        raise WebinarError(
            _l("The duration must be between 1 and 600 minutes."), field="duration_minutes"
        )
    capacity = fields.get("capacity")
    if capacity is not None and capacity < 1:
        raise WebinarError(_l("The capacity must be at least 1, or empty."), field="capacity")
    for key in ("join_url", "recording_url"):
        url = fields.get(key) or ""
        if url and not url.lower().startswith(("https://", "http://")):
            raise WebinarError(_l("Enter a link that starts with https://."), field=key)


def _set_speakers(webinar: Webinar, speakers: list[dict]) -> None:
    webinar.speakers.clear()
    for position, s in enumerate(speakers):
        webinar.speakers.append(
            Speaker(
                position=position,
                name=s["name"],
                bio=s.get("bio") or "",
                is_patient_partner=bool(s.get("is_patient_partner")),
            )
        )


def create_webinar(
    *, start_at: datetime, speakers: list[dict], now: datetime | None = None, **fields
) -> Webinar:
    """A new scheduled webinar. Raises WebinarError (start in the past, bad duration...)."""
    if start_at <= (now or utcnow()):
        raise WebinarError(_l("Choose a date and time in the future."), field="start_date")
    _check_fields(fields)
    webinar = Webinar(start_at=start_at, status=WebinarStatus.scheduled)
    for key in WEBINAR_FIELDS:
        if key in fields:
            setattr(webinar, key, fields[key])
    _set_speakers(webinar, speakers)
    db.session.add(webinar)
    db.session.flush()
    return webinar


def update_webinar(
    webinar: Webinar, *, speakers: list[dict] | None = None, **fields
) -> list[Signup]:
    """Changes what a webinar says; its date goes through reschedule_webinar().

    More places (or no limit any more) move the waiting list up at once, in order, and
    each promoted person is told. Returns the promoted sign-ups.
    """
    _check_fields(fields)
    webinar = _lock(webinar) if "capacity" in fields else webinar
    for key, value in fields.items():
        if key not in WEBINAR_FIELDS:
            raise TypeError(key)
        setattr(webinar, key, value)
    if speakers is not None:
        _set_speakers(webinar, speakers)
    db.session.flush()
    promoted = []
    if webinar.is_open():
        while (signup := _promote(webinar)) is not None:
            promoted.append(signup)
    return promoted


def _active(webinar: Webinar) -> list[Signup]:
    """Everyone signed up, read now (after the lock), not from a list loaded earlier."""
    return db.session.scalars(
        select(Signup)
        .where(Signup.webinar_id == webinar.id, Signup.state != SignupState.cancelled)
        .order_by(Signup.id)
    ).all()


def reschedule_webinar(
    webinar: Webinar, *, start_at: datetime, duration_minutes: int, now: datetime | None = None
) -> int:
    """Moves a webinar and tells everyone signed up (new .ics). Returns how many were told."""
    if webinar.is_cancelled:
        raise WebinarError(_l("This webinar is cancelled."))
    if start_at <= (now or utcnow()):
        raise WebinarError(_l("Choose a date and time in the future."), field="start_date")
    _check_fields({"duration_minutes": duration_minutes})
    webinar = _lock(webinar)  # sign-ups in flight finish first, and are told too
    previous = webinar.start_at
    webinar.start_at = start_at
    webinar.duration_minutes = duration_minutes
    webinar.sequence += 1
    people = _active(webinar)
    for signup in people:
        # A reminder for the old date says nothing about the new one.
        signup.reminder_sent_at = None
        emails.notify_rescheduled(signup, previous)
    db.session.flush()
    return len(people)


def cancel_webinar(webinar: Webinar, *, now: datetime | None = None) -> int:
    """Cancels a webinar and tells everyone signed up. Returns how many were told."""
    webinar = _lock(webinar)  # sign-ups in flight finish first, and are told too
    if webinar.is_cancelled:
        raise WebinarError(_l("This webinar is already cancelled."))
    webinar.status = WebinarStatus.cancelled
    webinar.cancelled_at = now or utcnow()
    webinar.sequence += 1
    people = _active(webinar)
    for signup in people:
        emails.notify_webinar_cancelled(signup)
    db.session.flush()
    return len(people)


# Signing up ----------------------------------------------------------------------------


def _lock(webinar: Webinar, *, shared: bool = False) -> Webinar:
    """Locks the webinar row (PostgreSQL) and reloads it.

    Exclusive (FOR UPDATE): seats are counted one sign-up at a time, and a change to the
    webinar (date, cancellation, capacity) waits for the sign-ups in flight, then sees them.
    Shared (FOR SHARE): sign-ups to a webinar without a limit do not wait for each other,
    only for a change to the webinar.
    """
    return db.session.scalars(
        select(Webinar)
        .where(Webinar.id == webinar.id)
        .with_for_update(read=shared)
        .execution_options(populate_existing=True)
    ).one()


def _lock_for_signup(webinar: Webinar) -> Webinar:
    """The lock a sign-up needs: shared while the webinar has no limit, else exclusive.

    A limit may be set while the shared lock is awaited: the shared lock is then given back
    (its savepoint rolled back) before the exclusive one is taken, so two sign-ups never
    both hold the shared lock while waiting for the exclusive one (a deadlock).
    """
    if webinar.capacity is not None:
        return _lock(webinar)
    savepoint = db.session.begin_nested()
    locked = _lock(webinar, shared=True)
    if locked.capacity is None:
        savepoint.commit()  # the parent transaction keeps the lock
        return locked
    savepoint.rollback()
    return _lock(webinar)


def _seats_taken(webinar: Webinar) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Signup)
        .where(Signup.webinar_id == webinar.id, Signup.state == SignupState.confirmed)
    )


def seats_left(webinar: Webinar) -> int | None:
    """Places still free (None: no limit), as shown on the public page."""
    if webinar.capacity is None:
        return None
    return max(0, webinar.capacity - _seats_taken(webinar))


def _state_for_new(webinar: Webinar) -> SignupState:
    if webinar.capacity is None or _seats_taken(webinar) < webinar.capacity:
        return SignupState.confirmed
    return SignupState.waiting


def _notify_state(signup: Signup) -> None:
    if signup.state == SignupState.confirmed:
        emails.notify_signup_confirmed(signup)
    else:
        emails.notify_waitlisted(signup)


def sign_up(
    webinar: Webinar,
    *,
    member=None,
    email: str | None = None,
    name: str | None = None,
    language: str | None = None,
    how_heard: str | None = None,
    news_consent: bool = False,
    news_consent_text: str | None = None,
    now: datetime | None = None,
) -> tuple[Signup, bool]:
    """Signs up a member (``member``) or a guest (``email`` and ``name``).

    Returns (signup, created). Signing up again with the same address changes nothing
    but resends the confirmation; a cancelled sign-up comes back. When the webinar is
    full the person joins the waiting list. Raises SignupError when sign-ups are closed.
    Queues the confirmation (or waiting-list) email.
    """
    now = now or utcnow()
    if member is not None:
        email, name, language, user_id = (
            member.email,
            member.display_name,
            member.language,
            member.id,
        )
    else:
        user_id = None
        if not email or not name:
            raise SignupError(_l("Enter your name and your email address."), field="email")
    email = normalise_email(email)
    language = language if language in ("fr", "en") else "fr"
    webinar = _lock_for_signup(webinar)
    if not webinar.is_open(now):
        if webinar.is_cancelled:
            raise SignupError(_l("This webinar is cancelled."))
        raise SignupError(_l("Sign-ups are closed: this webinar has started or is over."))

    existing = db.session.scalar(
        select(Signup).where(Signup.webinar_id == webinar.id, Signup.email == email)
    )
    if existing is not None and existing.state != SignupState.cancelled:
        if user_id and existing.user_id is None:
            existing.user_id = user_id
        _notify_state(existing)
        db.session.flush()
        return existing, False

    state = _state_for_new(webinar)
    if existing is not None:
        signup = existing
        signup.state = state
        signup.cancelled_at = None
        signup.reminder_sent_at = None
        signup.name, signup.language = name, language
        signup.user_id = user_id or signup.user_id
    else:
        signup = Signup(
            webinar_id=webinar.id,
            email=email,
            name=name,
            user_id=user_id,
            language=language,
            how_heard=how_heard or None,
            state=state,
            created_at=now,
        )
    if news_consent:
        signup.news_consent = True
        signup.news_consent_text = str(news_consent_text or "")
        signup.news_consent_at = now
    try:
        with db.session.begin_nested():
            db.session.add(signup)
            db.session.flush()
    except IntegrityError:
        # Same address at the same moment (no row lock on SQLite): the first one stands.
        winner = db.session.scalar(
            select(Signup).where(Signup.webinar_id == webinar.id, Signup.email == email)
        )
        _notify_state(winner)
        return winner, False
    _notify_state(signup)
    return signup, True


def cancel_signup(signup: Signup, *, now: datetime | None = None) -> Signup | None:
    """Cancels a sign-up (idempotent). A freed seat goes to the first on the waiting list,
    who is told. Returns the promoted sign-up, if any."""
    if signup.state == SignupState.cancelled:
        return None
    now = now or utcnow()
    if signup.webinar.start_at <= now and not signup.webinar.is_cancelled:
        raise SignupError(_l("This webinar has started: the sign-up can no longer be cancelled."))
    webinar = _lock(signup.webinar)
    was_confirmed = signup.state == SignupState.confirmed
    signup.state = SignupState.cancelled
    signup.cancelled_at = now
    db.session.flush()
    if not was_confirmed or webinar.is_cancelled or not webinar.is_open(now):
        return None
    return _promote(webinar)


def _promote(webinar: Webinar) -> Signup | None:
    if webinar.capacity is not None and _seats_taken(webinar) >= webinar.capacity:
        return None
    first = db.session.scalar(
        select(Signup)
        .where(Signup.webinar_id == webinar.id, Signup.state == SignupState.waiting)
        .order_by(Signup.created_at, Signup.id)
        .limit(1)
    )
    if first is None:
        return None
    first.state = SignupState.confirmed
    db.session.flush()
    emails.notify_promoted(first)
    return first


# Cancellation tokens ---------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"], salt="communaute.webinars.cancel"
    )


def _fingerprint(email: str) -> str:
    return hashlib.sha256(email.encode()).hexdigest()[:16]


def make_cancel_token(signup: Signup) -> str:
    """A signed link naming the sign-up and its address: no login needed to cancel."""
    return _serializer().dumps({"s": signup.id, "f": _fingerprint(signup.email)})


def signup_for_token(token: str, *, max_age: int = CANCEL_MAX_AGE) -> Signup:
    """The sign-up a valid cancellation token names. Raises TokenError otherwise."""
    invalid = _l("This link is not valid. Check that you copied it whole.")
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise TokenError(_l("This link has expired.")) from exc
    except BadSignature as exc:
        raise TokenError(invalid) from exc
    if not isinstance(data, dict) or not isinstance(data.get("s"), int):
        raise TokenError(invalid)
    signup = db.session.get(Signup, data["s"])
    if signup is None or _fingerprint(signup.email) != data.get("f"):
        raise TokenError(_l("This sign-up no longer exists."))
    return signup


# Reminders -------------------------------------------------------------------------------


def send_reminders(*, now: datetime | None = None) -> int:
    """Queues one reminder per confirmed sign-up of a webinar starting within 24 h.

    Each sign-up is claimed with a conditional UPDATE (``reminder_sent_at IS NULL``): when
    two runs meet, the database lets one of them win, so nobody gets two reminders. The
    email is queued in the same transaction as the claim. Returns how many were queued.
    """
    now = now or utcnow()
    candidates = db.session.scalars(
        select(Signup.id)
        .join(Webinar)
        .where(
            Signup.state == SignupState.confirmed,
            Signup.reminder_sent_at.is_(None),
            Webinar.status == WebinarStatus.scheduled,
            Webinar.start_at > now,
            Webinar.start_at <= now + REMINDER_WINDOW,
        )
        .order_by(Signup.id)
    ).all()
    sent = 0
    for signup_id in candidates:
        claimed = db.session.execute(
            update(Signup)
            .where(
                Signup.id == signup_id,
                Signup.reminder_sent_at.is_(None),
                Signup.state == SignupState.confirmed,
            )
            .values(reminder_sent_at=now)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:
            continue
        signup = db.session.get(Signup, signup_id, populate_existing=True)
        emails.notify_reminder(signup)
        sent += 1
    db.session.flush()
    return sent


# After the webinar -------------------------------------------------------------------------


def record_attendance(webinar: Webinar, attended_ids: set[int]) -> int:
    """Sets who attended for the whole list at once. Returns how many attended."""
    count = 0
    for signup in webinar.signups:
        signup.attended = signup.id in attended_ids and signup.state != SignupState.cancelled
        count += signup.attended
    db.session.flush()
    return count


def send_follow_up(webinar: Webinar, *, now: datetime | None = None) -> tuple[int, int]:
    """Thank-you (with the recording) to attendees, "sorry we missed you" to no-shows.

    Once per webinar. Raises WebinarError before the end, without a recording link, or
    when already sent. Returns (thanked, missed).
    """
    now = now or utcnow()
    if not webinar.is_past(now) or webinar.is_cancelled:
        raise WebinarError(_l("Follow-up emails can be sent once the webinar is over."))
    if not webinar.recording_url:
        raise WebinarError(_l("Add the recording link first."))
    if webinar.follow_up_sent_at is not None:
        raise WebinarError(_l("The follow-up emails were already sent."))
    thanked = missed = 0
    for signup in webinar.signups:
        if signup.state != SignupState.confirmed:
            continue
        if signup.attended:
            emails.notify_thanks(signup)
            thanked += 1
        else:
            emails.notify_missed(signup)
            missed += 1
    webinar.follow_up_sent_at = now
    db.session.flush()
    return thanked, missed


def _counts(rows) -> dict:
    """The attendance figures from (state, attended, how many) rows."""
    total = active = waiting = attended = 0
    for state, came, n in rows:
        total += n
        if state == SignupState.cancelled:
            continue
        active += n
        if state == SignupState.waiting:
            waiting += n
        if came:
            attended += n
    return {
        "signups": total,
        "active": active,
        "waiting": waiting,
        "cancelled": total - active,
        "attended": attended,
        "rate": round(100 * attended / active) if active else 0,
    }


def attendance_counts_of(webinar_ids) -> dict[int, dict]:
    """attendance_counts() for many webinars, counted in SQL in one grouped query."""
    ids = list(webinar_ids)
    if not ids:
        return {}
    grouped: dict[int, list] = {webinar_id: [] for webinar_id in ids}
    for webinar_id, state, came, n in db.session.execute(
        select(Signup.webinar_id, Signup.state, Signup.attended, func.count())
        .where(Signup.webinar_id.in_(ids))
        .group_by(Signup.webinar_id, Signup.state, Signup.attended)
    ):
        grouped[webinar_id].append((state, came, n))
    return {webinar_id: _counts(rows) for webinar_id, rows in grouped.items()}


def attendance_counts(webinar: Webinar) -> dict:
    return attendance_counts_of([webinar.id])[webinar.id]


def series_report(*, now: datetime | None = None) -> list[dict]:
    """For each past webinar (oldest first): sign-ups (not cancelled) and attendance."""
    now = now or utcnow()
    webinars = [
        w
        for w in db.session.scalars(
            select(Webinar)
            .where(Webinar.status == WebinarStatus.scheduled, Webinar.start_at < now)
            .order_by(Webinar.start_at)
        )
        if w.is_past(now)
    ]
    counts = attendance_counts_of(w.id for w in webinars)
    return [{"webinar": w, **counts[w.id]} for w in webinars]


def attendance_list(webinar: Webinar) -> list[Signup]:
    """Every sign-up of a webinar (by id) with its member, in one query.

    ``webinar.signups`` is set to the same list, so reading it costs nothing more.
    """
    signups = list(db.session.scalars(_attendance_query(webinar.id)))
    set_committed_value(webinar, "signups", signups)
    return signups


def iter_attendance(webinar_id: int, *, batch: int = 500):
    """The same sign-ups, fetched ``batch`` rows at a time (the streamed CSV export)."""
    return db.session.scalars(_attendance_query(webinar_id).execution_options(yield_per=batch))


def _attendance_query(webinar_id: int):
    return (
        select(Signup)
        .where(Signup.webinar_id == webinar_id)
        .order_by(Signup.id)
        .options(joinedload(Signup.user))
    )


# Lists ---------------------------------------------------------------------------------


def upcoming_webinars(*, now: datetime | None = None, limit: int | None = None) -> list[Webinar]:
    query = (
        select(Webinar)
        .where(Webinar.start_at > (now or utcnow()))
        .order_by(Webinar.start_at, Webinar.id)
        .options(selectinload(Webinar.speakers))
    )
    if limit:
        query = query.where(Webinar.status == WebinarStatus.scheduled).limit(limit)
    return list(db.session.scalars(query))


#: Past webinars shown per page of the series (the newest first).
PAST_PER_PAGE = 12


def past_webinars(
    *, now: datetime | None = None, page: int = 1, per_page: int = PAST_PER_PAGE
) -> tuple[list[Webinar], bool]:
    """One page of past webinars, newest first, and whether older ones remain."""
    rows = list(
        db.session.scalars(
            select(Webinar)
            .where(Webinar.start_at <= (now or utcnow()), Webinar.status == WebinarStatus.scheduled)
            .order_by(Webinar.start_at.desc(), Webinar.id.desc())
            .options(selectinload(Webinar.speakers))
            .offset((max(page, 1) - 1) * per_page)
            .limit(per_page + 1)
        )
    )
    return rows[:per_page], len(rows) > per_page


def _mine(user):
    """Sign-ups made as this member, or as a guest with the member's address before the
    account existed. The address counts only once confirmed: registering with someone
    else's address must not show their sign-ups."""
    if user.is_confirmed:
        return or_(Signup.user_id == user.id, Signup.email == normalise_email(user.email))
    return Signup.user_id == user.id


def signups_of(user) -> list[Signup]:
    """A member's sign-ups, the latest webinar first."""
    return list(
        db.session.scalars(
            select(Signup)
            .join(Webinar)
            .where(_mine(user))
            .order_by(Webinar.start_at.desc())
            .options(contains_eager(Signup.webinar))
        )
    )


def signup_of(webinar: Webinar, user) -> Signup | None:
    return db.session.scalar(select(Signup).where(Signup.webinar_id == webinar.id, _mine(user)))


# Personal data ---------------------------------------------------------------------------


def export_signups(user) -> list[dict]:
    return [
        {
            "webinar": s.webinar.title,
            "start_at": s.webinar.start_at.isoformat(),
            "email": s.email,
            "name": s.name,
            "language": s.language,
            "how_heard": s.how_heard,
            "news_consent": s.news_consent,
            "news_consent_text": s.news_consent_text,
            "news_consent_at": s.news_consent_at.isoformat() if s.news_consent_at else None,
            "state": s.state.value,
            "attended": s.attended,
            "created_at": s.created_at.isoformat(),
            "cancelled_at": s.cancelled_at.isoformat() if s.cancelled_at else None,
        }
        for s in signups_of(user)
    ]


def erase_signups(user) -> None:
    for signup in signups_of(user):
        db.session.delete(signup)
    db.session.flush()
