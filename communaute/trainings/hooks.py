"""How trainings plug into the platform: personal data, /me, home page, coordination, demo."""

from communaute.cache import page_topics
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
from communaute.trainings import emails, services
from communaute.trainings.demo import load_demo_trainings


def _me_context(user) -> dict:
    return services.member_registrations(user)


def _calendar_events(user, language: str) -> list:
    """My sessions for my feed: the cancelled ones (mine or the session) marked so."""
    return [
        (
            emails.calendar_event(
                reg.session, language=language, with_link=reg.state.value == "confirmed"
            ),
            reg.state.value == "cancelled" or reg.session.state.value == "cancelled",
        )
        for reg in services.feed_registrations(user)
    ]


def _home_block() -> dict:
    return {"template": "trainings/_home.html", "sessions": services.upcoming_sessions(3)}


register_calendar_source("trainings", _calendar_events, order=10)
register_periodic_job("trainings.reminders", services.send_reminders, order=10)
register_personal_data(
    "trainings",
    export=services.export_member,
    erase=services.erase_member,
    tables=("training_registrations", "training_registration_moves"),
)
register_me_section("trainings", template="trainings/_me.html", context=_me_context, order=10)
register_home_block("trainings", _home_block, order=20, topics=("trainings",))
register_coordination_link(
    "trainings",
    endpoint="trainings.manage",
    label=_l("Trainings: courses, sessions and registrants"),
    order=10,
)
register_demo_loader("trainings", load_demo_trainings, order=10)


def _coordination_items(now):
    from communaute.trainings.coordination import coordination_items

    return coordination_items(now)


register_coordination_items("trainings", _coordination_items, order=10)


COURSES = ("trainings", "course:*")
page_topics("training_courses", lambda c: ("trainings", f"course:{c.id}"), bulk=COURSES)
page_topics("training_sessions", lambda s: ("trainings", f"course:{s.course_id}"), bulk=COURSES)
page_topics(
    "training_registrations", lambda r: ("trainings", f"course:{r.course_id}"), bulk=COURSES
)
page_topics(
    "training_activity_steps", lambda s: ("trainings", f"course:{s.course_id}"), bulk=COURSES
)
# A member's own progress and history show to that member only (never cached).
page_topics("training_registration_moves")
page_topics("training_step_progress")
page_topics("training_activity_completions")
