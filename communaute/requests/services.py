"""The rules of collaboration requests: explicit inputs, a DomainError when refused, no commit."""

from __future__ import annotations

import time

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import or_, select

from communaute.auth.models import Role, User
from communaute.db import utcnow
from communaute.email import normalise_address
from communaute.errors import DomainError
from communaute.extensions import db
from communaute.i18n import lazy_gettext as _l
from communaute.requests import emails
from communaute.requests.models import (
    CollaborationRequest,
    MeetingLanguages,
    RequestKind,
    RequestMessage,
    RequestNote,
    RequestState,
)

#: People take longer than this to fill the form; robots do not.
MIN_FILL_SECONDS = 4
#: A form shown longer ago than this is sent again with a fresh timestamp.
MAX_FILL_SECONDS = 24 * 3600


class RequestError(DomainError):
    pass


# The minimum fill time ---------------------------------------------------------------------


def _started_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="communaute.requests.t")


def started_token(now: float | None = None) -> str:
    """The moment the form was shown, signed (the hidden ``started`` field)."""
    return _started_serializer().dumps(int(now if now is not None else time.time()))


def check_fill_time(token: str | None, now: float | None = None) -> None:
    """Raises RequestError when the form came back too fast, too late or without its token."""
    now = now if now is not None else time.time()
    again = _l(
        "Please check your request once more, then send it again: "
        "it was sent faster than a person can type."
    )
    try:
        started = _started_serializer().loads(token or "")
    except BadSignature as exc:
        raise RequestError(again) from exc
    if not isinstance(started, int) or now - started < MIN_FILL_SECONDS:
        raise RequestError(again)
    if now - started > MAX_FILL_SECONDS:
        raise RequestError(
            _l("The form stayed open for more than a day. Check it, then send it again.")
        )


# The private link --------------------------------------------------------------------------


def _link_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="communaute.requests.follow")


def private_token(req: CollaborationRequest) -> str:
    return _link_serializer().dumps({"r": req.id, "n": req.nonce})


def request_for_token(token: str) -> CollaborationRequest | None:
    """The request a private link names, or None (tampered, or the request was erased)."""
    try:
        data = _link_serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("r"), int):
        return None
    if not 0 < data["r"] < 2**31:
        return None
    req = db.session.get(CollaborationRequest, data["r"])
    if req is None or req.nonce != data.get("n"):
        return None
    return req


# The request and its thread ----------------------------------------------------------------


def submit_request(
    *,
    name: str,
    organisation: str,
    position: str,
    email: str,
    phone: str | None,
    kind: str,
    project: str,
    involvement: str,
    dates: str,
    compensation: str,
    meeting_languages: str,
    accessibility: str,
    language: str,
    user: User | None = None,
) -> CollaborationRequest:
    """Stores a request; queues the receipt to the requester and a word to each coordinator."""
    req = CollaborationRequest(
        name=name,
        organisation=organisation,
        position=position,
        email=normalise_address(email),
        phone=phone or None,
        kind=RequestKind(kind),
        project=project,
        involvement=involvement,
        dates=dates,
        compensation=compensation,
        meeting_languages=MeetingLanguages(meeting_languages),
        accessibility=accessibility or "",
        language=language if language in ("fr", "en") else "fr",
        user_id=user.id if user is not None and user.is_authenticated else None,
    )
    db.session.add(req)
    db.session.flush()
    link = private_link(req)
    emails.notify_received(req, link)
    emails.notify_team_new(req, coordinators())
    return req


def private_link(req: CollaborationRequest) -> str:
    from communaute.email import public_url

    return public_url("requests.follow", token=private_token(req))


def coordinators() -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(User.role == Role.coordinator).order_by(User.display_name)
        )
    )


