"""Email that is never lost: render, queue in the outbox, deliver after the commit.

``queue_email()`` writes an outbox row in the caller's transaction: a rollback drops the
email with the rest, a commit makes it durable. After each commit that queued mail, one
delivery thread per process is woken; ``flask outbox send`` and ``flask outbox worker``
deliver whatever is due (retries with backoff), so a slow or broken SMTP server never
slows or fails the user's action.
"""

from __future__ import annotations

import base64
import enum
import html
import logging
import re
import smtplib
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import Flask, current_app, render_template
from flask_babel import force_locale
from flask_mail import Message
from markupsafe import Markup
from sqlalchemy import JSON, ForeignKey, Index, String, Text, event, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from communaute.db import utcnow
from communaute.extensions import db, mail
from communaute.i18n import REGIONAL
from communaute.privacy import register_personal_data

log = logging.getLogger("communaute.email")

#: Seconds to wait before attempt n+1 (the last value repeats until the cap).
BACKOFF = (60, 300, 900, 3600, 3 * 3600, 6 * 3600, 12 * 3600)
#: A message claimed by a sender that died is taken up again after this long.
CLAIM_TIMEOUT = timedelta(minutes=10)


class OutboxState(enum.StrEnum):
    pending = "pending"
    sending = "sending"
    sent = "sent"
    failed = "failed"


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Which notify_* made it (e.g. "auth.confirm"), for coordinators and tests.
    kind: Mapped[str] = mapped_column(String(80))
    recipient: Mapped[str] = mapped_column(String(320), index=True)
    #: The member it concerns, so export and deletion of the account cover it.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    language: Mapped[str] = mapped_column(String(5))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    #: [{"filename", "content_type", "data" (base64)}]
    attachments: Mapped[list] = mapped_column(JSON, default=list)
    state: Mapped[OutboxState] = mapped_column(
        db.Enum(OutboxState, native_enum=False, length=20), default=OutboxState.pending
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


@dataclass
class Attachment:
    filename: str
    content_type: str
    data: bytes


_HEADER_UNSAFE = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
_URL = re.compile(r"(https?://[^\s<>\"']+)")


def _one_line(text: str) -> str:
    """What reaches a header is one line: newlines and control characters become spaces."""
    return " ".join(_HEADER_UNSAFE.sub(" ", text).split())


def public_url(endpoint: str, **values) -> str:
    """An absolute link for an email, built from COMMUNAUTE_PUBLIC_URL, never from Host."""
    base = urlsplit(current_app.config["COMMUNAUTE_PUBLIC_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, url_scheme=base.scheme, script_name=base.path or "/"
    )
    return adapter.build(endpoint, values, force_external=True)


def text_to_html(text: str) -> Markup:
    """Plain text to safe HTML: escaped, paragraphs kept, bare links made clickable."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    out = []
    for para in paragraphs:
        escaped = html.escape(para)
        linked = _URL.sub(lambda m: f'<a href="{m.group(1)}">{m.group(1)}</a>', escaped)
        out.append("<p>" + linked.replace("\n", "<br>\n") + "</p>")
    return Markup("\n".join(out))  # noqa: S704 - every piece was escaped above


def render_email(template: str, language: str, **context) -> tuple[str, str, str]:
    """Renders ``<template>.txt`` (blocks ``subject`` and ``body``) in ``language``.

    Returns (subject, text, html). The HTML part wraps the same words in the shared layout.
    """
    with force_locale(REGIONAL.get(language, "fr_CA")):
        tpl = current_app.jinja_env.get_template(template + ".txt")
        ctx = tpl.new_context({**context, "email_language": language})
        subject = _one_line("".join(tpl.blocks["subject"](ctx)))
        text = "".join(tpl.blocks["body"](ctx)).strip() + "\n"
        text = re.sub(r"\n{3,}", "\n\n", text)
        html_body = render_template(
            "emails/layout.html", subject=subject, body=text_to_html(text), language=language
        )
    return subject, text, html_body


def queue_email(
    *,
    kind: str,
    to: str,
    template: str,
    language: str,
    user_id: int | None = None,
    attachments: list[Attachment] | None = None,
    **context,
) -> OutboxMessage:
    """Renders an email and adds it to the outbox in the current transaction (no commit)."""
    subject, text, html_body = render_email(template, language, **context)
    msg = OutboxMessage(
        kind=kind,
        recipient=_one_line(to),
        user_id=user_id,
        language=language,
        subject=subject[:300],
        text_body=text,
        html_body=html_body,
        attachments=[
            {
                "filename": a.filename,
                "content_type": a.content_type,
                "data": base64.b64encode(a.data).decode("ascii"),
            }
            for a in attachments or []
        ],
        state=OutboxState.pending,
        next_attempt_at=utcnow(),
    )
    db.session.add(msg)
    db.session.info["outbox_queued"] = True
    return msg


def _claim(message_id: int) -> bool:
    """Atomically takes one message for sending; two senders never take the same one."""
    now = utcnow()
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            ((OutboxMessage.state == OutboxState.pending) & (OutboxMessage.next_attempt_at <= now))
            | (
                (OutboxMessage.state == OutboxState.sending)
                & (OutboxMessage.next_attempt_at <= now - CLAIM_TIMEOUT)
            ),
        )
        .values(state=OutboxState.sending, next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def _to_mail(msg: OutboxMessage) -> Message:
    message = Message(
        subject=msg.subject,
        recipients=[msg.recipient],
        body=msg.text_body,
        html=msg.html_body,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
    )
    for a in msg.attachments or []:
        message.attach(a["filename"], a["content_type"], base64.b64decode(a["data"]))
    return message


def _send(msg: OutboxMessage) -> None:
    if not current_app.config.get("MAIL_SERVER"):
        # Development without a server: the log is the mailbox.
        log.warning(
            "Courriel (pas de serveur SMTP) à %s : %s\n%s",
            msg.recipient,
            msg.subject,
            msg.text_body,
        )
        return
    mail.send(_to_mail(msg))


def deliver(message_id: int) -> bool | None:
    """Tries to send one due message; records the outcome.

    True when sent, False when the attempt failed (retry planned), None when another
    sender had already taken it.
    """
    if not _claim(message_id):
        return None
    msg = db.session.get(OutboxMessage, message_id)
    msg.attempts += 1
    try:
        _send(msg)
    except (smtplib.SMTPException, OSError) as exc:
        msg.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if msg.attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]:
            msg.state = OutboxState.failed
            log.error("email %s failed for good: %s", msg.id, msg.last_error)
        else:
            msg.state = OutboxState.pending
            delay = BACKOFF[min(msg.attempts - 1, len(BACKOFF) - 1)]
            msg.next_attempt_at = utcnow() + timedelta(seconds=delay)
        db.session.commit()
        return False
    msg.state = OutboxState.sent
    msg.sent_at = utcnow()
    msg.last_error = None
    db.session.commit()
    return True


def deliver_due(limit: int = 500) -> tuple[int, int]:
    """Delivers every due message once. Returns (sent, not sent)."""
    now = utcnow()
    ids = db.session.scalars(
        select(OutboxMessage.id)
        .where(
            ((OutboxMessage.state == OutboxState.pending) & (OutboxMessage.next_attempt_at <= now))
            | (
                (OutboxMessage.state == OutboxState.sending)
                & (OutboxMessage.next_attempt_at <= now - CLAIM_TIMEOUT)
            )
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    db.session.commit()
    sent = failed = 0
    for message_id in ids:
        outcome = deliver(message_id)
        if outcome is True:
            sent += 1
        elif outcome is False:
            failed += 1
    return sent, failed


def resend(msg: OutboxMessage) -> None:
    """A coordinator puts a failed (or sent) message back in the queue."""
    msg.state = OutboxState.pending
    msg.next_attempt_at = utcnow()
    msg.attempts = 0
    db.session.info["outbox_queued"] = True


class _Deliverer:
    """One thread per process that drains the outbox when a commit queued mail."""

    def __init__(self, app: Flask):
        self.app = app
        self.wake = threading.Event()
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()

    def poke(self) -> None:
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(
                    target=self._run, name="outbox-delivery", daemon=True
                )
                self.thread.start()
        self.wake.set()

    def _run(self) -> None:
        while True:
            self.wake.wait()
            self.wake.clear()
            with self.app.app_context():
                try:
                    deliver_due()
                except Exception:  # the thread must survive anything; the worker retries
                    log.exception("outbox delivery thread")
                    db.session.rollback()
                finally:
                    db.session.remove()


@event.listens_for(Session, "after_commit")
def _after_commit(session):
    if not session.info.pop("outbox_queued", False):
        return
    try:
        target = current_app.extensions.get("outbox_deliverer")
        mode = current_app.config["OUTBOX_DELIVERY"]
    except RuntimeError:  # outside an application context
        return
    if target is not None and mode == "background":
        target.poke()


@event.listens_for(Session, "after_rollback")
def _after_rollback(session):
    session.info.pop("outbox_queued", None)


def init_outbox(app: Flask) -> None:
    app.extensions["outbox_deliverer"] = _Deliverer(app)


def _export_emails(user) -> list[dict]:
    rows = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.user_id == user.id).order_by(OutboxMessage.id)
    )
    return [
        {
            "kind": m.kind,
            "to": m.recipient,
            "subject": m.subject,
            "state": m.state.value,
            "created_at": m.created_at.isoformat(),
            "sent_at": m.sent_at.isoformat() if m.sent_at else None,
        }
        for m in rows
    ]


def _erase_emails(user) -> None:
    db.session.execute(OutboxMessage.__table__.delete().where(OutboxMessage.user_id == user.id))


register_personal_data(
    "emails", export=_export_emails, erase=_erase_emails, tables=("outbox_messages",)
)
