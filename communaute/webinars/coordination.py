"""What the webinars ask of a coordinator today (lines of /coordination/), in 3 queries."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from communaute.coordination.timing import (
    DAYS_BEHIND,
    nearly_full,
    seats_detail,
    today_window,
)
from communaute.extensions import db
from communaute.i18n import format_local
from communaute.registry import CoordinationItem
from communaute.webinars.models import Webinar, WebinarStatus
from communaute.webinars.services import attendance_counts_of

#: At most this many webinars are looked at on each side of now (a year of weekly ones).
LIMIT = 100


def coordination_items(now: datetime) -> list[CoordinationItem]:
    start, end = today_window(now)
    scheduled = Webinar.status == WebinarStatus.scheduled
    ahead = list(
        db.session.scalars(
            select(Webinar)
            .where(scheduled, Webinar.start_at >= start)
            .order_by(Webinar.start_at, Webinar.id)
            .limit(LIMIT)
        )
    )
    behind = list(
        db.session.scalars(
            select(Webinar)
            .where(
                scheduled,
                Webinar.start_at < now,
                Webinar.start_at >= now - timedelta(days=DAYS_BEHIND),
                (Webinar.follow_up_sent_at.is_(None) | Webinar.attendance_recorded_at.is_(None)),
            )
            .order_by(Webinar.start_at, Webinar.id)
            .limit(LIMIT)
        )
    )
    counts = attendance_counts_of({w.id for w in ahead + behind})
    items = []
    for webinar in ahead:
        c = counts[webinar.id]
        confirmed, waiting = c["active"] - c["waiting"], c["waiting"]
        label = _(
            "Webinar: %(title)s, %(when)s",
            title=webinar.title,
            when=format_local(webinar.start_at, "short"),
        )
        url = url_for("webinars.attendance", webinar_id=webinar.id)
        detail = seats_detail(confirmed, webinar.capacity, waiting)
        if webinar.start_at < end:
            items.append(CoordinationItem("upcoming", label, url, detail, webinar.start_at))
        if webinar.start_at > now and nearly_full(confirmed, webinar.capacity, waiting):
            items.append(CoordinationItem("filling", label, url, detail, webinar.start_at))
    for webinar in behind:
        if not webinar.is_past(now):
            continue
        label = _(
            "Webinar: %(title)s, %(when)s",
            title=webinar.title,
            when=format_local(webinar.start_at, "short"),
        )
        url = url_for("webinars.attendance", webinar_id=webinar.id)
        active = counts[webinar.id]["active"]
        if not active:
            continue
        if webinar.attendance_recorded_at is None:
            detail = ngettext("%(num)d person to mark", "%(num)d people to mark", active)
            items.append(CoordinationItem("attendance", label, url, detail, webinar.start_at))
        if webinar.follow_up_sent_at is None:
            detail = (
                _("Thank-you and missed-you emails not sent")
                if webinar.recording_url
                else _("Add the recording link, then send the follow-up emails")
            )
            items.append(CoordinationItem("follow_up", label, url, detail, webinar.start_at))
    return items
