"""Email that is never lost: render, queue in the outbox, deliver after the commit.

``queue_email()`` writes an outbox row in the caller's transaction: a rollback drops the
email with the rest, a commit makes it durable. After each commit that queued mail, one
delivery thread per process is woken; ``flask outbox send`` and ``flask outbox worker``
deliver whatever is due (retries with backoff), so a slow or broken SMTP server never
slows or fails the user's action.

Two kinds of failure. A message the server refuses (a recipient, the sender or the data
refused) counts as an attempt: retried after BACKOFF, failed at OUTBOX_MAX_ATTEMPTS. A server
that cannot be reached (refused connection, timeout, lost connection, 421) is nobody's fault:
the message goes back to the queue unchanged, the pass stops there, and the sender waits
OUTBOX_OUTAGE_BACKOFF (short, doubling, capped) before looking again.
"""

from __future__ import annotations

import base64
import enum
import html
import logging
import re
import smtplib
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.policy import SMTPUTF8
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import quote, urlsplit

import idna
from flask import Flask, current_app, render_template
from flask_babel import force_locale
from flask_mail import (
    BadHeaderError,
    Message,
    email_dispatched,
    sanitize_address,
    sanitize_subject,
)
from markupsafe import Markup
from sqlalchemy import JSON, ForeignKey, Index, String, Text, delete, event, false, select, update
from sqlalchemy.engine import Row
from sqlalchemy.orm import Mapped, Session, mapped_column

from communaute.cache import page_topics
from communaute.db import utcnow
from communaute.extensions import db
from communaute.i18n import REGIONAL
from communaute.registry import periodic_jobs, register_personal_data

log = logging.getLogger("communaute.email")

#: Seconds to wait before attempt n+1 (the last value repeats until the cap).
BACKOFF = (60, 300, 900, 3600, 3 * 3600, 6 * 3600, 12 * 3600)
#: A message claimed by a sender that died is taken up again after this long.
CLAIM_TIMEOUT = timedelta(minutes=10)
#: How many due messages a pass claims at once: one database round trip for all of them.
#: Claimed messages not yet sent when a sender dies wait CLAIM_TIMEOUT.
CLAIM_CHUNK = 10
#: When the SMTP server cannot be reached: first wait and longest wait, in seconds, before
#: looking again (doubling in between). OUTBOX_OUTAGE_BACKOFF in the settings overrides it.
OUTAGE_BACKOFF = (2.0, 60.0)


class OutboxState(enum.StrEnum):
    pending = "pending"
    sending = "sending"
    sent = "sent"
    failed = "failed"
    #: A coordinator decided a failed email will not be sent; its text is deleted.
    dismissed = "dismissed"


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
    #: Extra headers ({"List-Unsubscribe": ...}), for the emails a person can stop.
    headers: Mapped[dict | None] = mapped_column(JSON)
    state: Mapped[OutboxState] = mapped_column(
        db.Enum(OutboxState, native_enum=False, length=20), default=OutboxState.pending
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    #: The row goes once the email is sent (the goodbye to a deleted account: nobody is
    #: left whose data it would be).
    forget_when_sent: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: When its text (subject kept) was deleted: OUTBOX_RETENTION_DAYS after sending, or
    #: when a coordinator dismissed it. It cannot be sent again.
    purged_at: Mapped[datetime | None]


@dataclass
class Attachment:
    filename: str
    content_type: str
    data: bytes


_HEADER_UNSAFE = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
#: A bare link in text; it ends before trailing punctuation ("voir https://x.ca/a, puis").
_URL = re.compile(r"https?://[^\s<>\"']*[^\s<>\"'.,;:!?)\]}»]")


def _one_line(text: str) -> str:
    """What reaches a header is one line: newlines and control characters become spaces."""
    return " ".join(_HEADER_UNSAFE.sub(" ", text).split())


def normalise_address(address: str) -> str:
    """As every email field stores it (lowercase, trimmed, one line): export and deletion
    find a person's emails by address."""
    return _one_line(address).lower()


def public_url(endpoint: str, *, _anchor: str | None = None, _method: str | None = None, **values):
    """An absolute link (emails, feeds), built from COMMUNAUTE_PUBLIC_URL, never from Host.

    Works with or without a request. ``url_for(..., _external=True)`` comes here too
    (communaute.Communaute.url_for), so no page can build a link from a forged Host header.
    """
    app = current_app._get_current_object()
    base = urlsplit(app.config["COMMUNAUTE_PUBLIC_URL"])
    app.inject_url_defaults(endpoint, values)
    adapter = app.url_map.bind(base.netloc, url_scheme=base.scheme, script_name=base.path or "/")
    url = adapter.build(endpoint, values, method=_method, force_external=True)
    if _anchor is not None:
        url += "#" + quote(_anchor, safe="%!#$&'()*+,/:;=?@")
    return url


def text_to_html(text: str, links: set[str] | None = None) -> Markup:
    """Plain text to safe HTML: escaped, paragraphs kept, bare links made clickable.

    ``links``: only these become clickable (emails: the links the platform put in, never
    one a visitor typed into a name or a message). None: every bare link (web pages).
    """
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]

    def link(match: re.Match) -> str:
        url = match.group(0)
        if links is not None and html.unescape(url) not in links:
            return url
        return f'<a href="{url}">{url}</a>'

    out = []
    for para in paragraphs:
        linked = _URL.sub(link, html.escape(para))
        out.append("<p>" + linked.replace("\n", "<br>\n") + "</p>")
    return Markup("\n".join(out))  # noqa: S704 - every piece was escaped above


