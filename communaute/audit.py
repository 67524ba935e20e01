"""The security log: what happened to accounts, for coordinators to spot an attack.

``record_event()`` adds a row in the caller's transaction, like ``queue_email``: the event is
kept when the action it reports is committed. A refusal (a wrong password, a wrong code) rolls
its action back, so the view records it after the rollback and commits it on its own.

What is kept is minimal: the time, the kind of event, the account it concerns (and who acted,
when a coordinator acted on someone else's account), a short technical detail (never a
password, a code or an address typed in a form) and the network the request came from: the
client address cut to its /24 (IPv4) or /48 (IPv6), enough to tell one attacker from many,
not to find a home. Rows go after ``SECURITY_LOG_RETENTION_DAYS`` (365 by default,
``flask security purge``), and with the account when it is deleted.
"""

from __future__ import annotations

import enum
import ipaddress
from datetime import datetime, timedelta

from flask import current_app, has_request_context, request
from sqlalchemy import ForeignKey, String, delete, select, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from communaute.db import utcnow
from communaute.extensions import db
from communaute.registry import register_personal_data


class EventKind(enum.StrEnum):
    login = "login"
    login_failed = "login_failed"
    second_factor_used = "second_factor_used"
    recovery_code_used = "recovery_code_used"
    second_factor_failed = "second_factor_failed"
    second_factor_enabled = "second_factor_enabled"
    second_factor_reset = "second_factor_reset"
    recovery_codes_renewed = "recovery_codes_renewed"
    rate_limited = "rate_limited"
    password_changed = "password_changed"  # noqa: S105 - a kind of event
    password_check_failed = "password_check_failed"  # noqa: S105 - a kind of event
    email_change_requested = "email_change_requested"
    email_changed = "email_changed"
    role_changed = "role_changed"
    account_exported = "account_exported"
    account_deleted = "account_deleted"


class SecurityEvent(db.Model):
    __tablename__ = "security_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    kind: Mapped[EventKind] = mapped_column(
        db.Enum(EventKind, native_enum=False, length=40), index=True
    )
    #: The account concerned; None for an address that has no account, or a deleted one.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: Who acted, when it is not the account itself (a coordinator resetting a second factor).
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: The client's network (203.0.113.0/24, 2001:db8:1::/48); None from the command line.
    network: Mapped[str | None] = mapped_column(String(50))
    #: A short technical detail: the address of a limited page, "member → coordinator".
    detail: Mapped[str | None] = mapped_column(String(200))

    user = relationship("User", foreign_keys=[user_id], lazy="raise")
    actor = relationship("User", foreign_keys=[actor_id], lazy="raise")


def network_of(address: str | None) -> str | None:
    """The network an address belongs to: IPv4 to /24, IPv6 to /48. None if not an address."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def record_event(
    kind: EventKind,
    *,
    user_id: int | None = None,
    actor_id: int | None = None,
    detail: str | None = None,
) -> SecurityEvent:
    """Adds one event to the current transaction (no commit).

    The request, when there is one, gives only its client's network (as a logger would);
    from the command line there is none.
    """
    event = SecurityEvent(
        kind=kind,
        user_id=user_id,
        actor_id=actor_id,
        network=network_of(request.remote_addr) if has_request_context() else None,
        detail=detail[:200] if detail else None,
        created_at=utcnow(),
    )
    db.session.add(event)
    return event


def purge_security_log(now: datetime | None = None) -> int:
    """Deletes the events older than SECURITY_LOG_RETENTION_DAYS; returns how many."""
    days = current_app.config.get("SECURITY_LOG_RETENTION_DAYS", 365)
    cutoff = (now or utcnow()) - timedelta(days=days)
    result = db.session.execute(delete(SecurityEvent).where(SecurityEvent.created_at < cutoff))
    return result.rowcount or 0


def _export(user) -> list[dict]:
    events = db.session.scalars(
        select(SecurityEvent)
        .where(SecurityEvent.user_id == user.id)
        .order_by(SecurityEvent.created_at, SecurityEvent.id)
    )
    return [
        {
            "kind": e.kind.value,
            "at": e.created_at.isoformat(),
            "network": e.network,
            "detail": e.detail,
            "by_another_person": e.actor_id is not None and e.actor_id != user.id,
        }
        for e in events
    ]


def _erase(user) -> None:
    db.session.execute(delete(SecurityEvent).where(SecurityEvent.user_id == user.id))
    # What this person did to other accounts stays in their log, without naming them.
    db.session.execute(
        update(SecurityEvent).where(SecurityEvent.actor_id == user.id).values(actor_id=None)
    )


register_personal_data("security_log", export=_export, erase=_erase, tables=("security_events",))
