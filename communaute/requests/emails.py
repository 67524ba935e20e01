"""Who gets which email about a collaboration request, in their own language."""

from __future__ import annotations

from communaute.email import public_url, queue_email


def notify_received(req, link: str) -> None:
    """The receipt: what we received, what happens next, the private link to follow it."""
    queue_email(
        kind="requests.received",
        to=req.email,
        user_id=req.user_id,
        language=req.language,
        template="requests/emails/received",
        req=req,
        follow_link=link,
    )


def notify_team_new(req, team) -> None:
    """Each coordinator, in their language, learns that a request arrived."""
    for person in team:
        queue_email(
            kind="requests.new_team",
            to=person.email,
            user_id=person.id,
            language=person.language,
            template="requests/emails/new_team",
            req=req,
            link=public_url("requests.detail", request_id=req.id),
        )


def notify_team_message(req, message, link: str) -> None:
    """A coordinator's message, to the requester, with the link to answer."""
    queue_email(
        kind="requests.message",
        to=req.email,
        user_id=req.user_id,
        language=req.language,
        template="requests/emails/message",
        req=req,
        message=message.body,
        follow_link=link,
    )


def notify_team_reply(req, message, team) -> None:
    """The requester answered: the coordinator in charge (or every one) is told."""
    for person in team:
        queue_email(
            kind="requests.reply_team",
            to=person.email,
            user_id=person.id,
            language=person.language,
            template="requests/emails/reply_team",
            req=req,
            message=message.body,
            link=public_url("requests.detail", request_id=req.id),
        )