def platform_links(context: dict) -> set[str]:
    """The links the platform itself puts in an email, by naming convention:

    - what a ``notify_*`` function passes under a name ending in ``link`` or ``url``
      (``cancel_link``, ``course_url``, built by public_url());
    - the ``*_url`` columns of the rows it passes (``webinar.join_url``,
      ``session.online_url``): links a coordinator entered in a link field.

    Anything else in the text (a guest's name, a member's message) stays text in the HTML
    part. A new ``*_url`` column that a visitor fills would be trusted: name it otherwise.
    """
    found = set()
    for key, value in context.items():
        if isinstance(value, str) and key.endswith(("link", "url")):
            found.add(value)
        mapper = getattr(type(value), "__mapper__", None)
        if mapper is not None:
            for attr in mapper.column_attrs:
                if attr.key.endswith("_url"):
                    url = getattr(value, attr.key)
                    if isinstance(url, str) and url:
                        found.add(url)
    return found


def render_email(template: str, language: str, **context) -> tuple[str, str, str]:
    """Renders ``<template>.txt`` (blocks ``subject`` and ``body``) in ``language``.

    Returns (subject, text, html). The HTML part wraps the same words in the shared layout;
    only platform_links() are clickable in it.
    """
    with force_locale(REGIONAL.get(language, "fr_CA")):
        tpl = current_app.jinja_env.get_template(template + ".txt")
        ctx = tpl.new_context({**context, "email_language": language})
        subject = _one_line("".join(tpl.blocks["subject"](ctx)))
        text = "".join(tpl.blocks["body"](ctx)).strip() + "\n"
        text = re.sub(r"\n{3,}", "\n\n", text)
        body = text_to_html(text, links=platform_links(context))
        html_body = render_template(
            "emails/layout.html", subject=subject, body=body, language=language
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
    forget_when_sent: bool = False,
    headers: dict[str, str] | None = None,
    **context,
) -> OutboxMessage:
    """Renders an email and adds it to the outbox in the current transaction (no commit).

    ``forget_when_sent``: the row is deleted once the email has left. ``headers``: extra
    headers, each made one line.
    """
    subject, text, html_body = render_email(template, language, **context)
    msg = OutboxMessage(
        kind=kind,
        recipient=normalise_address(to),
        user_id=user_id,
        forget_when_sent=forget_when_sent,
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
        headers={_one_line(k): _one_line(v) for k, v in headers.items()} if headers else None,
        state=OutboxState.pending,
        next_attempt_at=utcnow(),
    )
    db.session.add(msg)
    db.session.info["outbox_queued"] = True
    return msg


