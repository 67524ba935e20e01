"""A series that repeats: a webinar copied (everything but the people), or made every week.

Each date is read on a Montreal clock (communaute.i18n.local_to_utc): "every Wednesday at
12:00" stays at noon across the change of time in March and in November, so the UTC hour
moves. Every webinar of a series is its own row, editable afterwards like any other.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from communaute.db import utcnow
from communaute.extensions import db
from communaute.i18n import NonexistentLocalTime, format_local, local_to_utc, utc_to_local
from communaute.i18n import lazy_gettext as _l
from communaute.webinars.models import Speaker, Webinar, WebinarStatus
from communaute.webinars.services import WEBINAR_FIELDS, WebinarError, create_webinar

#: A year of weekly webinars at most, in one go.
MAX_WEEKS = 52
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def parse_dates(text: str) -> set[date]:
    """« 2027-01-13, 2027-02-10 » -> dates. Raises WebinarError (field skip_dates)."""
    found = set()
    for part in re.split(r"[\s,;]+", (text or "").strip()):
        if not part:
            continue
        match = _DATE.match(part)
        try:
            if not match:
                raise ValueError(part)
            found.add(date(*(int(g) for g in match.groups())))
        except ValueError:
            raise WebinarError(
                _l("« %(text)s » is not a date: write it as 2027-01-13.", text=part[:20]),
                field="skip_dates",
            ) from None
    return found


def weekly_dates(first: date, weeks: int, skip: set[date]) -> list[date]:
    """The dates of ``weeks`` weeks from ``first``, without the skipped ones. Raises
    WebinarError for a count out of range or a skipped date that is not one of them."""
    if not 1 <= weeks <= MAX_WEEKS:
        raise WebinarError(_l("Between 1 and %(max)d weeks.", max=MAX_WEEKS), field="repeat_weeks")
    dates = [first + timedelta(weeks=k) for k in range(weeks)]
    stray = sorted(skip - set(dates))
    if stray:
        raise WebinarError(
            _l("%(date)s is not one of the dates of the series.", date=stray[0].isoformat()),
            field="skip_dates",
        )
    return [d for d in dates if d not in skip]


def create_series(
    *,
    first: date,
    at: time,
    weeks: int,
    skip: set[date] = frozenset(),
    speakers: list[dict],
    now: datetime | None = None,
    **fields,
) -> list[Webinar]:
    """One webinar a week at ``at`` Montreal time, from ``first``, ``weeks`` times, skipped
    dates left out. Raises WebinarError (a date in the past, an hour the clock skips...)."""
    webinars = []
    for day in weekly_dates(first, weeks, set(skip)):
        try:
            start_at = local_to_utc(day, at)
        except NonexistentLocalTime:
            raise WebinarError(
                _l(
                    "%(time)s does not exist on %(date)s (the clocks move forward): "
                    "choose another time.",
                    time=at.strftime("%H:%M"),
                    date=day.isoformat(),
                ),
                field="start_time",
            ) from None
        webinars.append(create_webinar(start_at=start_at, speakers=speakers, now=now, **fields))
    return webinars


def duplicate_webinar(webinar: Webinar, *, now: datetime | None = None) -> Webinar:
    """A copy of ``webinar`` (text, links, speakers, places), nobody signed up, one week
    after it (or next week at the same hour if that is already past), to edit."""
    now = now or utcnow()
    day, at = utc_to_local(webinar.start_at)
    day += timedelta(weeks=1)
    while local_to_utc(day, at) <= now:
        day += timedelta(weeks=1)
    copy = Webinar(start_at=local_to_utc(day, at), status=WebinarStatus.scheduled)
    for key in WEBINAR_FIELDS:
        if key != "recording_url" and key != "resources":
            setattr(copy, key, getattr(webinar, key))
    for s in webinar.speakers:
        copy.speakers.append(
            Speaker(
                position=s.position, name=s.name, bio=s.bio, is_patient_partner=s.is_patient_partner
            )
        )
    db.session.add(copy)
    db.session.flush()
    return copy


def describe(webinars: list[Webinar]) -> str:
    return ", ".join(format_local(w.start_at, "short") for w in webinars)
