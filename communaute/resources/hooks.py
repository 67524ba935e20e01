"""What resources plug into the platform: coordination and demo content (no personal data)."""

from __future__ import annotations

from communaute.cache import page_topics
from communaute.i18n import lazy_gettext as _l
from communaute.registry import register_coordination_link, register_demo_loader


def _load_demo(coordinator, member) -> list[str]:
    from communaute.resources import demo

    return demo.load()


register_coordination_link(
    "resources", endpoint="resources.manage", label=_l("Resources to read and watch"), order=60
)
register_demo_loader("resources", _load_demo, order=60)


page_topics("resources", lambda r: ("resources",), bulk=("resources",))