def _due(now: datetime):
    """Pending and due, or claimed by a sender that has been silent too long (it died)."""
    return (
        (OutboxMessage.state == OutboxState.pending) & (OutboxMessage.next_attempt_at <= now)
    ) | (
        (OutboxMessage.state == OutboxState.sending)
        & (OutboxMessage.next_attempt_at <= now - CLAIM_TIMEOUT)
    )


def _claim(*, limit: int = 1, message_id: int | None = None) -> list[Row]:
    """Atomically takes up to ``limit`` due messages for sending, oldest first, and returns
    their rows. Two senders never take the same message.

    On PostgreSQL the SELECT locks the rows it picks until the commit and skips those another
    sender holds (FOR UPDATE SKIP LOCKED): no waiting, no overlap. The UPDATE checks again
    that each row is still due and returns only those it took, which is what keeps SQLite
    (no row locks, one writer at a time) safe. Not one UPDATE ... WHERE id IN (SELECT ...
    LIMIT n FOR UPDATE SKIP LOCKED): PostgreSQL may run that subquery once per row of a
    nested loop and take far more than n rows (measured: 280 of 300 for n = 10).
    """
    now = utcnow()
    pick = select(OutboxMessage.id).where(_due(now))
    if message_id is not None:
        pick = pick.where(OutboxMessage.id == message_id)
    ids = db.session.scalars(
        pick.order_by(OutboxMessage.id).limit(limit).with_for_update(skip_locked=True)
    ).all()
    rows = []
    if ids:
        rows = db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), _due(now))
            .values(state=OutboxState.sending, next_attempt_at=now)
            .returning(*OutboxMessage.__table__.c)
            .execution_options(synchronize_session=False)
        ).all()
    db.session.commit()
    return sorted(rows, key=lambda row: row.id)


def _record(message_ids: list[int], **values) -> None:
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(message_ids))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


class Undeliverable(Exception):
    """This address can never be delivered with these settings: failed at once, no retry."""


