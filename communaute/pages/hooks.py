"""What pages plug into the platform: coordination and demo content."""

from __future__ import annotations

from communaute.cache import SITE, page_topics
from communaute.i18n import lazy_gettext as _l
from communaute.registry import register_coordination_link, register_demo_loader


def _load_demo(coordinator, member) -> list[str]:
    from communaute.pages import demo

    return demo.load()


register_coordination_link(
    "pages", endpoint="pages.manage", label=_l("Pages about the community"), order=75
)
register_demo_loader("pages", _load_demo, order=75)


# The footer of every page lists the pages.
page_topics("site_pages", lambda page: (SITE,), bulk=(SITE,))
