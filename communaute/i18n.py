"""Language choice, dates in Montreal time, and the Jinja filters that show them."""

import unicodedata
from datetime import UTC, date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_decimal
from flask import g, has_app_context, has_request_context, request, session
from flask_babel import get_locale, get_translations
from flask_babel.speaklater import LazyString
from flask_login import current_user
from jinja2 import pass_eval_context
from markupsafe import Markup

LANGUAGES = ("fr", "en")
#: Babel locales used for dates and numbers: Québec French and Canadian English.
REGIONAL = {"fr": "fr_CA", "en": "en_CA"}
TIMEZONE = "America/Montreal"
MONTREAL = ZoneInfo(TIMEZONE)

#: How people read a date here: « mardi 24 novembre 2026, 12 h », « 9 h 30 », « lundi
#: 1er décembre » (no line break inside the time: non-breaking spaces). French times are
#: written by french_time(), not by a Babel pattern: "12 h", never "12 h 00" nor "09 h".
FORMATS = {
    "fr": {
        "datetime": "EEEE d MMMM y",
        "date": "EEEE d MMMM y",
        "short": "d MMM y",
        "time": "",
    },
    "en": {
        "datetime": "EEEE, MMMM d, y, h:mm a",
        "date": "EEEE, MMMM d, y",
        "short": "MMM d, y, h:mm a",
        "time": "h:mm a",
    },
}
NBSP = "\u00a0"


def french_time(at: time) -> str:
    """« 9 h », « 12 h 30 »: the hour without a leading zero, the minutes only when there are."""
    hour = f"{at.hour}{NBSP}h"
    return hour if at.minute == 0 else f"{hour}{NBSP}{at.minute:02d}"


def _french_date(day: date, pattern: str) -> str:
    # « 1er décembre »: the first of the month is an ordinal in French.
    if day.day == 1:
        pattern = pattern.replace("d ", "d'er' ", 1)
    return format_date(day, pattern, locale=REGIONAL["fr"])


def select_language() -> str:
    """``?lang=`` wins and sticks in the session; then the member's choice; then French."""
    if not has_request_context():  # the CLI, the outbox thread: French unless forced
        return "fr"
    wanted = request.args.get("lang")
    if wanted in LANGUAGES:
        session["lang"] = wanted
        return wanted
    if session.get("lang") in LANGUAGES:
        return session["lang"]
    if current_user and current_user.is_authenticated:
        return current_user.language
    return "fr"


def locale_selector() -> str:
    return REGIONAL[select_language()]


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale and locale.language in LANGUAGES else "fr"


#: How many formatted dates and numbers each process keeps. What they show depends on the
#: value and the language alone (and, for spans, on this year), so they never go stale:
#: a page of 60 webinars would otherwise format 60 dates with Babel on every visit.
FORMATTED = 4096


#: Each locale's translations, as Flask-Babel loaded them (it keeps them for the life of the
#: process too). Its own lookup reads the request's Babel state three times per message.
_TRANSLATIONS: dict = {}


def translations():
    """The current locale's translations (``force_locale`` included), for the templates'
    ``_()`` and ``ngettext()``, which a page with many cards calls hundreds of times."""
    # Where Flask-Babel keeps the locale once chosen (or forced): one lookup of ``g``
    # instead of get_locale()'s three, which were most of what each message cost.
    known = g.get("_flask_babel") if has_app_context() else None
    locale = getattr(known, "babel_locale", None) if known is not None else None
    if locale is None:
        locale = get_locale()
    # Keyed by the locale's parts: comparing Babel's Locale objects (as a dict key does)
    # costs more than the lookup of the message.
    key = None if locale is None else (locale.language, locale.territory, locale.script)
    found = _TRANSLATIONS.get(key)
    if found is None:
        found = _TRANSLATIONS[key] = get_translations()
    return found


def gettext(string: str, **variables) -> str:
    """Flask-Babel's ``gettext`` through ``translations()``: the same message, one lookup."""
    found = translations().ugettext(string)
    return found % variables if variables else found


def pgettext(context: str, string: str, **variables) -> str:
    found = translations().upgettext(context, string)
    return found % variables if variables else found


def lazy_gettext(string: str, **variables) -> LazyString:
    """Flask-Babel's ``lazy_gettext`` (a label translated when shown), through the lookup
    above: a form or a list of labels shows dozens of them per page."""
    return LazyString(gettext, string, **variables)


def lazy_pgettext(context: str, string: str, **variables) -> LazyString:
    return LazyString(pgettext, context, string, **variables)


def ngettext(singular: str, plural: str, num: int, /, **variables) -> str:
    """Flask-Babel's ``ngettext``: ``num`` picks the form and is ``%(num)`` unless the
    variables give it another look (a ``LocalNumber``)."""
    variables.setdefault("num", num)
    return translations().ungettext(singular, plural, num) % variables


# The templates' messages ----------------------------------------------------------------
# What Jinja's i18n extension installs with ``newstyle=True`` (a translation escaped where
# the template is, its variables put in, ``%`` always formatting), in one call each: the
# extension's ``_`` resolves ``gettext`` from the context and calls it through two more
# layers, which cost more than finding the message (the layout alone shows 15).


def _shown(eval_ctx, found: str, variables: dict):
    if eval_ctx.autoescape:
        found = Markup(found)  # noqa: S704 - our own catalogs, as Jinja does
    return found % variables if variables or "%" in found else found


@pass_eval_context
def template_gettext(eval_ctx, string: str, /, **variables):
    return _shown(eval_ctx, translations().ugettext(string), variables)


