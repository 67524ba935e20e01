"""What collaboration requests ask of a coordinator today (a line of /coordination/), in 1 query.

One line while requests are new (nobody took them up yet): how many, and how long the oldest
has waited; it leads to the queue showing the new ones.
"""

from __future__ import annotations

from datetime import datetime

from flask import url_for
from flask_babel import ngettext
from sqlalchemy import func, select

from communaute.coordination.timing import waiting_for
from communaute.extensions import db
from communaute.registry import CoordinationItem
from communaute.requests.models import CollaborationRequest, RequestState


def coordination_items(now: datetime) -> list[CoordinationItem]:
    count, oldest = db.session.execute(
        select(func.count(), func.min(CollaborationRequest.created_at)).where(
            CollaborationRequest.state == RequestState.new
        )
    ).one()
    if not count:
        return []
    return [
        CoordinationItem(
            "requests",
            ngettext(
                "%(num)d new collaboration request", "%(num)d new collaboration requests", count
            ),
            url_for("requests.queue", state=RequestState.new.value),
            waiting_for(oldest, now),
            oldest,
        )
    ]
