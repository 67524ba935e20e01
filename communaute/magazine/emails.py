"""Who gets which magazine email, in their own language, through the outbox."""

from __future__ import annotations

from sqlalchemy import select

from communaute.auth.models import Role, User
from communaute.email import public_url, queue_email
from communaute.extensions import db


def _to_author(submission, kind: str, template: str, **ctx) -> None:
    author = submission.author
    queue_email(
        kind=f"magazine.{kind}",
        to=author.email,
        user_id=author.id,
        language=author.language,
        template=f"magazine/emails/{template}",
        submission=submission,
        author=author,
        link=public_url("magazine.submission", submission_id=submission.id),
        **ctx,
    )


def notify_submitted(submission, *, resubmission: bool = False) -> None:
    """Receipt to the author, with the dated consents they gave (the consent receipt)."""
    _to_author(
        submission,
        "submitted",
        "submitted",
        resubmission=resubmission,
        consents=list(submission.current_consents().values()),
    )


def notify_decision(submission, message: str | None) -> None:
    """Each editorial move (changes requested, accepted, declined, published) to the author."""
    link = None
    if submission.state.value == "published":
        link = public_url("magazine.testimony", submission_id=submission.id)
    _to_author(
        submission,
        f"decision.{submission.state.value}",
        "decision",
        message=message,
        public_link=link,
    )


def notify_team_message(submission, message) -> None:
    """A coordinator wrote in the thread."""
    _to_author(submission, "message", "message", message=message.body)


def notify_text_edited(submission) -> None:
    """The team edited the text: the author is asked to approve or answer."""
    _to_author(submission, "text_edited", "text_edited")


def notify_consent_changed(submission, consent) -> None:
    """Acknowledges a changed consent, with its date and words."""
    _to_author(submission, "consent_changed", "consent_changed", consent=consent)


def notify_team_withdrawn(submission, *, was_published: bool) -> None:
    """Tells every coordinator, each in their own language, that an author withdrew a text."""
    coordinators = db.session.scalars(select(User).where(User.role == Role.coordinator))
    for person in coordinators:
        queue_email(
            kind="magazine.withdrawn_team",
            to=person.email,
            user_id=person.id,
            language=person.language,
            template="magazine/emails/withdrawn_team",
            submission=submission,
            was_published=was_published,
            link=public_url("magazine.review", submission_id=submission.id),
        )


def notify_withdrawn(submission, *, was_published: bool) -> None:
    """Receipt to the author who withdrew a text: it is withdrawn, and off the site if it
    was published."""
    _to_author(submission, "withdrawn", "withdrawn", was_published=was_published)


def notify_revision_approved(submission) -> None:
    """Receipt to the author who approved the team's edit: the edited text is now theirs."""
    _to_author(submission, "revision_approved", "revision_approved")
