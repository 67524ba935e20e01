"""What news plugs into the platform: the home page, coordination, demo, the author's name."""

from __future__ import annotations

from communaute.cache import page_topics
from communaute.i18n import lazy_gettext as _l
from communaute.news import services
from communaute.registry import (
    register_coordination_link,
    register_demo_loader,
    register_home_block,
    register_personal_data,
)


def _home_block() -> dict:
    return {"template": "news/_home.html", "posts": services.latest(3)}


def _load_demo(coordinator, member) -> list[str]:
    from communaute.news import demo

    return demo.load(coordinator)


register_personal_data(
    "news", export=services.export_posts, erase=services.erase_author, tables=("news_posts",)
)
register_home_block("news", _home_block, order=15, topics=("news",))
register_coordination_link("news", endpoint="news.manage", label=_l("News"), order=55)
register_demo_loader("news", _load_demo, order=55)


page_topics("news_posts", lambda post: ("news",), bulk=("news",))