def send_team_message(req: CollaborationRequest, body: str, *, actor: User) -> RequestMessage:
    """A coordinator writes to the requester: kept in the thread, emailed with the private
    link. A new request becomes "answered"."""
    if req.state == RequestState.closed:
        raise RequestError(_l("This request is closed: reopen it first."), field="message")
    msg = RequestMessage(request=req, from_team=True, author_id=actor.id, body=body)
    db.session.add(msg)
    if req.state in (RequestState.new, RequestState.in_progress):
        req.state = RequestState.answered
    if req.assignee_id is None:
        req.assignee_id = actor.id
    req.updated_at = utcnow()
    db.session.flush()
    emails.notify_team_message(req, msg, private_link(req))
    return msg


def reply_as_requester(req: CollaborationRequest, body: str) -> RequestMessage:
    """The requester answers from the private page: the coordinator in charge (or, when
    nobody is, every coordinator) is told. The request is back in progress."""
    if req.state == RequestState.closed:
        raise RequestError(
            _l("This request is closed. To ask something new, make a new request."),
            field="message",
        )
    msg = RequestMessage(request=req, from_team=False, body=body)
    db.session.add(msg)
    req.state = RequestState.in_progress
    req.updated_at = utcnow()
    db.session.flush()
    team = [req.assignee] if req.assignee is not None else coordinators()
    emails.notify_team_reply(req, msg, team)
    return msg


def add_note(req: CollaborationRequest, body: str, *, actor: User) -> RequestNote:
    note = RequestNote(request=req, author_id=actor.id, body=body)
    db.session.add(note)
    db.session.flush()
    return note


def set_state(req: CollaborationRequest, state: str, *, actor: User) -> None:
    try:
        req.state = RequestState(state)
    except ValueError as exc:
        raise RequestError(_l("Choose a state from the list."), field="state") from exc
    req.updated_at = utcnow()


def assign(req: CollaborationRequest, assignee_id: int | None, *, actor: User) -> None:
    """``assignee_id``: a coordinator's id, or None for nobody."""
    if assignee_id is not None:
        person = db.session.get(User, assignee_id)
        if person is None or not person.is_coordinator:
            raise RequestError(_l("Choose a coordinator from the list."), field="assignee")
    req.assignee_id = assignee_id
    if req.state == RequestState.new and assignee_id is not None:
        req.state = RequestState.in_progress
    req.updated_at = utcnow()


def queue_query(state: str | None = None):
    query = select(CollaborationRequest).order_by(CollaborationRequest.created_at.desc())
    if state in RequestState.__members__:
        query = query.where(CollaborationRequest.state == RequestState(state))
    return query


# Personal data -----------------------------------------------------------------------------


def _of(user):
    """A person's requests: made while logged in, or sent from their (confirmed) address."""
    mine = CollaborationRequest.user_id == user.id
    if user.confirmed_at is None:
        return mine
    return or_(mine, CollaborationRequest.email == normalise_address(user.email))


def export_requests(user) -> list[dict]:
    rows = db.session.scalars(select(CollaborationRequest).where(_of(user)))
    return [
        {
            "created_at": r.created_at.isoformat(),
            "state": r.state.value,
            "name": r.name,
            "organisation": r.organisation,
            "position": r.position,
            "email": r.email,
            "phone": r.phone,
            "kind": r.kind.value,
            "project": r.project,
            "involvement": r.involvement,
            "dates": r.dates,
            "compensation": r.compensation,
            "meeting_languages": r.meeting_languages.value,
            "accessibility": r.accessibility,
            "messages": [
                {
                    "from": "team" if m.from_team else "me",
                    "at": m.created_at.isoformat(),
                    "body": m.body,
                }
                for m in r.messages
            ],
        }
        for r in rows
    ]


def erase_requests(user) -> None:
    """The person's requests go, with their thread and notes; a coordinator's name leaves
    the requests they handled (assignment, messages and notes stay, unsigned)."""
    for req in db.session.scalars(select(CollaborationRequest).where(_of(user))):
        db.session.delete(req)
    db.session.flush()
    for model, column in (
        (CollaborationRequest, CollaborationRequest.assignee_id),
        (RequestMessage, RequestMessage.author_id),
        (RequestNote, RequestNote.author_id),
    ):
        db.session.execute(db.update(model).where(column == user.id).values({column.key: None}))
