"""A webinar's card (series, home), every text made in Python: the template only prints
fields. Made from plain rows (``services.CARD_COLUMNS``) and the speakers' names read in
one statement for every card of the page."""

from __future__ import annotations

from typing import NamedTuple

from flask import url_for

from communaute.content import Localized, localized_item, marked_language
from communaute.i18n import current_language, format_local, ngettext
from communaute.i18n import gettext as _
from communaute.webinars import services
from communaute.webinars.models import WebinarStatus, split_tags


class Card(NamedTuple):
    url: str
    title: Localized
    #: date and time · duration (· in English)
    meta: str
    cancelled: bool
    #: "With Marie Tremblay, Luc Gagnon" (empty without speakers)
    speakers: str
    tags: str
    #: the language of the tags when it is not the page's, else ""
    tags_lang: str
    #: linked on past webinars (the series' second list)
    recording_url: str


def cards(rows) -> list[Card]:
    """The cards of ``rows`` (``services.CARD_COLUMNS``), in their order."""
    rows = list(rows)
    names = services.speaker_names(row.id for row in rows)
    lang = current_language()
    in_english, with_ = _("in English"), _("With")
    made = []
    for row in rows:
        meta = " · ".join(
            (
                format_local(row.start_at, "datetime", lang),
                ngettext("%(num)d minute", "%(num)d minutes", row.duration_minutes),
            )
        )
        if row.language != "fr":
            meta += " · " + in_english
        made.append(
            Card(
                url=url_for("webinars.detail", webinar_id=row.id),
                title=localized_item(row, "title", lang),
                meta=meta,
                cancelled=row.status == WebinarStatus.cancelled,
                speakers=f"{with_} {', '.join(names[row.id])}" if row.id in names else "",
                tags=", ".join(split_tags(row.tags)),
                tags_lang=marked_language(row.language, lang),
                recording_url=row.recording_url,
            )
        )
    return made
