"""Mail a person asked for, and can stop with one click: consents per purpose (Law 25).

A ``Subscription`` is one address's consent to one purpose (today: ``webinar_news``, the
announcements of new webinars of the series). It is given with words shown at the time (kept
as ``consent_text``) from the webinar sign-up form or the account's mail preferences, and
withdrawn from those preferences or from the link in every such email. Withdrawing keeps the
row (when and what was agreed, and when it stopped) so the same address is never written to
again by mistake; deleting the account or erasing the address removes it.

Every email sent for a purpose carries a one-click unsubscribe link and the
``List-Unsubscribe`` / ``List-Unsubscribe-Post`` headers of RFC 8058. Confirmations,
waiting-list moves and reminders are transactional and carry neither.
"""

from __future__ import annotations

import enum
import re
import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, delete, func, or_, select
from sqlalchemy.orm import Mapped, mapped_column

from communaute.cache import page_topics
from communaute.db import utcnow
from communaute.extensions import db
from communaute.i18n import lazy_gettext as _l
from communaute.registry import register_personal_data


class Purpose(enum.StrEnum):
    webinar_news = "webinar_news"


#: What a person agrees to, in the words shown beside the box (kept with the consent).
PURPOSE_TEXTS = {
    Purpose.webinar_news: _l(
        "I agree to receive emails from Expériences about the next webinars of the series. "
        "I can stop them at any time."
    ),
}
PURPOSE_LABELS = {Purpose.webinar_news: _l("News of the webinar series")}


