"""Language choice, dates in Montreal time, and the Jinja filters that show them."""

import unicodedata
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time
from flask import has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

LANGUAGES = ("fr", "en")
#: Babel locales used for dates and numbers: Québec French and Canadian English.
REGIONAL = {"fr": "fr_CA", "en": "en_CA"}
TIMEZONE = "America/Montreal"
MONTREAL = ZoneInfo(TIMEZONE)

#: How people read a date here: « mardi 24 novembre 2026, 12 h 00 » (no line break inside
#: the time: non-breaking spaces).
FORMATS = {
    "fr": {
        "datetime": "EEEE d MMMM y, HH\u00a0'h'\u00a0mm",
        "date": "EEEE d MMMM y",
        "short": "d MMM y, HH\u00a0'h'\u00a0mm",
        "time": "HH\u00a0'h'\u00a0mm",
    },
    "en": {
        "datetime": "EEEE, MMMM d, y, h:mm a",
        "date": "EEEE, MMMM d, y",
        "short": "MMM d, y, h:mm a",
        "time": "h:mm a",
    },
}


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


def format_local(value: datetime | None, kind: str = "datetime", lang: str | None = None) -> str:
    """A UTC datetime shown in Montreal time, the way a reader of ``lang`` reads it."""
    if value is None:
        return ""
    lang = lang or current_language()
    pattern = FORMATS[lang][kind]
    local = value.astimezone(MONTREAL)
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


def _clock(local: datetime, lang: str) -> str:
    """ "12 h", "12 h 30" in French; "12 p.m.", "12:30 p.m." in English."""
    if lang == "fr":
        pattern = "H\u00a0'h'" if local.minute == 0 else "H\u00a0'h'\u00a0mm"
    else:
        pattern = "h a" if local.minute == 0 else "h:mm a"
    return format_time(local.time(), pattern, locale=REGIONAL[lang])


def format_span(
    start: datetime, end: datetime | None, lang: str | None = None, *, now: datetime | None = None
) -> str:
    """When something happens, in words, Montreal time: « mercredi 9 décembre, de 12 h à
    13 h » (the year only when it is not this year's), "Wednesday, December 9, from 12 p.m.
    to 1 p.m."."""
    lang = lang or current_language()
    local_start = start.astimezone(MONTREAL)
    this_year = (now or datetime.now(UTC)).astimezone(MONTREAL).year
    if lang == "fr":
        day_pattern = "EEEE d MMMM" if local_start.year == this_year else "EEEE d MMMM y"
    else:
        day_pattern = "EEEE, MMMM d" if local_start.year == this_year else "EEEE, MMMM d, y"
    day = format_date(local_start.date(), day_pattern, locale=REGIONAL[lang])
    if end is None:
        return f"{day}, {_clock(local_start, lang)}"
    local_end = end.astimezone(MONTREAL)
    if local_end.date() != local_start.date():
        return f"{day}, {_clock(local_start, lang)} – {format_local(end, 'datetime', lang)}"
    if lang == "fr":
        return f"{day}, de {_clock(local_start, lang)} à {_clock(local_end, lang)}"
    return f"{day}, from {_clock(local_start, lang)} to {_clock(local_end, lang)}"