def envelope_address(address: str) -> tuple[str, bool]:
    """The address as the SMTP server takes it, and whether it needs SMTPUTF8.

    The domain goes to its ASCII form (``café.ca`` -> ``xn--caf-dma.ca``), which every
    server takes; characters such as é before the @ need a server with SMTPUTF8 (RFC 6531).
    """
    local, at, domain = address.strip().rpartition("@")
    if not at or not local or not domain:
        raise Undeliverable(f"not an email address: {address!r}")
    try:
        domain = idna.encode(domain, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise Undeliverable(f"domain cannot be written in ASCII: {exc}") from exc
    return f"{local}@{domain}", not local.isascii()


def _to_mail(msg: OutboxMessage, recipient: str | None = None) -> Message:
    """The Flask-Mail message; ``recipient`` None when the address needs SMTPUTF8 (Flask-Mail
    cannot write it in a header: _payload() does)."""
    message = Message(
        subject=msg.subject,
        recipients=[recipient] if recipient else [],
        body=msg.text_body,
        html=msg.html_body,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
        extra_headers=dict(msg.headers) if msg.headers else None,
    )
    for a in msg.attachments or []:
        message.attach(a["filename"], a["content_type"], base64.b64decode(a["data"]))
    return message


@lru_cache(maxsize=256)
def _encoded_subject(subject: str) -> str:
    """Flask-Mail's own encoding of a subject (RFC 2047 words when it is not ASCII), kept:
    the people who sign up to one webinar get the same subject, and encoding it was a sixth
    of the message's build. Flask-Mail leaves an ASCII subject as it is."""
    return sanitize_subject(subject, "utf-8")


def _payload(message: Message, recipient: str, smtputf8: bool) -> bytes:
    """The message as it goes to the server (its headers already checked for newlines)."""
    if message.subject:
        message.subject = _encoded_subject(str(message.subject))
    if not smtputf8:
        return message.as_bytes()
    # Flask-Mail builds the MIME tree; the To header holds the address as it is, in UTF-8.
    mime = message._message()
    mime.replace_header("To", recipient)
    return mime.as_bytes(policy=SMTPUTF8)


#: The server's answers about one message; smtplib resets the session after them.
_REFUSALS = (smtplib.SMTPSenderRefused, smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError)


class SmtpUnavailable(Exception):
    """The SMTP server could not be reached, or dropped us: not the message's fault."""


def _connection_lost(exc: Exception) -> bool:
    """During a transaction: the connection failed, rather than the server refusing this message.

    A dropped connection, a socket error or timeout, or a 421 ("service not available,
    closing the channel", RFC 5321) is the server's state. Any other reply (a refused
    sender or recipient, a 4xx/5xx to the data) is about this message.
    """
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(code == 421 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code == 421
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    return isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


class _Smtp:
    """The SMTP side of one pass over the outbox: one connection, reused for every message.

    Opens the connection when a message needs one; any failure to open it (refused, timeout,
    greeting, STARTTLS or login) means the server is unavailable. A connection lost in the
    middle of a message is tried once more on a new connection: if that cannot be opened,
    the server is unavailable; if the server takes the connection and loses it again on
    the same message, the message is at fault (it counts as an attempt), so one message
    cannot hold up the queue forever. A server that closes connections after so many
    messages costs one reconnection, nothing else.
    """

    def __init__(self):
        self.host: smtplib.SMTP | None = None
        #: Set when the server was found unavailable: the pass stops there.
        self.outage: str | None = None

    def _open(self) -> smtplib.SMTP:
        s = current_app.extensions["mail"]
        timeout = current_app.config.get("MAIL_TIMEOUT") or 10
        factory = smtplib.SMTP_SSL if s.use_ssl else smtplib.SMTP
        try:
            host = factory(s.server, s.port, timeout=timeout)
        except OSError as exc:  # SMTPException is an OSError
            raise self._unavailable(exc) from exc
        try:
            host.ehlo_or_helo_if_needed()
            if s.use_tls:
                host.starttls()
                host.ehlo()
            if s.username and s.password:
                host.login(s.username, s.password)
        except OSError as exc:
            host.close()
            raise self._unavailable(exc) from exc
        return host

    def _unavailable(self, exc: BaseException) -> SmtpUnavailable:
        self.outage = _describe(exc)
        return SmtpUnavailable(self.outage)

    def send(self, msg: OutboxMessage | Row) -> None:
        """Sends one message, or raises: SmtpUnavailable (the server's state, nothing to
        count) or any other exception (this message was refused or cannot be sent)."""
        if not current_app.config.get("MAIL_SERVER"):
            # Development without a server: the log is the mailbox.
            log.warning(
                "Courriel (pas de serveur SMTP) à %s : %s\n%s",
                msg.recipient,
                msg.subject,
                msg.text_body,
            )
            return
        recipient, smtputf8 = envelope_address(msg.recipient)
        if smtputf8 and not current_app.config.get("MAIL_SMTPUTF8"):
            raise Undeliverable(
                "the address has non-ASCII characters before the @ and MAIL_SMTPUTF8 is off"
            )
        message = _to_mail(msg, None if smtputf8 else recipient)
        if message.has_bad_headers():
            raise BadHeaderError(msg.subject)
        message.date = time.time()
        state = current_app.extensions["mail"]
        if not state.suppress:
            self._transmit(
                sanitize_address(message.sender),
                [recipient],
                _payload(message, recipient, smtputf8),
                ["SMTPUTF8", "BODY=8BITMIME"] if smtputf8 else [],
            )
        email_dispatched.send(current_app._get_current_object(), message=message)

    def _transmit(
        self, sender: str, recipients: list[str], payload: bytes, options: list[str]
    ) -> None:
        for last_try in (False, True):
            if self.host is None:
                self.host = self._open()
            try:
                self.host.sendmail(sender, recipients, payload, mail_options=options)
                return
            except Exception as exc:
                lost = _connection_lost(exc)
                if lost:
                    self._drop()
                elif not isinstance(exc, _REFUSALS):
                    self.close()  # smtplib resets the session only after a refusal
                if last_try or not lost:
                    raise  # this message's fault
                # Lost on this message: once more on a new connection. If it cannot be
                # opened, the server is unavailable; if lost again, the message counts.

    def _drop(self) -> None:
        """Forgets a broken connection without a word to the server."""
        if self.host is not None:
            host, self.host = self.host, None
            host.close()

    def close(self) -> None:
        """Ends the connection politely; the messages are already accepted or refused, so a
        failure here changes nothing."""
        if self.host is None:
            return
        host, self.host = self.host, None
        try:
            host.quit()
        except OSError:
            host.close()


class DeliveryRun(NamedTuple):
    """What one pass over the outbox did."""

    #: Accepted by the SMTP server.
    sent: int
    #: Refused by the server (or unsendable): one attempt counted, retry planned or failed.
    failed: int
    #: Why the SMTP server could not be reached, when it could not: the pass stopped there.
    outage: str | None = None


def deliver(message_id: int) -> bool | None:
    """Tries to send one due message; records the outcome.

    True when sent, False when not (server unavailable: back in the queue, nothing counted;
    refused: one attempt counted, retry after BACKOFF or failed at OUTBOX_MAX_ATTEMPTS),
    None when another sender had already taken it.
    """
    claimed = _claim(message_id=message_id)
    if not claimed:
        return None
    smtp = _Smtp()
    try:
        return _deliver_claimed(claimed[0], smtp)
    finally:
        smtp.close()


class _Accepted:
    """The messages the server accepted in this chunk, recorded together: one UPDATE (and
    one DELETE for those not kept) and one commit for the chunk, not one per email. If the
    process dies before the record, those messages go out again after CLAIM_TIMEOUT (as one
    would when dying between the send and its record)."""

    def __init__(self):
        self.kept: list[int] = []
        self.forgotten: list[int] = []

    def add(self, msg: Row) -> None:
        (self.forgotten if msg.forget_when_sent else self.kept).append(msg.id)

    def record(self) -> None:
        if self.forgotten:
            db.session.execute(
                delete(OutboxMessage)
                .where(OutboxMessage.id.in_(self.forgotten))
                .execution_options(synchronize_session=False)
            )
        if self.kept:
            db.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(self.kept))
                .values(
                    state=OutboxState.sent,
                    sent_at=utcnow(),
                    attempts=OutboxMessage.attempts + 1,
                    last_error=None,
                )
                .execution_options(synchronize_session=False)
            )
        if self.kept or self.forgotten:
            db.session.commit()
        self.kept, self.forgotten = [], []


