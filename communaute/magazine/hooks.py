"""What the magazine plugs into the platform: personal data, /me, home, coordination, demo."""

from __future__ import annotations

from communaute.cache import page_topics
from communaute.i18n import lazy_gettext as _l
from communaute.magazine import services
from communaute.magazine.cards import cards
from communaute.registry import (
    register_coordination_items,
    register_coordination_link,
    register_demo_loader,
    register_home_block,
    register_me_section,
    register_personal_data,
)


def _me_context(user) -> dict:
    return {"submissions": services.submissions_of(user)}


def _home_block() -> dict:
    latest = services.latest_cards(3)
    return {"template": "magazine/_home.html", "testimonies": cards(latest, themes=False)}


def _load_demo(coordinator, member) -> list[str]:
    from communaute.magazine import demo

    return demo.load(coordinator, member)


register_personal_data(
    "magazine",
    export=services.export_submissions,
    erase=services.erase_submissions,
    tables=(
        "magazine_submissions",
        "magazine_submission_consents",
        "magazine_messages",
        "magazine_state_changes",
        "magazine_text_revisions",
        "magazine_submission_themes",
    ),
)
register_me_section("magazine", template="magazine/_me.html", context=_me_context, order=30)
register_home_block("magazine", _home_block, order=30, topics=("magazine", "people"))
register_coordination_link(
    "magazine", endpoint="magazine.review_queue", label=_l("Magazine: editorial queue"), order=30
)
register_demo_loader("magazine", _load_demo, order=30)


def _coordination_items(now):
    from communaute.magazine.coordination import coordination_items

    return coordination_items(now)


register_coordination_items("magazine", _coordination_items, order=30)


MAGAZINE = ("magazine",)
for _table in (
    "magazine_themes",
    "magazine_editions",
    "magazine_submissions",
    "magazine_submission_consents",
    "magazine_state_changes",
    "magazine_text_revisions",
    "magazine_submission_themes",
):
    page_topics(_table, lambda row: MAGAZINE, bulk=MAGAZINE)
page_topics("magazine_messages")  # the review thread: the author and coordinators only
