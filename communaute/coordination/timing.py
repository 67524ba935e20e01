"""Spans of time the coordination lines share: "today and the next 7 days", "waiting for"."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask_babel import ngettext

from communaute.i18n import local_to_utc, utc_to_local

#: Today and the next 7 days: the sessions and webinars the home shows.
DAYS_AHEAD = 7
#: Past webinars and sessions still asking for a follow-up or attendance, at most this old.
DAYS_BEHIND = 30


def today_window(now: datetime) -> tuple[datetime, datetime]:
    """From midnight today to midnight after the 7th next day, on a Montreal clock (midnight
    is never skipped nor doubled here: the clocks change at 2 h)."""
    today, _ = utc_to_local(now)
    start = local_to_utc(today, time(0, 0))
    end = local_to_utc(today + timedelta(days=DAYS_AHEAD + 1), time(0, 0))
    return start, end


def waiting_for(since: datetime, now: datetime) -> str:
    """« En attente depuis 3 jours » / « depuis 5 heures »: how long a thing has waited."""
    age = now - since
    days = age.days
    if days >= 1:
        return ngettext("Waiting for %(num)d day", "Waiting for %(num)d days", days)
    hours = max(1, int(age.total_seconds() // 3600))
    return ngettext("Waiting for %(num)d hour", "Waiting for %(num)d hours", hours)


def seats_detail(confirmed: int, capacity: int | None, waiting: int) -> str:
    """« 12 confirmées ou confirmés / 20 places · 3 en attente »."""
    if capacity is None:
        text = ngettext("%(num)d confirmed, no limit", "%(num)d confirmed, no limit", confirmed)
    else:
        text = ngettext(
            "%(num)d confirmed of %(capacity)d places",
            "%(num)d confirmed of %(capacity)d places",
            confirmed,
            capacity=capacity,
        )
    if waiting:
        text += " · " + ngettext("%(num)d waiting", "%(num)d waiting", waiting)
    return text


def nearly_full(confirmed: int, capacity: int | None, waiting: int) -> bool:
    """People waiting, or at least 80 % of the places taken."""
    if waiting:
        return True
    return capacity is not None and capacity > 0 and confirmed * 5 >= capacity * 4