_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Subscription(db.Model):
    __tablename__ = "mail_subscriptions"
    __table_args__ = (UniqueConstraint("purpose", "email", name="uq_mail_subscriptions_address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(40))
    #: Normalised like every stored address (communaute.email.normalise_address).
    email: Mapped[str] = mapped_column(String(320), index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    language: Mapped[str] = mapped_column(String(2), default="fr")
    consent_text: Mapped[str] = mapped_column(Text)
    #: Where it was given ("webinar_signup", "preferences").
    source: Mapped[str] = mapped_column(String(40))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]
    #: The secret of the unsubscribe link; a new one each time the consent is given again.
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None


def _normalise(email: str) -> str:
    from communaute.email import normalise_address

    return normalise_address(email)


def find(purpose: str, email: str) -> Subscription | None:
    return db.session.scalar(
        select(Subscription).where(
            Subscription.purpose == purpose, Subscription.email == _normalise(email)
        )
    )


def is_subscribed(purpose: str, email: str) -> bool:
    sub = find(purpose, email)
    return sub is not None and sub.active


def subscribe(
    purpose: str,
    email: str,
    *,
    language: str,
    source: str,
    user_id: int | None = None,
    text: str | None = None,
    now: datetime | None = None,
) -> Subscription:
    """Records the consent (again, with today's words, if it had been withdrawn)."""
    now = now or utcnow()
    sub = find(purpose, email)
    if sub is None:
        sub = Subscription(purpose=purpose, email=_normalise(email))
        db.session.add(sub)
    elif sub.active:
        sub.language = language if language in ("fr", "en") else sub.language
        sub.user_id = user_id or sub.user_id
        return sub
    sub.language = language if language in ("fr", "en") else "fr"
    sub.user_id = user_id or sub.user_id
    sub.consent_text = str(text or PURPOSE_TEXTS[Purpose(purpose)])
    sub.source = source
    sub.granted_at = now
    sub.withdrawn_at = None
    sub.token = new_token()
    return sub


def follow_address(user, new_email: str) -> None:
    """A member's confirmed new address: their consents move with them (unless the new
    address already has its own, which stands)."""
    new_email = _normalise(new_email)
    for sub in db.session.scalars(select(Subscription).where(_mine(user))):
        if find(sub.purpose, new_email) is None:
            sub.email = new_email
            sub.user_id = user.id


def withdraw(sub: Subscription, *, now: datetime | None = None) -> bool:
    """Stops it; returns False when it was already stopped (the link clicked twice)."""
    if not sub.active:
        return False
    sub.withdrawn_at = now or utcnow()
    return True


def by_token(token: str) -> Subscription | None:
    if not _TOKEN.fullmatch(token or ""):
        return None  # NUL bytes, spaces, a tampered link: no query at all
    return db.session.scalar(select(Subscription).where(Subscription.token == token))


def active(purpose: str):
    """Select of the subscriptions still given for ``purpose``, oldest first."""
    return (
        select(Subscription)
        .where(Subscription.purpose == purpose, Subscription.withdrawn_at.is_(None))
        .order_by(Subscription.id)
    )


def unsubscribe_url(sub: Subscription) -> str:
    from communaute.email import public_url

    return public_url("main.unsubscribe", token=sub.token)


def list_headers(sub: Subscription) -> dict[str, str]:
    """RFC 2369 and RFC 8058: mail programs show an "unsubscribe" button that POSTs here."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(sub)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


class SubscriptionSend(db.Model):
    """One announcement given to one subscription: never twice, whoever sends it and however
    many requests or workers run at once (the unique pair is the guard)."""

    __tablename__ = "mail_subscription_sends"
    __table_args__ = (
        UniqueConstraint("subscription_id", "topic", name="uq_mail_subscription_sends_once"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("mail_subscriptions.id", ondelete="CASCADE"), index=True
    )
    #: What was announced ("webinar:12").
    topic: Mapped[str] = mapped_column(String(80))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


def not_yet_sent(purpose: str, topic: str):
    """Select of the active subscriptions that have not received ``topic``."""
    sent = select(SubscriptionSend.id).where(
        SubscriptionSend.subscription_id == Subscription.id, SubscriptionSend.topic == topic
    )
    return active(purpose).where(~sent.exists())


def claim_sends(purpose: str, topic: str, *, now: datetime | None = None) -> list[Subscription]:
    """Marks every active subscription not yet given ``topic`` and returns them; two calls at
    once share them out (INSERT ... ON CONFLICT DO NOTHING RETURNING: a pair another
    transaction inserted first is not returned here). The caller queues the emails in the
    same transaction."""
    now = now or utcnow()
    ids = db.session.scalars(not_yet_sent(purpose, topic).with_only_columns(Subscription.id)).all()
    if not ids:
        return []
    dialect = db.engine.dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    claimed = db.session.scalars(
        insert(SubscriptionSend)
        .values([{"subscription_id": i, "topic": topic, "sent_at": now} for i in ids])
        .on_conflict_do_nothing(index_elements=["subscription_id", "topic"])
        .returning(SubscriptionSend.subscription_id)
    ).all()
    if not claimed:
        return []
    return list(
        db.session.scalars(
            select(Subscription).where(Subscription.id.in_(claimed)).order_by(Subscription.id)
        )
    )


def sent_count(topic: str) -> int:
    return db.session.scalar(
        select(func.count()).select_from(SubscriptionSend).where(SubscriptionSend.topic == topic)
    )


def _mine(user):
    return or_(Subscription.user_id == user.id, Subscription.email == _normalise(user.email))


def _export(user) -> list[dict]:
    rows = db.session.scalars(select(Subscription).where(_mine(user)).order_by(Subscription.id))
    return [
        {
            "purpose": s.purpose,
            "email": s.email,
            "language": s.language,
            "consent_text": s.consent_text,
            "source": s.source,
            "granted_at": s.granted_at.isoformat(),
            "withdrawn_at": s.withdrawn_at.isoformat() if s.withdrawn_at else None,
        }
        for s in rows
    ]


def _erase(user) -> None:
    mine = select(Subscription.id).where(_mine(user))
    db.session.execute(delete(SubscriptionSend).where(SubscriptionSend.subscription_id.in_(mine)))
    db.session.execute(delete(Subscription).where(_mine(user)))


def erase_address(email: str) -> int:
    """Removes every consent of an address without an account (a guest's request)."""
    theirs = select(Subscription.id).where(Subscription.email == _normalise(email))
    db.session.execute(delete(SubscriptionSend).where(SubscriptionSend.subscription_id.in_(theirs)))
    result = db.session.execute(delete(Subscription).where(Subscription.email == _normalise(email)))
    return result.rowcount or 0


register_personal_data(
    "mail_subscriptions",
    export=_export,
    erase=_erase,
    tables=("mail_subscriptions", "mail_subscription_sends"),
)

page_topics("mail_subscriptions")
page_topics("mail_subscription_sends")
