"""What the webinars add to the shared registries: /me, export and erase, home, demo."""

from flask import render_template

from communaute.cache import page_hole, page_topics
from communaute.extensions import db
from communaute.i18n import lazy_gettext as _l
from communaute.registry import (
    register_calendar_source,
    register_coordination_items,
    register_coordination_link,
    register_demo_loader,
    register_home_block,
    register_me_section,
    register_periodic_job,
    register_personal_data,
)
from communaute.webinars import emails, services
from communaute.webinars.cards import cards
from communaute.webinars.demo import load_demo_webinars
from communaute.webinars.models import Webinar


def _me_context(user) -> dict:
    signups = services.signups_of(user)
    return {
        "signups": signups,
        "positions": services.waiting_positions(signups),
        "cancel_tokens": {s.id: services.make_cancel_token(s) for s in signups},
    }


def _home_block() -> dict:
    return {
        "template": "webinars/_home.html",
        "webinars": cards(services.upcoming_webinars(limit=3)),
    }


def _calendar_events(user, language: str) -> list:
    """My sign-ups for my feed: the cancelled ones (mine or the webinar) marked so."""
    return [
        (
            emails.calendar_event(s.webinar, s, language=language),
            s.state.value == "cancelled" or s.webinar.is_cancelled,
        )
        for s in services.signups_of(user)
        if s.webinar.start_at >= services.utcnow() - services.FEED_PAST
    ]


register_calendar_source("webinars", _calendar_events, order=20)
register_periodic_job("webinars.reminders", services.send_reminders, order=20)
register_personal_data(
    "webinars",
    export=services.export_signups,
    erase=services.erase_signups,
    tables=("webinar_signups", "webinar_signup_moves"),
)
register_me_section("webinars", template="webinars/_me.html", context=_me_context, order=20)
register_home_block("webinars", _home_block, order=21, topics=("webinars",))
register_coordination_link(
    "webinars",
    endpoint="webinars.manage",
    label=_l("Webinars: series, sign-ups, attendance"),
    order=20,
)
register_demo_loader("webinars", load_demo_webinars, order=20)


def _coordination_items(now):
    from communaute.webinars.coordination import coordination_items

    return coordination_items(now)


register_coordination_items("webinars", _coordination_items, order=20)


page_topics("webinars", lambda w: ("webinars", f"webinar:{w.id}"), bulk=("webinars", "webinar:*"))
page_topics(
    "webinar_speakers",
    lambda s: ("webinars", f"webinar:{s.webinar_id}"),
    bulk=("webinars", "webinar:*"),
)
# A sign-up shows on its webinar's page only, in the seats line, a hole of the cached page:
# a sign-up renders that line again, not the page. The cards of the series and of the home
# show no seats (tests/main/test_page_topics.py renders them to check).
page_topics(
    "webinar_signups", lambda s: (f"webinar-seats:{s.webinar_id}",), bulk=("webinar-seats:*",)
)


def _seats_line(webinar_id: int) -> str:
    webinar = db.session.get(Webinar, webinar_id)
    left = services.seats_left(webinar) if webinar is not None else None
    return render_template("webinars/_seats_left.html", seats_left=left)


# The line shows the capacity (the webinar's row) and the sign-ups.
page_hole(
    "webinar_seats",
    lambda webinar_id: (f"webinar:{webinar_id}", f"webinar-seats:{webinar_id}"),
    _seats_line,
)
page_topics("webinar_signup_moves")  # the history of a sign-up: coordinators only
