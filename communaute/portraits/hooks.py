"""What portraits plug in: personal data, /me, the home page, coordination, demo."""

from __future__ import annotations

from communaute.cache import page_topics
from communaute.forms import ButtonForm
from communaute.i18n import lazy_gettext as _l
from communaute.portraits import services
from communaute.registry import (
    register_coordination_link,
    register_demo_loader,
    register_home_block,
    register_me_section,
    register_personal_data,
)


def _home_block() -> dict:
    return {"template": "portraits/_home.html", "portrait": services.portrait_in_turn()}


def _me_context(user) -> dict:
    return {"portraits": services.portraits_of(user), "button": ButtonForm()}


def _load_demo(coordinator, member) -> list[str]:
    from communaute.portraits import demo

    return demo.load(coordinator)


register_personal_data(
    "portraits",
    export=services.export_portraits,
    erase=services.erase_portraits,
    tables=("portraits", "portrait_consent_moves"),
)
register_home_block("portraits", _home_block, order=25, topics=("portraits",))
register_me_section("portraits", template="portraits/_me.html", context=_me_context, order=60)
register_coordination_link(
    "portraits", endpoint="portraits.manage", label=_l("Portraits"), order=70
)
register_demo_loader("portraits", _load_demo, order=70)


page_topics("portraits", lambda p: ("portraits",), bulk=("portraits",))
page_topics("portrait_consent_moves", lambda m: ("portraits",), bulk=("portraits",))
