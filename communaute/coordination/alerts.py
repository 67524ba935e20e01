"""Told without looking: coordinators hear of what needs them by email, as each chose.

``User.coordinator_alerts``: "each" (an email per event, the default), "digest" (one email a
day at 8:00 Montreal time, ``flask coordination send-digest`` run by cron), or "none" (the
coordination home only). Every email goes through the outbox, in the coordinator's language:
what is stored is the kind of event and its words (a title), translated when the email is
written.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, select, update
from sqlalchemy.orm import Mapped, mapped_column

from communaute.auth.models import Role, User
from communaute.db import utcnow
from communaute.email import public_url, queue_email
from communaute.extensions import db
from communaute.i18n import MONTREAL
from communaute.i18n import lazy_gettext as _l

CHOICES = ("each", "digest", "none")
CHOICE_LABELS = {
    "each": _l("An email for each event"),
    "digest": _l("One email a day, at 8:00"),
    "none": _l("No email: I look at the coordination page"),
}
#: The kinds of events (the sentence of each is in templates/coordination/emails/_event.txt).
KINDS = (
    "text_submitted",
    "text_resubmitted",
    "author_replied",
    "author_approved",
    "author_withdrew",
    "session_full",
    "webinar_full",
    "emails_failed",
)


class PendingAlert(db.Model):
    """An event waiting for a coordinator's daily digest."""

    __tablename__ = "coordination_alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    #: The title of the text, the course or the webinar.
    title: Mapped[str] = mapped_column(String(300))
    #: Where it is done (an absolute link).
    url: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Claimed with a conditional UPDATE: one digest holds it, whatever runs at once.
    sent_at: Mapped[datetime | None]


class FailedEmailNotice(db.Model):
    """An outbox message that failed and was told to the coordinators: told once."""

    __tablename__ = "coordination_failed_notices"

    #: The failed outbox message (no foreign key: the outbox forgets rows on its own terms).
    outbox_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    noticed_at: Mapped[datetime] = mapped_column(default=utcnow)


def alert_failed_emails(*, now: datetime | None = None) -> int:
    """Tells coordinators (as each chose) of emails that failed since the last time, once:
    ``flask coordination alert-failed-emails`` from cron. Emails to coordinators about
    coordination are left out (no alert about an alert). Returns how many failed."""
    from communaute.email import OutboxMessage, OutboxState

    now = now or utcnow()
    new = db.session.scalars(
        select(OutboxMessage.id)
        .outerjoin(FailedEmailNotice, FailedEmailNotice.outbox_id == OutboxMessage.id)
        .where(
            OutboxMessage.state == OutboxState.failed,
            ~OutboxMessage.kind.like("coordination.%"),
            FailedEmailNotice.outbox_id.is_(None),
        )
        .order_by(OutboxMessage.id)
    ).all()
    if not new:
        return 0
    db.session.add_all(FailedEmailNotice(outbox_id=i, noticed_at=now) for i in new)
    db.session.flush()  # a second run at the same time stops here (primary key)
    alert("emails_failed", title=str(len(new)), endpoint="main.outbox", state="failed")
    return len(new)


def alert(kind: str, *, title: str, endpoint: str, **values) -> int:
    """Tells every coordinator as they chose. Returns how many emails were queued now."""
    assert kind in KINDS, kind
    url = public_url(endpoint, **values)
    queued = 0
    for person in db.session.scalars(select(User).where(User.role == Role.coordinator)):
        choice = person.coordinator_alerts or "each"
        if choice == "each":
            queue_email(
                kind=f"coordination.alert.{kind}",
                to=person.email,
                user_id=person.id,
                language=person.language,
                template="coordination/emails/alert",
                events=[{"kind": kind, "title": title, "url": url}],
            )
            queued += 1
        elif choice == "digest":
            db.session.add(PendingAlert(user_id=person.id, kind=kind, title=title[:300], url=url))
    return queued


def send_digests(*, now: datetime | None = None, force: bool = False) -> int:
    """One email per coordinator who chose the digest, with what waited since the last one.
    Sends only during the 8 o'clock hour in Montreal (an hourly cron is enough), unless
    ``force``. Returns how many digests were queued. The caller commits."""
    now = now or utcnow()
    if not force and now.astimezone(MONTREAL).hour != 8:
        return 0
    sent = 0
    for person in db.session.scalars(
        select(User).where(User.role == Role.coordinator, User.coordinator_alerts == "digest")
    ):
        rows = db.session.scalars(
            select(PendingAlert)
            .where(PendingAlert.user_id == person.id, PendingAlert.sent_at.is_(None))
            .order_by(PendingAlert.id)
            .with_for_update(skip_locked=True)
        ).all()
        if not rows:
            continue
        claimed = db.session.execute(
            update(PendingAlert)
            .where(PendingAlert.id.in_([r.id for r in rows]), PendingAlert.sent_at.is_(None))
            .values(sent_at=now)
        ).rowcount
        if claimed != len(rows):
            continue  # another run took them
        queue_email(
            kind="coordination.digest",
            to=person.email,
            user_id=person.id,
            language=person.language,
            template="coordination/emails/digest",
            events=[{"kind": r.kind, "title": r.title, "url": r.url} for r in rows],
        )
        sent += 1
    db.session.flush()
    return sent
