"""Content that coordinators write: in two languages, and in Markdown.

``localized(obj, "title")``: every title and description of the site's content has a French
column (``title``) and an optional English one (``title_en``). A visitor reads their language
when it exists, otherwise the French, which the page marks ``lang="fr"`` with the short note
"Contenu offert en français" (the macro ``_macros/content.html``).

``render_markdown(text)``: Markdown (markdown-it-py, CommonMark, no raw HTML) made safe by nh3:
``<script>``, ``javascript:`` links and event attributes never reach the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import nh3
from babel.dates import format_date
from markdown_it import MarkdownIt
from markupsafe import Markup

from communaute.i18n import FORMATTED, LANGUAGES, REGIONAL, current_language

#: The language coordinators always write in; the other is optional.
SOURCE_LANGUAGE = "fr"


def marked_language(language: str, page_language: str | None = None) -> str:
    """The language to mark (``lang="..."``) on what someone wrote in ``language``, on a page
    in ``page_language``: "" when it is the page's own (or not one of the site's)."""
    if language in LANGUAGES and language != (page_language or current_language()):
        return language
    return ""


@dataclass(frozen=True)
class Localized:
    text: str
    #: the language the text is in ("fr" or "en")
    lang: str
    #: True when the visitor asked for another language and reads the French instead
    fallback: bool

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return bool(self.text)


def localized(obj, field: str, language: str | None = None) -> Localized:
    """``obj.<field>_en`` for an English reader when it is filled, else ``obj.<field>``."""
    language = language or current_language()
    source = getattr(obj, field) or ""
    if language != SOURCE_LANGUAGE:
        other = getattr(obj, f"{field}_{language}", None)
        if other:
            return Localized(other, language, False)
        return Localized(source, SOURCE_LANGUAGE, bool(source))
    return Localized(source, SOURCE_LANGUAGE, False)


def localized_item(obj, field: str, language: str | None = None) -> Localized:
    """``localized`` for content with a single ``language`` (courses, webinars).

    Their French columns hold the text in the language the course or webinar is given in
    (an English course has its title in ``title``): without an English value for the reader,
    the text is marked in that language, as ``content_lang``/``offered_in`` mark it, and
    ``fallback`` says the reader reads another language than theirs."""
    language = language or current_language()
    value = localized(obj, field, language)
    written_in = getattr(obj, "language", SOURCE_LANGUAGE)
    if value.lang != SOURCE_LANGUAGE or written_in not in LANGUAGES:
        return value
    return Localized(value.text, written_in, bool(value.text) and written_in != language)


def localized_text(obj, field: str, language: str | None = None) -> str:
    """The text only (emails, calendar files, page titles)."""
    return localized(obj, field, language).text


_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

#: What Markdown produces and nothing else; no attribute that runs code.
ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}


def render_markdown(text: str | None, first_heading: int = 2) -> Markup:
    """Safe HTML from Markdown. Headings start at ``first_heading`` (the page has its own h1:
    a higher heading is lowered to it); links keep only http, https and mailto (and relative
    links), and get rel="noopener noreferrer nofollow"."""
    if not text:
        return Markup("")
    html = _markdown.render(text)
    html = re.sub(r"<(/?)h([1-6])>", lambda m: f"<{m[1]}h{max(int(m[2]), first_heading)}>", html)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return Markup(clean)  # noqa: S704 - sanitised by nh3 just above


#: A day as people write it here: « 27 août 2025 », "August 27, 2025".
DAY_FORMATS = {"fr": "d MMMM y", "en": "MMMM d, y"}


def format_day(value: date | None, lang: str | None = None) -> str:
    """A calendar day (a ``date``, no time zone to convert) in the reader's language."""
    if value is None:
        return ""
    return _format_day(value, lang or current_language())


@lru_cache(maxsize=FORMATTED)
def _format_day(value: date, lang: str) -> str:
    return format_date(value, DAY_FORMATS[lang], locale=REGIONAL[lang])