@pass_eval_context
def template_ngettext(eval_ctx, singular: str, plural: str, num: int, /, **variables):
    variables.setdefault("num", num)
    return _shown(eval_ctx, translations().ungettext(singular, plural, num), variables)


@pass_eval_context
def template_pgettext(eval_ctx, context: str, string: str, /, **variables):
    return _shown(eval_ctx, translations().upgettext(context, string), variables)


@pass_eval_context
def template_npgettext(
    eval_ctx, context: str, singular: str, plural: str, num: int, /, **variables
):
    variables.setdefault("num", num)
    found = translations().unpgettext(context, singular, plural, num)
    return _shown(eval_ctx, found, variables)


def lazy_ngettext(singular: str, plural: str, num: int, /, **variables) -> LazyString:
    return LazyString(ngettext, singular, plural, num, **variables)


def format_local(value: datetime | None, kind: str = "datetime", lang: str | None = None) -> str:
    """A UTC datetime shown in Montreal time, the way a reader of ``lang`` reads it."""
    if value is None:
        return ""
    return _format_local(value, kind, lang or current_language())


@lru_cache(maxsize=FORMATTED)
def _format_local(value: datetime, kind: str, lang: str) -> str:
    pattern = FORMATS[lang][kind]
    local = value.astimezone(MONTREAL)
    if lang == "fr":
        if kind == "time":
            return french_time(local.time())
        day = _french_date(local.date(), pattern)
        return day if kind == "date" else f"{day}, {french_time(local.time())}"
    if kind == "date":
        return format_date(local.date(), pattern, locale=REGIONAL[lang])
    if kind == "time":
        return format_time(local.time(), pattern, locale=REGIONAL[lang])
    return format_datetime(local.replace(tzinfo=None), pattern, locale=REGIONAL[lang])


class NonexistentLocalTime(ValueError):
    """A time the Montreal clock skips (the night the clocks move forward, in March)."""


def local_to_utc(day: date, at: time) -> datetime:
    """A date and time read on a Montreal clock, as an aware UTC datetime.

    In the hour that happens twice (the night the clocks move back, in November) the first
    one is taken, on daylight time (``fold=0``), explicitly. A time the clock skips raises
    NonexistentLocalTime rather than being moved an hour silently.
    """
    local = datetime.combine(day, at.replace(tzinfo=None, fold=0), tzinfo=MONTREAL)
    utc = local.astimezone(UTC)
    if utc.astimezone(MONTREAL).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise NonexistentLocalTime(local.isoformat())
    return utc


def utc_to_local(value: datetime) -> tuple[date, time]:
    """The date and the time (to the minute) a Montreal clock shows at ``value``."""
    local = value.astimezone(MONTREAL)
    return local.date(), local.time().replace(second=0, microsecond=0, tzinfo=None)


#: Letters that decomposition leaves whole, spelled out as people type them.
_SPELLED = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ı": "i"})


def fold(text: str) -> str:
    """Text as search compares it: accents, case and ligatures ignored ("Expérientiel",
    "EXPERIENTIEL" and "expérientiel" fold alike; "Œuvre" is "oeuvre"), spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold().translate(_SPELLED))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.translate(_SPELLED).split())


def format_count(value: int, lang: str | None = None) -> str:
    """20 000 in French (a space that does not break), 20,000 in English."""
    return _format_count(value, lang or current_language())


@lru_cache(maxsize=FORMATTED)
def _format_count(value: int, lang: str) -> str:
    return format_decimal(value, locale=REGIONAL[lang])


class LocalNumber(int):
    """A number for a message: `%(max)s` shows it as the reader writes it ("20 000"), at the
    moment the message is read, so it can sit in a lazy string made at import time."""

    def __str__(self) -> str:
        return format_count(int(self))


def _clock(local: datetime, lang: str) -> str:
    """ "12 h", "12 h 30" in French; "12 p.m.", "12:30 p.m." in English."""
    if lang == "fr":
        return french_time(local.time())
    pattern = "h a" if local.minute == 0 else "h:mm a"
    return format_time(local.time(), pattern, locale=REGIONAL[lang])


def format_span(
    start: datetime, end: datetime | None, lang: str | None = None, *, now: datetime | None = None
) -> str:
    """When something happens, in words, Montreal time: « mercredi 9 décembre, de 12 h à
    13 h » (the year only when it is not this year's), "Wednesday, December 9, from 12 p.m.
    to 1 p.m."."""
    this_year = (now or datetime.now(UTC)).astimezone(MONTREAL).year
    return _format_span(start, end, lang or current_language(), this_year)


@lru_cache(maxsize=FORMATTED)
def _format_span(start: datetime, end: datetime | None, lang: str, this_year: int) -> str:
    local_start = start.astimezone(MONTREAL)
    if lang == "fr":
        day_pattern = "EEEE d MMMM" if local_start.year == this_year else "EEEE d MMMM y"
    else:
        day_pattern = "EEEE, MMMM d" if local_start.year == this_year else "EEEE, MMMM d, y"
    if lang == "fr":
        day = _french_date(local_start.date(), day_pattern)
    else:
        day = format_date(local_start.date(), day_pattern, locale=REGIONAL[lang])
    if end is None:
        return f"{day}, {_clock(local_start, lang)}"
    local_end = end.astimezone(MONTREAL)
    if local_end.date() != local_start.date():
        return f"{day}, {_clock(local_start, lang)} – {format_local(end, 'datetime', lang)}"
    if lang == "fr":
        return f"{day}, de {_clock(local_start, lang)} à {_clock(local_end, lang)}"
    return f"{day}, from {_clock(local_start, lang)} to {_clock(local_end, lang)}"
