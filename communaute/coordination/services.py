"""Messages to the people of a session or a webinar: who gets it, preview, send once.

A message is written once (French, optionally English), then one email per person goes
through the outbox in that person's language, with ``{prénom}`` / ``{name}`` replaced by
the name they gave. The form carries a token made when it was shown: the same form sent
twice (a double click, two tabs, a retried request, two workers) finds the message already
there once the parent's row lock is taken, and sends nothing more; the unique keys on the
token and on (message, address) are the last guard.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import joinedload

from communaute import seats
from communaute.coordination.models import (
    BODY_MAX,
    SUBJECT_MAX,
    Audience,
    ParentKind,
    RosterMessage,
    RosterMessageRecipient,
)
from communaute.db import utcnow
from communaute.email import queue_email
from communaute.errors import DomainError
from communaute.extensions import db
from communaute.i18n import lazy_gettext as _l
from communaute.trainings.models import Registration, RegistrationState, TrainingSession
from communaute.webinars.models import Signup, SignupState, Webinar

#: How many messages one session or webinar may get in 24 hours, and one coordinator may send.
PER_PARENT_PER_DAY = 5
PER_SENDER_PER_DAY = 30
PLACEHOLDER = re.compile(r"\{(?:prénom|prenom|name)\}")
LINE_BREAK = re.compile(r"[\r\n\u2028\u2029\x85]")

MODELS = {ParentKind.session: TrainingSession, ParentKind.webinar: Webinar}


class MessageError(DomainError):
    pass


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str
    language: str
    user_id: int | None


def new_token() -> str:
    return secrets.token_urlsafe(24)


def parent_title(kind: ParentKind, parent) -> str:
    return parent.course.title if kind == ParentKind.session else parent.title


def parent_start(kind: ParentKind, parent) -> datetime:
    return parent.starts_at if kind == ParentKind.session else parent.start_at


def recipients(kind: ParentKind, parent, audience: Audience) -> list[Recipient]:
    """The people ``audience`` names, once per address, in one query (cancelled: never)."""
    if kind == ParentKind.session:
        rows = db.session.scalars(
            select(Registration)
            .where(
                Registration.session_id == parent.id,
                Registration.state != RegistrationState.cancelled,
            )
            .order_by(Registration.id)
            .options(joinedload(Registration.user))
        )
        people = [
            (
                r.state,
                bool(r.attended),
                r.user.email,
                r.user.display_name,
                r.user.language,
                r.user_id,
            )
            for r in rows
        ]
    else:
        rows = db.session.scalars(
            select(Signup)
            .where(Signup.webinar_id == parent.id, Signup.state != SignupState.cancelled)
            .order_by(Signup.id)
            .options(joinedload(Signup.user))
        )
        people = [
            (
                s.state,
                bool(s.attended),
                s.user.email if s.user else s.email,
                s.name,
                s.user.language if s.user else s.language,
                s.user_id,
            )
            for s in rows
        ]
    chosen, seen = [], set()
    for state, attended, email, name, language, user_id in people:
        confirmed = state == seats.SeatState.confirmed
        wanted = {
            Audience.confirmed: confirmed,
            Audience.waiting: state == seats.SeatState.waiting,
            Audience.attended: confirmed and attended,
            Audience.absent: confirmed and not attended,
            Audience.everyone: True,
        }[audience]
        if wanted and email.lower() not in seen:
            seen.add(email.lower())
            chosen.append(
                Recipient(
                    email.lower(), name, language if language in ("fr", "en") else "fr", user_id
                )
            )
    return chosen


def personalise(text: str, name: str) -> str:
    return PLACEHOLDER.sub(lambda _m: name, text)


def check_message(subject_fr: str, body_fr: str, subject_en: str, body_en: str) -> None:
    """Raises MessageError with every problem at once (next to their fields)."""
    problems = []
    for field, subject in (("subject_fr", subject_fr), ("subject_en", subject_en)):
        if LINE_BREAK.search(subject or ""):
            problems.append((field, _l("The subject must fit on one line.")))
        elif len(subject or "") > SUBJECT_MAX:
            problems.append(
                (field, _l("The subject can have up to %(max)d characters.", max=SUBJECT_MAX))
            )
    for field, body in (("body_fr", body_fr), ("body_en", body_en)):
        if len(body or "") > BODY_MAX:
            problems.append(
                (field, _l("The text can have up to %(max)d characters.", max=BODY_MAX))
            )
    if not (subject_fr or "").strip():
        problems.append(("subject_fr", _l("Write the subject.")))
    if not (body_fr or "").strip():
        problems.append(("body_fr", _l("Write the text.")))
    if bool((subject_en or "").strip()) != bool((body_en or "").strip()):
        field = "subject_en" if not (subject_en or "").strip() else "body_en"
        problems.append((field, _l("Write both the English subject and text, or neither.")))
    if problems:
        (field, first), *more = problems
        raise MessageError(first, field=field, more=tuple(more))


def messages_of(kind: ParentKind, parent_id: int) -> list[RosterMessage]:
    """The log of a session's or webinar's messages, newest first, with their senders."""
    return list(
        db.session.scalars(
            select(RosterMessage)
            .where(RosterMessage.parent_kind == kind, RosterMessage.parent_id == parent_id)
            .order_by(RosterMessage.created_at.desc(), RosterMessage.id.desc())
            .options(joinedload(RosterMessage.sender))
        )
    )


def send_message(
    kind: ParentKind,
    parent,
    *,
    audience: Audience,
    subject_fr: str,
    body_fr: str,
    subject_en: str = "",
    body_en: str = "",
    token: str,
    sender,
    now: datetime | None = None,
) -> tuple[RosterMessage, bool]:
    """Sends the message once: (message, True), or (the message already sent with this
    token, False). Raises MessageError for a hostile or empty text, or past the day's limits.
    Queues one email per person, in their language."""
    now = now or utcnow()
    check_message(subject_fr, body_fr, subject_en, body_en)
    parent = seats.lock(parent)  # two sends of one form wait for each other here
    existing = db.session.scalar(select(RosterMessage).where(RosterMessage.token == token))
    if existing is not None:
        return existing, False
    since = now - timedelta(days=1)
    for where, limit, text in (
        (
            (RosterMessage.parent_kind == kind) & (RosterMessage.parent_id == parent.id),
            PER_PARENT_PER_DAY,
            _l(
                "At most %(max)d messages a day to the same people: try again tomorrow.",
                max=PER_PARENT_PER_DAY,
            ),
        ),
        (
            RosterMessage.sender_id == sender.id,
            PER_SENDER_PER_DAY,
            _l("At most %(max)d messages a day: try again tomorrow.", max=PER_SENDER_PER_DAY),
        ),
    ):
        count = db.session.scalar(
            select(func.count())
            .select_from(RosterMessage)
            .where(where, RosterMessage.created_at >= since)
        )
        if count >= limit:
            raise MessageError(text)
    people = recipients(kind, parent, audience)
    if not people:
        raise MessageError(_l("Nobody to send it to: choose other people."), field="audience")
    message = RosterMessage(
        parent_kind=kind,
        parent_id=parent.id,
        audience=audience,
        subject_fr=subject_fr.strip(),
        body_fr=body_fr.strip(),
        subject_en=(subject_en or "").strip(),
        body_en=(body_en or "").strip(),
        token=token,
        sender_id=sender.id,
        recipient_count=len(people),
        created_at=now,
    )
    db.session.add(message)
    db.session.flush()
    title = parent_title(kind, parent)
    for person in people:
        english = person.language == "en" and message.subject_en
        language = "en" if english else "fr"
        db.session.add(
            RosterMessageRecipient(
                message_id=message.id, email=person.email, user_id=person.user_id, language=language
            )
        )
        queue_email(
            kind="coordination.roster_message",
            to=person.email,
            template="coordination/emails/roster_message",
            language=language,
            user_id=person.user_id,
            subject=personalise(message.subject_en if english else message.subject_fr, person.name),
            body=personalise(message.body_en if english else message.body_fr, person.name),
            title=title,
            start_at=parent_start(kind, parent),
            kind_of=kind.value,
        )
    db.session.flush()  # the unique key (message, address) is checked here at the latest
    return message, True


# Personal data -----------------------------------------------------------------------------


def export_messages(user) -> list[dict]:
    """The messages this person received (subject in their language, when)."""
    rows = db.session.execute(
        select(RosterMessageRecipient, RosterMessage)
        .join(RosterMessage)
        .where(RosterMessageRecipient.user_id == user.id)
        .order_by(RosterMessage.created_at)
    )
    return [
        {
            "subject": msg.subject_en
            if rec.language == "en" and msg.subject_en
            else msg.subject_fr,
            "about": f"{msg.parent_kind.value} {msg.parent_id}",
            "sent_at": msg.created_at.isoformat(),
            "email": rec.email,
        }
        for rec, msg in rows
    ]


def erase_messages(user) -> None:
    """The rows naming this person go; the message itself (the coordinator's) stays, and
    forgets its sender when the sender is the one leaving."""
    db.session.execute(
        delete(RosterMessageRecipient).where(
            (RosterMessageRecipient.user_id == user.id)
            | (RosterMessageRecipient.email == user.email.lower())
        )
    )
    db.session.execute(
        update(RosterMessage).where(RosterMessage.sender_id == user.id).values(sender_id=None)
    )
