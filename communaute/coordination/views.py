"""The coordination home: every line a thing that needs a person, linked to where it is done."""

from __future__ import annotations

from flask import render_template, url_for
from flask_babel import lazy_gettext as _l

from communaute.auth.access import coordinator_required
from communaute.coordination import bp
from communaute.db import utcnow
from communaute.registry import coordination_item_providers, coordination_links

#: The sections of the home, in the order they are read: what waits for an answer first.
GROUPS = {
    "texts": _l("Texts waiting for the team"),
    "replies": _l("Authors’ replies and approvals not answered"),
    "emails": _l("Emails that failed"),
    "filling": _l("Nearly full, or people waiting"),
    "upcoming": _l("Today and the next 7 days"),
    "follow_up": _l("Follow-up emails not sent"),
    "attendance": _l("Attendance not taken"),
}


def gather(now) -> list[dict]:
    """The home's sections that have lines: [{"key", "title", "items"}], in GROUPS order."""
    found: dict[str, list] = {key: [] for key in GROUPS}
    for provider in coordination_item_providers():
        for item in provider.items(now):
            found.setdefault(item.group, []).append(item)
    return [
        {
            "key": key,
            "title": GROUPS.get(key, key),
            "items": sorted(items, key=lambda i: (i.sort_key is None, i.sort_key or 0)),
        }
        for key, items in found.items()
        if items
    ]


@bp.route("/")
@coordinator_required
def home():
    now = utcnow()
    links = [{"url": url_for(link.endpoint), "label": link.label} for link in coordination_links()]
    return render_template("coordination/home.html", sections=gather(now), coordination_links=links)
