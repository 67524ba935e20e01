"""Webinar rules: plain functions with explicit inputs; they flush, never commit."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.orm import contains_eager, joinedload

from communaute import seats, subscriptions
from communaute.db import utcnow
from communaute.errors import DomainError
from communaute.extensions import db, read_rows
from communaute.i18n import lazy_gettext as _l
from communaute.webinars import emails
from communaute.webinars.models import (
    Signup,
    SignupMove,
    SignupState,
    Speaker,
    Webinar,
    WebinarStatus,
)
from communaute.webinars.tokens import TokenError, make_cancel_token, signup_for_token

__all__ = ["TokenError", "make_cancel_token", "signup_for_token"]  # re-exported for views

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
    "title_en",
    "description_en",
)


class SignupError(DomainError):
    pass


class WebinarError(DomainError):
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
    webinar = seats.lock(webinar) if "capacity" in fields else webinar
    for key, value in fields.items():
        if key not in WEBINAR_FIELDS:
            raise TypeError(key)
        setattr(webinar, key, value)
    if speakers is not None:
        _set_speakers(webinar, speakers)
    db.session.flush()
    return _promote(webinar)


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
    webinar = seats.lock(webinar)  # sign-ups in flight finish first, and are told too
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
    webinar = seats.lock(webinar)  # sign-ups in flight finish first, and are told too
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


def seats_left(webinar: Webinar) -> int | None:
    """Places still free (None: no limit), as shown on the public page."""
    return seats.seats_left(webinar)


def waiting_position(signup: Signup) -> int | None:
    """1 for the first on the waiting list; None when not waiting."""
    return seats.position(signup)


def waiting_positions(signups) -> dict[int, int]:
    """Sign-up id -> place on its waiting list, for the waiting ones, in one query."""
    return seats.positions(signups)


def why_not_sign_up(webinar: Webinar, member=None, now: datetime | None = None):
    """The reason a person may not sign up now (a SignupError to show), or None.

    ``member``: the account signing up, None for a guest."""
    now = now or utcnow()
    if webinar.is_cancelled:
        return SignupError(_l("This webinar is cancelled."))
    if not webinar.is_open(now):
        return SignupError(_l("Sign-ups are closed: this webinar has started or is over."))
    if member is not None:
        refusal = seats.why_not_member(member)
        if refusal is not None:
            return SignupError(refusal, action="confirm")
    return None


def sign_up_member(webinar: Webinar, member, *, now: datetime | None = None) -> tuple[Signup, bool]:
    """Signs up a member with their account's name, address and language.

    Returns (signup, created); see ``sign_up_guest``. Raises SignupError (not confirmed,
    cancelled, closed)."""
    return _sign_up(
        webinar,
        member=member,
        email=member.email,
        name=member.display_name,
        language=member.language,
        now=now,
    )


def sign_up_guest(
    webinar: Webinar,
    *,
    email: str,
    name: str,
    language: str | None = None,
    how_heard: str | None = None,
    news_consent: bool = False,
    news_consent_text: str | None = None,
    accessibility_needs: str | None = None,
    now: datetime | None = None,
    full_name: str | None = None,
) -> tuple[Signup, bool]:
    """Signs up a guest (no account) by name and address.

    Returns (signup, created). Signing up again with the same address changes nothing but
    resends the confirmation; a cancelled sign-up comes back, at the end of the waiting list
    if the webinar is full. Raises SignupError when sign-ups are closed. Queues the
    confirmation (or waiting-list) email.
    """
    if not email or not name:
        raise SignupError(_l("Enter your name and your email address."), field="email")
    return _sign_up(
        webinar,
        member=None,
        email=email,
        name=name,
        language=language,
        how_heard=how_heard,
        news_consent=news_consent,
        news_consent_text=news_consent_text,
        accessibility_needs=accessibility_needs,
        now=now,
        full_name=full_name,
    )


def _sign_up(
    webinar: Webinar,
    *,
    member,
    email: str,
    name: str,
    language: str | None,
    how_heard: str | None = None,
    news_consent: bool = False,
    news_consent_text: str | None = None,
    accessibility_needs: str | None = None,
    now: datetime | None = None,
    full_name: str | None = None,
) -> tuple[Signup, bool]:
    now = now or utcnow()
    email = normalise_email(email)
    language = language if language in ("fr", "en") else "fr"
    if (refusal := why_not_sign_up(webinar, member, now)) is not None:
        raise refusal
    webinar = seats.lock_to_join(webinar)
    if (refusal := why_not_sign_up(webinar, member, now)) is not None:
        raise refusal  # the webinar may have changed while we waited for the lock

    def existing() -> Signup | None:
        return db.session.scalar(
            select(Signup).where(Signup.webinar_id == webinar.id, Signup.email == email)
        )

    def fill(signup: Signup) -> None:
        signup.name, signup.language = name, language
        if member is None:
            signup.accessibility_needs = accessibility_needs or None
        if full_name:
            signup.full_name = full_name
        signup.user_id = member.id if member is not None else signup.user_id
        signup.joined_at = now
        if news_consent:
            signup.news_consent = True
            signup.news_consent_text = str(news_consent_text or "")
            signup.news_consent_at = now

    # Most people sign up once: the new row is tried first, and the one the address already
    # holds (the unique index on webinar and address) is read only when there is one. Same
    # address at the same moment (no row lock on SQLite): the first one stands.
    signup = Signup(
        webinar_id=webinar.id,
        email=email,
        state=SignupState.confirmed,
        created_at=now,
        how_heard=how_heard or None,
        ics_sequence=0,
    )
    fill(signup)
    signup, created, filled = seats.join(
        signup, webinar, find_existing=existing, actor=member, now=now
    )
    if not created and signup.state != SignupState.cancelled:
        # Signed up already: nothing changes but the confirmation, sent again.
        if member is not None and signup.user_id is None:
            signup.user_id = member.id
        _notify_state(signup)
        db.session.flush()
        return signup, False
    if not created:
        # Back after a cancellation (at the end of the waiting list if the webinar is full):
        # the new calendar file must win over the CANCEL one.
        signup.ics_sequence = (signup.ics_sequence or 0) + 1
        fill(signup)
        signup, created, filled = seats.join(
            signup, webinar, find_existing=existing, actor=member, now=now
        )
    if news_consent:
        subscriptions.subscribe(
            subscriptions.Purpose.webinar_news,
            email,
            language=language,
            source="webinar_signup",
            user_id=member.id if member is not None else None,
            text=news_consent_text,
            now=now,
        )
    _notify_state(signup)
    if filled:
        from communaute.coordination.alerts import alert

        alert(
            "webinar_full",
            title=webinar.title,
            endpoint="webinars.attendance",
            webinar_id=webinar.id,
        )
    return signup, created


def update_signup(
    signup: Signup, *, name: str, language: str, accessibility_needs: str | None
) -> None:
    """What a person may change on their own sign-up (from the email's link). Raises
    SignupError once it is cancelled."""
    if signup.state == SignupState.cancelled:
        raise SignupError(_l("This sign-up is cancelled."))
    if not name:
        raise SignupError(_l("Enter your name."), field="name")
    signup.name = name
    signup.language = language if language in ("fr", "en") else signup.language
    signup.accessibility_needs = accessibility_needs or None
    db.session.flush()


def _notify_state(signup: Signup) -> None:
    if signup.state == SignupState.confirmed:
        emails.notify_signup_confirmed(signup)
    else:
        emails.notify_waitlisted(signup, seats.position(signup))


def cancel_signup(signup: Signup, *, actor=None, now: datetime | None = None) -> list[Signup]:
    """Cancels a sign-up (idempotent). A freed place goes to the head of the waiting list,
    who is told. Returns the sign-ups promoted."""
    if signup.state == SignupState.cancelled:
        return []
    now = now or utcnow()
    if signup.webinar.start_at <= now and not signup.webinar.is_cancelled:
        raise SignupError(_l("This webinar has started: the sign-up can no longer be cancelled."))
    webinar = seats.lock(signup.webinar)
    db.session.refresh(signup)
    if signup.state == SignupState.cancelled:
        return []
    previous = seats.cancel(signup, actor=actor, now=now)
    signup.ics_sequence = (signup.ics_sequence or 0) + 1
    db.session.flush()
    emails.notify_signup_cancelled(signup)
    if previous != SignupState.confirmed:
        return []
    return _promote(webinar, now=now)


def _promote(webinar: Webinar, *, now: datetime | None = None) -> list[Signup]:
    """Fills the free places from the head of the waiting list; tells each person."""
    promoted = seats.promote(webinar, now=now)
    for signup in promoted:
        emails.notify_promoted(signup)
    return promoted


# Reminders -------------------------------------------------------------------------------


def send_reminders(*, now: datetime | None = None) -> int:
    """Queues one reminder per confirmed sign-up of a webinar starting within 24 h, once.

    Each sign-up is claimed before its email is queued (``seats.claim_reminders``), in the
    caller's transaction. Returns how many were queued."""
    now = now or utcnow()
    due = (
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
    )
    claimed = seats.claim_reminders(Signup, due, now=now)
    for signup in claimed:
        emails.notify_reminder(signup)
    db.session.flush()
    return len(claimed)


# After the webinar -------------------------------------------------------------------------


def record_attendance(webinar: Webinar, attended_ids: set[int]) -> int:
    """Sets who attended for the whole list at once. Returns how many attended."""
    count = 0
    for signup in webinar.signups:
        signup.attended = signup.id in attended_ids and signup.state != SignupState.cancelled
        count += signup.attended
    webinar.attendance_recorded_at = utcnow()
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


def announcement_topic(webinar: Webinar) -> str:
    return f"webinar:{webinar.id}"


def announcement_audience(webinar: Webinar) -> int:
    """How many people who asked for the news of the series have not had this one yet."""
    query = subscriptions.not_yet_sent(
        subscriptions.Purpose.webinar_news, announcement_topic(webinar)
    )
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def why_not_announce(webinar: Webinar, now: datetime | None = None) -> WebinarError | None:
    if webinar.is_cancelled or webinar.is_past(now or utcnow()):
        return WebinarError(_l("Only a webinar still to come can be announced."))
    return None


def announce(webinar: Webinar, *, now: datetime | None = None) -> int:
    """Emails the news of ``webinar`` to everyone who asked for the series' news, once each
    (claimed, like the reminders: two coordinators pressing at once send it once). Each
    email has its one-click unsubscribe link and headers. Returns how many were queued."""
    now = now or utcnow()
    if (refusal := why_not_announce(webinar, now)) is not None:
        raise refusal
    claimed = subscriptions.claim_sends(
        subscriptions.Purpose.webinar_news, announcement_topic(webinar), now=now
    )
    for sub in claimed:
        emails.notify_announcement(webinar, sub)
    return len(claimed)


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


def iter_attendance(webinar_id: int, *, batch: int = 500):
    """Every sign-up of a webinar (by id) with its member, fetched ``batch`` rows at a time:
    the attendance page and its CSV export stream them, never holding them all.

    A generator: its query runs at the first row asked for, so a streamed response's body
    (which has a session of its own, web.streamed_page) runs it, not the view."""
    yield from db.session.scalars(_attendance_query(webinar_id).execution_options(yield_per=batch))


def attended_ids(webinar_id: int) -> set[int]:
    """The sign-ups marked present (ids): what a filtered attendance form carries unseen."""
    return set(
        db.session.scalars(
            select(Signup.id).where(Signup.webinar_id == webinar_id, Signup.attended.is_(True))
        )
    )


def _attendance_query(webinar_id: int):
    return (
        select(Signup)
        .where(Signup.webinar_id == webinar_id)
        .order_by(Signup.id)
        .options(joinedload(Signup.user))
    )


# Lists ---------------------------------------------------------------------------------


#: What a card shows (communaute/webinars/cards.py): plain columns, no entity to build.
CARD_COLUMNS = (
    Webinar.id,
    Webinar.title,
    Webinar.title_en,
    Webinar.start_at,
    Webinar.duration_minutes,
    Webinar.language,
    Webinar.status,
    Webinar.tags,
    Webinar.recording_url,
)


def upcoming_webinars(
    *, now: datetime | None = None, limit: int | None = None, first: int | None = None
) -> list:
    """Webinars to come, soonest first, as card rows (CARD_COLUMNS). ``first``: at most
    that many (the cancelled ones included, shown as such); ``limit``: at most that many
    that will take place (the home)."""
    params = {"now": now or utcnow(), "how_many": limit or first}
    statement = _upcoming_statement(scheduled_only=bool(limit), limited=bool(limit or first))
    return read_rows(statement, params)


@cache
def _upcoming_statement(*, scheduled_only: bool, limited: bool):
    query = (
        select(*CARD_COLUMNS)
        .where(Webinar.start_at > bindparam("now"))
        .order_by(Webinar.start_at, Webinar.id)
    )
    if scheduled_only:
        query = query.where(Webinar.status == WebinarStatus.scheduled)
    return query.limit(bindparam("how_many")) if limited else query


@cache
def _speaker_names_statement():
    return (
        select(Speaker.webinar_id, Speaker.name)
        .where(Speaker.webinar_id.in_(bindparam("ids", expanding=True)))
        .order_by(Speaker.webinar_id, Speaker.position, Speaker.id)
    )


def speaker_names(webinar_ids) -> dict[int, list[str]]:
    """Webinar id -> its speakers' names in their order, for every card of a page at once."""
    ids = list(webinar_ids)
    names: dict[int, list[str]] = {}
    if ids:
        for webinar_id, name in read_rows(_speaker_names_statement(), {"ids": ids}):
            names.setdefault(webinar_id, []).append(name)
    return names


#: How far back the public calendar feed goes.
FEED_PAST = timedelta(days=90)


def feed_webinars(*, now: datetime | None = None) -> list[Webinar]:
    """The webinars of the public feed: the last three months and everything to come,
    the cancelled ones too (the feed marks them, so calendars remove them)."""
    since = (now or utcnow()) - FEED_PAST
    return list(
        db.session.scalars(
            select(Webinar).where(Webinar.start_at >= since).order_by(Webinar.start_at, Webinar.id)
        )
    )


#: Upcoming webinars the series shows first (three months of a weekly series); a link
#: shows them all.
UPCOMING_SHOWN = 12


def upcoming_for_series(*, every: bool = False) -> tuple[list, bool]:
    """The series' upcoming webinars: the first UPCOMING_SHOWN, or all of them (``every``),
    and whether some are left out (the page then links to all of them)."""
    if every:
        return upcoming_webinars(), False
    upcoming = upcoming_webinars(first=UPCOMING_SHOWN + 1)
    return upcoming[:UPCOMING_SHOWN], len(upcoming) > UPCOMING_SHOWN


#: Past webinars shown per page of the series (the newest first).
PAST_PER_PAGE = 12


@cache
def _past_webinars_statement():
    return (
        select(*CARD_COLUMNS)
        .where(Webinar.start_at <= bindparam("now"), Webinar.status == WebinarStatus.scheduled)
        .order_by(Webinar.start_at.desc(), Webinar.id.desc())
    )


def past_webinars_query(*, now: datetime | None = None):
    """Past webinars that took place, newest first, as card rows: the statement (built once)
    and its parameters, for the series page's ``paginate_rows``."""
    return _past_webinars_statement(), {"now": now or utcnow()}


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
            "full_name": s.full_name,
            "language": s.language,
            "how_heard": s.how_heard,
            "accessibility_needs": s.accessibility_needs,
            "news_consent": s.news_consent,
            "news_consent_text": s.news_consent_text,
            "news_consent_at": s.news_consent_at.isoformat() if s.news_consent_at else None,
            "state": s.state.value,
            "attended": s.attended,
            "created_at": s.created_at.isoformat(),
            "joined_at": s.joined_at.isoformat() if s.joined_at else None,
            "cancelled_at": s.cancelled_at.isoformat() if s.cancelled_at else None,
            "history": [
                {
                    "from": m.from_state,
                    "to": m.to_state,
                    "reason": m.reason,
                    "at": m.created_at.isoformat(),
                }
                for m in s.moves
            ],
        }
        for s in signups_of(user)
    ]


def erase_signups(user) -> None:
    """Deletes the person's sign-ups (as a member and as a guest with their address) and
    their history; moves they made on others' sign-ups stay, without their name. A place
    freed at a webinar still to come goes to the next person on its waiting list."""
    now = utcnow()
    freed = set()
    for signup in signups_of(user):
        if signup.state == SignupState.confirmed and signup.webinar.promotes(now):
            freed.add(signup.webinar)
        db.session.delete(signup)
    db.session.execute(
        update(SignupMove)
        .where(SignupMove.actor_id == user.id)
        .values(actor_id=None)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    for webinar in freed:
        _promote(seats.lock(webinar), now=now)
