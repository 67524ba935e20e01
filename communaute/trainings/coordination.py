"""What the trainings ask of a coordinator today (lines of /coordination/), in 3 queries."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from communaute.coordination.timing import (
    DAYS_BEHIND,
    nearly_full,
    seats_detail,
    today_window,
)
from communaute.extensions import db
from communaute.i18n import format_local
from communaute.registry import CoordinationItem
from communaute.trainings.models import (
    Registration,
    RegistrationState,
    SessionState,
    TrainingSession,
)
from communaute.trainings.services import state_counts

LIMIT = 100


def _label(session: TrainingSession) -> str:
    return _(
        "Training: %(title)s, %(when)s",
        title=session.course.title,
        when=format_local(session.starts_at, "short"),
    )


def coordination_items(now: datetime) -> list[CoordinationItem]:
    start, end = today_window(now)
    ahead = list(
        db.session.scalars(
            select(TrainingSession)
            .join(TrainingSession.course)
            .where(
                TrainingSession.state != SessionState.cancelled, TrainingSession.ends_at >= start
            )
            .order_by(TrainingSession.starts_at, TrainingSession.id)
            .options(contains_eager(TrainingSession.course))
            .limit(LIMIT)
        )
    )
    counts = state_counts([s.id for s in ahead])
    items = []
    for session in ahead:
        c = counts.get(session.id, {})
        confirmed = c.get(RegistrationState.confirmed, 0)
        waiting = c.get(RegistrationState.waiting, 0)
        url = url_for("trainings.roster", session_id=session.id)
        detail = seats_detail(confirmed, session.capacity, waiting)
        if session.starts_at < end:
            items.append(
                CoordinationItem("upcoming", _label(session), url, detail, session.starts_at)
            )
        if session.starts_at > now and nearly_full(confirmed, session.capacity, waiting):
            items.append(
                CoordinationItem("filling", _label(session), url, detail, session.starts_at)
            )
    # Started sessions whose confirmed people are not all marked yet (attended is None).
    unmarked = (
        select(Registration.session_id, func.count().label("n"))
        .where(Registration.state == RegistrationState.confirmed, Registration.attended.is_(None))
        .group_by(Registration.session_id)
        .subquery()
    )
    for session, n in db.session.execute(
        select(TrainingSession, unmarked.c.n)
        .join(unmarked, unmarked.c.session_id == TrainingSession.id)
        .join(TrainingSession.course)
        .where(
            TrainingSession.state != SessionState.cancelled,
            TrainingSession.starts_at <= now,
            TrainingSession.starts_at >= now - timedelta(days=DAYS_BEHIND),
        )
        .order_by(TrainingSession.starts_at, TrainingSession.id)
        .options(contains_eager(TrainingSession.course))
        .limit(LIMIT)
    ):
        items.append(
            CoordinationItem(
                "attendance",
                _label(session),
                url_for("trainings.roster", session_id=session.id),
                ngettext("%(num)d person to mark", "%(num)d people to mark", n),
                session.starts_at,
            )
        )
    return items
