"""What publications plug into the platform: coordination and demo content."""

from __future__ import annotations

from communaute.cache import page_topics
from communaute.i18n import lazy_gettext as _l
from communaute.registry import register_coordination_link, register_demo_loader


def _load_demo(coordinator, member) -> list[str]:
    from communaute.publications import demo

    return demo.load()


register_coordination_link(
    "publications", endpoint="publications.manage", label=_l("Publications"), order=65
)
register_demo_loader("publications", _load_demo, order=65)


page_topics("publications", lambda p: ("publications",), bulk=("publications",))