def _deliver_claimed(msg: Row, smtp: _Smtp, accepted: _Accepted | None = None) -> bool:
    """Sends one claimed message and records the outcome; a message the server accepted is
    left to ``accepted`` to record with its chunk, when given."""
    try:
        smtp.send(msg)
    except Undeliverable as exc:
        error = _describe(exc)
        _record([msg.id], state=OutboxState.failed, attempts=msg.attempts + 1, last_error=error)
        log.error("email %s cannot be delivered: %s", msg.id, error)
        return False
    except SmtpUnavailable as exc:
        # Not the message's fault: no attempt counted, due again as soon as the server is back.
        _record([msg.id], state=OutboxState.pending, next_attempt_at=utcnow(), last_error=str(exc))
        log.warning("SMTP server unavailable, email %s stays queued: %s", msg.id, exc)
        return False
    except Exception as exc:  # refused by the server, or cannot be built: counts
        attempts = msg.attempts + 1
        error = _describe(exc)
        if attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]:
            _record([msg.id], state=OutboxState.failed, attempts=attempts, last_error=error)
            log.error("email %s failed for good: %s", msg.id, error)
        else:
            delay = BACKOFF[min(attempts - 1, len(BACKOFF) - 1)]
            _record(
                [msg.id],
                state=OutboxState.pending,
                next_attempt_at=utcnow() + timedelta(seconds=delay),
                attempts=attempts,
                last_error=error,
            )
        return False
    if accepted is not None:
        accepted.add(msg)
        return True
    if msg.forget_when_sent:
        db.session.execute(
            delete(OutboxMessage)
            .where(OutboxMessage.id == msg.id)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        return True
    _record(
        [msg.id],
        state=OutboxState.sent,
        sent_at=utcnow(),
        attempts=msg.attempts + 1,
        last_error=None,
    )
    return True


def deliver_due(limit: int = 500) -> DeliveryRun:
    """Delivers what is due, up to ``limit`` messages, claiming CLAIM_CHUNK at a time, over
    one SMTP connection. Stops at the first sign the server is unavailable: the message being
    sent and the rest of its chunk go back to the queue as they were."""
    purge_if_due()
    sent = failed = 0
    smtp, accepted = _Smtp(), _Accepted()
    try:
        while sent + failed < limit:
            claimed = _claim(limit=min(CLAIM_CHUNK, limit - sent - failed))
            if not claimed:
                break
            for n, msg in enumerate(claimed):
                ok = _deliver_claimed(msg, smtp, accepted)
                if smtp.outage:
                    accepted.record()
                    rest = [m.id for m in claimed[n + 1 :]]
                    if rest:
                        _record(rest, state=OutboxState.pending, next_attempt_at=utcnow())
                    return DeliveryRun(sent, failed, smtp.outage)
                sent += ok
                failed += not ok
            accepted.record()
    finally:
        smtp.close()
    return DeliveryRun(sent, failed)


def outage_pause(previous: float = 0.0) -> float:
    """How long to wait before looking again at an unavailable SMTP server: the first
    OUTBOX_OUTAGE_BACKOFF value, doubled each time up to the second."""
    first, longest = current_app.config.get("OUTBOX_OUTAGE_BACKOFF", OUTAGE_BACKOFF)
    return first if previous <= 0 else min(previous * 2, longest)


def resend(msg: OutboxMessage) -> bool:
    """A coordinator puts a failed (or sent) message back in the queue. False when its text
    is deleted (retention, dismissed): there is nothing left to send."""
    if msg.purged_at is not None:
        return False
    msg.state = OutboxState.pending
    msg.next_attempt_at = utcnow()
    msg.attempts = 0
    db.session.info["outbox_queued"] = True
    return True


#: Emptied when a text is deleted: what the email said, its attachments (.ics, links).
_PURGED = {"text_body": "", "html_body": "", "attachments": []}


def dismiss(msg: OutboxMessage) -> bool:
    """A coordinator gives up on a failed message: it is not sent, its text is deleted.
    False when it is not a failed message."""
    if msg.state != OutboxState.failed:
        return False
    msg.state = OutboxState.dismissed
    for column, value in _PURGED.items():
        setattr(msg, column, value)
    msg.purged_at = utcnow()
    return True


#: How often one process looks for texts to delete: the pass is one UPDATE, but not at
#: every delivery.
PURGE_EVERY = timedelta(minutes=10)


def purge_sent_bodies(now: datetime | None = None) -> int:
    """Deletes the text of every email sent more than OUTBOX_RETENTION_DAYS ago (the row
    stays: who, what subject, when, for the coordinators and the person's export). Failed
    emails keep theirs until a coordinator sends them again or dismisses them. Commits.
    Returns how many were purged."""
    now = now or utcnow()
    cutoff = now - timedelta(days=current_app.config["OUTBOX_RETENTION_DAYS"])
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.state == OutboxState.sent,
            OutboxMessage.sent_at < cutoff,
            OutboxMessage.purged_at.is_(None),
        )
        .values(**_PURGED, purged_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount


def purge_if_due() -> None:
    """purge_sent_bodies(), at most once every PURGE_EVERY in this process."""
    state = current_app.extensions.setdefault("outbox_purge", {"next": None})
    now = utcnow()
    if state["next"] is not None and now < state["next"]:
        return
    state["next"] = now + PURGE_EVERY
    purged = purge_sent_bodies(now)
    if purged:
        log.info("outbox: the text of %d sent email(s) deleted (retention)", purged)


def run_periodic_jobs() -> dict[str, int]:
    """Runs every periodic job (the due reminders) now, each in its own transaction: one
    that fails is logged and rolled back, the others go on. Returns key -> count."""
    done = {}
    for job in periodic_jobs():
        try:
            done[job.key] = job.run()
            db.session.commit()
        except Exception:  # a job must never stop the delivery of email
            db.session.rollback()
            log.exception("periodic job %s", job.key)
    return done


def run_due_jobs() -> dict[str, int]:
    """run_periodic_jobs(), when REMINDERS_INTERVAL seconds passed since this process last
    did (at once the first time); nothing when the interval is 0. Two processes may both
    run: the reminders are claimed first (communaute.seats.claim_reminders), sent once."""
    interval = current_app.config.get("REMINDERS_INTERVAL", 0)
    if not interval:
        return {}
    state = current_app.extensions.setdefault("periodic_jobs", {"next": None})
    now = time.monotonic()
    if state["next"] is not None and now < state["next"]:
        return {}
    state["next"] = now + interval
    return run_periodic_jobs()


def seconds_to_next_jobs() -> float | None:
    """How long until run_due_jobs() has work (None: never)."""
    interval = current_app.config.get("REMINDERS_INTERVAL", 0)
    if not interval:
        return None
    state = current_app.extensions.get("periodic_jobs") or {"next": None}
    if state["next"] is None:
        return 0.0
    return max(0.0, state["next"] - time.monotonic())


class _Deliverer:
    """One thread per process that drains the outbox when a commit queued mail.

    When the SMTP server is unavailable it comes back by itself after ``outage_pause()``
    (commits in the meantime do not make it try sooner) until the server answers.
    """

    def __init__(self, app: Flask):
        self.app = app
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()

    def poke(self) -> None:
        with self.lock:
            if self.stopping.is_set():
                return
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(
                    target=self._run, name="outbox-delivery", daemon=True
                )
                self.thread.start()
        self.wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Ends the thread (tests; an app that goes away)."""
        self.stopping.set()
        self.wake.set()
        if self.thread is not None:
            self.thread.join(timeout)

    def _run(self) -> None:
        pause = 0.0
        while not self.stopping.is_set():
            with self.app.app_context():
                jobs_in = seconds_to_next_jobs()
            if pause:
                self.stopping.wait(pause if jobs_in is None else min(pause, jobs_in))
            else:
                # Woken by a commit that queued mail, or when the reminders are due.
                self.wake.wait(jobs_in)
            if self.stopping.is_set():
                return
            self.wake.clear()
            with self.app.app_context():
                try:
                    run_due_jobs()
                    run = deliver_due()
                    while (run.sent or run.failed) and not run.outage:
                        run = deliver_due()  # until a pass finds nothing more to do
                    pause = outage_pause(pause) if run.outage else 0.0
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
    deliverer = app.extensions["outbox_deliverer"] = _Deliverer(app)

    @app.before_request
    def _start_delivery_thread():
        # The web process of `make run` (background delivery) runs the reminders by
        # itself from its first request on; the thread is started once.
        if (
            app.config["OUTBOX_DELIVERY"] == "background"
            and app.config.get("REMINDERS_INTERVAL")
            and (deliverer.thread is None or not deliverer.thread.is_alive())
        ):
            deliverer.poke()


def _of(user):
    """A member's emails: those tied to the account, and those sent to its address without
    an account (a guest sign-up before the account existed). Only once the address is
    confirmed: anyone can open an account with someone else's address, and must not read
    or erase the emails that person received as a guest. Rows tied to another account are
    that account's, even at the same address (an address given up, then taken again)."""
    mine = OutboxMessage.user_id == user.id
    if user.confirmed_at is None:
        return mine
    return mine | (
        OutboxMessage.user_id.is_(None) & (OutboxMessage.recipient == normalise_address(user.email))
    )


def _export_emails(user) -> list[dict]:
    rows = db.session.scalars(select(OutboxMessage).where(_of(user)).order_by(OutboxMessage.id))
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
    db.session.execute(OutboxMessage.__table__.delete().where(_of(user)))


register_personal_data(
    "emails", export=_export_emails, erase=_erase_emails, tables=("outbox_messages",)
)

page_topics("outbox_messages")
