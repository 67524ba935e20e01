"""What the coordination blueprint adds: the failed emails line (the outbox is the core's)."""

from __future__ import annotations

from flask import url_for
from flask_babel import ngettext
from sqlalchemy import func, select

from communaute.cache import page_topics
from communaute.email import OutboxMessage, OutboxState
from communaute.extensions import db
from communaute.i18n import lazy_gettext as _l
from communaute.registry import (
    CoordinationItem,
    register_coordination_items,
    register_coordination_link,
    register_me_section,
    register_personal_data,
)


def _failed_emails(now) -> list[CoordinationItem]:
    failed = db.session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.state == OutboxState.failed)
    )
    if not failed:
        return []
    return [
        CoordinationItem(
            group="emails",
            label=ngettext(
                "%(num)d email could not be delivered.",
                "%(num)d emails could not be delivered.",
                failed,
            ),
            url=url_for("main.outbox", state="failed"),
        )
    ]


register_coordination_items("outbox", _failed_emails, order=90)


def _export_messages(user):
    from communaute.coordination.services import export_messages

    return export_messages(user)


def _erase_messages(user):
    from communaute.coordination.services import erase_messages

    erase_messages(user)


register_personal_data(
    "coordination_messages",
    export=_export_messages,
    erase=_erase_messages,
    tables=("coordination_messages", "coordination_message_recipients"),
)


register_coordination_link(
    "people",
    endpoint="coordination.people_search",
    label=_l("People: registrations, sign-ups, attendance"),
    order=5,
)


def _export_alerts(user):
    from communaute.coordination.alerts import PendingAlert

    rows = db.session.scalars(select(PendingAlert).where(PendingAlert.user_id == user.id))
    return {
        "choice": user.coordinator_alerts,
        "waiting_for_digest": [
            {"kind": r.kind, "title": r.title, "created_at": r.created_at.isoformat()} for r in rows
        ],
    }


def _erase_alerts(user):
    from sqlalchemy import delete

    from communaute.coordination.alerts import PendingAlert

    db.session.execute(delete(PendingAlert).where(PendingAlert.user_id == user.id))


register_personal_data(
    "coordination_alerts",
    export=_export_alerts,
    erase=_erase_alerts,
    tables=("coordination_alerts",),
)


def _me_certificates(user) -> dict:
    from communaute.coordination.certificates import certificates_of

    return {"certificates": certificates_of(user)}


def _export_certificates(user):
    from communaute.coordination.certificates import export_certificates

    return export_certificates(user)


def _erase_certificates(user):
    from communaute.coordination.certificates import erase_certificates

    erase_certificates(user)


register_personal_data(
    "certificates",
    export=_export_certificates,
    erase=_erase_certificates,
    tables=("coordination_certificates",),
)
register_me_section(
    "certificates", template="coordination/_me.html", context=_me_certificates, order=40
)


for _table in (
    "coordination_messages",
    "coordination_message_recipients",
    "coordination_certificates",  # /certificates/<code> is never cached
    "coordination_alerts",
    "coordination_failed_notices",
):
    page_topics(_table)
