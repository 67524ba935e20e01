"""My calendar feed: my registrations and sign-ups at a secret address a calendar app
subscribes to (Google, Outlook, Apple Calendar), shown on the profile, revocable there.

The events come from every blueprint that registered a calendar source
(``communaute.registry.register_calendar_source``); the file is ``calendar.build_ics``'s.
The address holds a random token (no login: calendar apps cannot log in); a new token makes
the old address stop working at once, and turning the feed off removes it.
"""

from __future__ import annotations

import re
import secrets

from flask import Response, abort, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from communaute import calendar
from communaute.auth.models import User
from communaute.email import public_url
from communaute.extensions import db, limiter
from communaute.forms import ButtonForm
from communaute.main import bp
from communaute.registry import calendar_sources, register_personal_data
from communaute.web import require_button, unit_of_work

TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


def new_calendar_token(user: User) -> str:
    """Gives ``user`` a new feed address (the old one, if any, stops working)."""
    user.calendar_token = secrets.token_urlsafe(32)
    db.session.flush()
    return user.calendar_token


def turn_off_calendar_feed(user: User) -> None:
    user.calendar_token = None
    db.session.flush()


def user_for_calendar_token(token: str) -> User | None:
    if not TOKEN.fullmatch(token or ""):
        return None
    return db.session.scalar(select(User).where(User.calendar_token == token))


def feed_url(user: User) -> str | None:
    if not user.calendar_token:
        return None
    return public_url("main.calendar_feed", token=user.calendar_token)


def feed_ics(user: User) -> bytes:
    # One event per UID: an active one wins over a cancelled one (a member's sign-up and
    # an earlier guest sign-up with the same address, say).
    by_uid: dict[str, tuple] = {}
    for source in calendar_sources():
        for event, cancelled in source.events(user, user.language):
            kept = by_uid.get(event.uid)
            if kept is None or (kept[1] and not cancelled):
                by_uid[event.uid] = (event, cancelled)
    events = sorted(by_uid.values(), key=lambda pair: pair[0].start)
    return calendar.build_ics(events=events, name=_("My calendar, Expériences"))


@bp.app_context_processor
def _helpers() -> dict:
    return {"calendar_feed_address": feed_url}


@bp.route("/calendar/<token>.ics")
@limiter.limit("120 per hour")
def calendar_feed(token):
    user = user_for_calendar_token(token)
    if user is None:
        abort(404)
    from flask_babel import force_locale

    from communaute.i18n import REGIONAL

    with force_locale(REGIONAL.get(user.language, "fr_CA")):
        body = feed_ics(user)
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex"},
    )


@bp.route("/calendar/new", methods=["POST"])
@login_required
def calendar_feed_new():
    require_button(ButtonForm())
    with unit_of_work() as work:
        new_calendar_token(db.session.get(User, current_user.id))
        work.flash(
            _("Your calendar address is ready. Any address you gave before no longer works.")
        )
    return redirect(url_for("auth.profile", _anchor="calendar-title"))


@bp.route("/calendar/off", methods=["POST"])
@login_required
def calendar_feed_off():
    require_button(ButtonForm())
    with unit_of_work() as work:
        turn_off_calendar_feed(db.session.get(User, current_user.id))
        work.flash(_("Your calendar address is turned off: it no longer works."))
    return redirect(url_for("auth.profile", _anchor="calendar-title"))


def _export(user: User) -> dict:
    return {"active": user.calendar_token is not None, "address": feed_url(user)}


register_personal_data("calendar_feed", export=_export, erase=turn_off_calendar_feed, tables=())
