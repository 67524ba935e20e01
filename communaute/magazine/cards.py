"""A published text's card (magazine, home), every text made in Python: the template only
prints fields. Made from plain rows (``services.CARD_COLUMNS``), with the themes of every
card of the page read in one statement."""

from __future__ import annotations

from typing import NamedTuple

from flask import url_for

from communaute.content import marked_language
from communaute.i18n import current_language, format_local
from communaute.i18n import gettext as _
from communaute.magazine import services
from communaute.magazine.models import FORM_LABELS


class Card(NamedTuple):
    url: str
    title: str
    #: the text's language when it is not the page's, else ""
    lang: str
    #: the signature the author chose, or "Anonymous"
    signature: str
    form: str
    published: str
    #: the edition's label ("" outside an edition)
    edition: str
    themes: list[str]


def cards(rows, *, editions: dict[int, str] | None = None, themes: bool = True) -> list[Card]:
    """The cards of ``rows`` in their order. ``editions``: id -> label, read once by the
    page; ``themes``: read the themes (the home shows none)."""
    rows = list(rows)
    names = services.theme_names(row.id for row in rows) if themes else {}
    editions = editions or {}
    page_lang = current_language()
    anonymous = _("Anonymous")
    forms = {key: str(label) for key, label in FORM_LABELS.items()}
    return [
        Card(
            url=url_for("magazine.testimony", submission_id=row.id),
            title=row.title,
            lang=marked_language(row.language, page_lang),
            signature=row.signature or anonymous,
            form=forms[row.form],
            published=format_local(row.published_at, "date", page_lang),
            edition=editions.get(row.edition_id, "") if row.edition_id else "",
            themes=names.get(row.id, []),
        )
        for row in rows
    ]
