"""What requests plug into the platform: personal data, the home page, coordination."""

from __future__ import annotations

from communaute.cache import page_topics
from communaute.i18n import lazy_gettext as _l
from communaute.registry import (
    register_coordination_items,
    register_coordination_link,
    register_home_block,
    register_personal_data,
)
from communaute.requests import services


def _home_block() -> dict:
    return {"template": "requests/_home.html"}


register_personal_data(
    "requests",
    export=services.export_requests,
    erase=services.erase_requests,
    tables=(
        "collaboration_requests",
        "collaboration_request_messages",
        "collaboration_request_notes",
    ),
)
register_home_block("requests", _home_block, order=90, topics=())  # an invitation, no rows
register_coordination_link(
    "requests", endpoint="requests.queue", label=_l("Collaboration requests"), order=40
)


def _coordination_items(now):
    from communaute.requests.coordination import coordination_items

    return coordination_items(now)


register_coordination_items("requests", _coordination_items, order=40)


for _table in (
    "collaboration_requests",
    "collaboration_request_messages",
    "collaboration_request_notes",
):
    page_topics(_table)  # between the requester and coordinators only
