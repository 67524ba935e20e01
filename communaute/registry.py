"""What the feature blueprints plug into the platform, in one room.

Each blueprint's ``hooks.py`` registers, at import time:
- how to export and erase what it stores about a person (``register_personal_data``); the
  account's export and deletion walk these, so a new feature cannot forget them without a
  failing test (tests/auth/test_privacy.py checks every table is covered);
- its section of "my space" (``register_me_section``), its home page block
  (``register_home_block``), its coordinator tools (``register_coordination_link``), what
  it asks of a coordinator today (``register_coordination_items``, the lines of
  /coordination/) and its demo content (``register_demo_loader``).

Everything is keyed: registering the same key twice replaces the entry, so importing a hooks
module again (a second app in one process, tests) never doubles a block or a demo loader.
Nothing here imports a blueprint: the core never depends on a feature.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PersonalDataProvider:
    key: str
    #: export(user) -> JSON-serialisable data
    export: Callable[[Any], Any]
    #: erase(user) -> None; runs inside the deletion's transaction, before the user row goes
    erase: Callable[[Any], None]
    #: Tables whose rows this provider exports and erases (checked by a test).
    tables: tuple[str, ...] = ()


@dataclass(frozen=True)
class MeSection:
    key: str
    template: str
    #: context(user) -> dict given to the template
    context: Callable[[Any], dict]
    order: int = 50


@dataclass(frozen=True)
class HomeBlock:
    key: str
    #: context() -> dict with at least "template" (included with the dict as ``block``)
    context: Callable[[], dict]
    order: int = 50
    #: What the block shows, for the page cache (communaute/cache.py): "webinars"...
    #: None: anything (the home then renders again after every write).
    topics: tuple[str, ...] | None = None


@dataclass(frozen=True)
class CoordinationLink:
    key: str
    endpoint: str
    label: Any
    order: int = 50


@dataclass(frozen=True)
class CoordinationItem:
    """One line of the coordination home: what needs a person, linked to where it is done.

    ``group`` is one of the home's sections (communaute/coordination/views.py GROUPS:
    "texts", "replies", "requests", "upcoming", "filling", "follow_up", "attendance", "emails")."""

    group: str
    label: str
    url: str
    #: A second line: counts, how long it has waited.
    detail: str = ""
    #: Sorts the lines of a section (the oldest or the soonest first).
    sort_key: Any = None


@dataclass(frozen=True)
class CoordinationItems:
    key: str
    #: items(now) -> list[CoordinationItem], in a fixed number of queries (a test counts them).
    items: Callable[[Any], list[CoordinationItem]]
    order: int = 50


@dataclass(frozen=True)
class DemoLoader:
    key: str
    #: load(coordinator, member) -> lines to print
    load: Callable[[Any, Any], list[str]]
    order: int = 50


@dataclass(frozen=True)
class CalendarSource:
    key: str
    #: events(user, language) -> [(calendar.CalendarEvent, cancelled)] for the user's feed
    events: Callable[[Any, str], list]
    order: int = 50


@dataclass(frozen=True)
class PeriodicJob:
    key: str
    #: run() -> how many things it did; flushes, the caller commits (reminders)
    run: Callable[[], int]
    order: int = 50


CALENDAR_SOURCES: dict[str, CalendarSource] = {}
PERIODIC_JOBS: dict[str, PeriodicJob] = {}
PROVIDERS: dict[str, PersonalDataProvider] = {}
ME_SECTIONS: dict[str, MeSection] = {}
HOME_BLOCKS: dict[str, HomeBlock] = {}
COORDINATION_LINKS: dict[str, CoordinationLink] = {}
COORDINATION_ITEMS: dict[str, CoordinationItems] = {}
DEMO_LOADERS: dict[str, DemoLoader] = {}


def register_personal_data(
    key: str, *, export: Callable, erase: Callable, tables: tuple[str, ...] = ()
) -> None:
    PROVIDERS[key] = PersonalDataProvider(key, export, erase, tables)


def register_me_section(key: str, *, template: str, context: Callable, order: int = 50) -> None:
    ME_SECTIONS[key] = MeSection(key, template, context, order)


def register_home_block(
    key: str, context: Callable[[], dict], *, order: int = 50, topics: tuple[str, ...] | None = None
) -> None:
    HOME_BLOCKS[key] = HomeBlock(key, context, order, topics)


def register_coordination_link(key: str, *, endpoint: str, label, order: int = 50) -> None:
    COORDINATION_LINKS[key] = CoordinationLink(key, endpoint, label, order)


def register_coordination_items(key: str, items: Callable, *, order: int = 50) -> None:
    COORDINATION_ITEMS[key] = CoordinationItems(key, items, order)


def register_demo_loader(key: str, load: Callable, *, order: int = 50) -> None:
    DEMO_LOADERS[key] = DemoLoader(key, load, order)


def register_calendar_source(key: str, events: Callable, *, order: int = 50) -> None:
    """What a blueprint puts in a member's calendar feed (/calendar/<token>.ics)."""
    CALENDAR_SOURCES[key] = CalendarSource(key, events, order)


def calendar_sources() -> list[CalendarSource]:
    return _ordered(CALENDAR_SOURCES)


def register_periodic_job(key: str, run: Callable[[], int], *, order: int = 50) -> None:
    """Work the delivery process does by itself every REMINDERS_INTERVAL seconds (the due
    reminders); ``run`` must be safe to run in two processes at once (claim first)."""
    PERIODIC_JOBS[key] = PeriodicJob(key, run, order)


def periodic_jobs() -> list[PeriodicJob]:
    return _ordered(PERIODIC_JOBS)


def _ordered(registry: dict) -> list:
    return sorted(registry.values(), key=lambda entry: (entry.order, entry.key))


def personal_data_providers() -> list[PersonalDataProvider]:
    return sorted(PROVIDERS.values(), key=lambda p: p.key)


def me_sections() -> list[MeSection]:
    return _ordered(ME_SECTIONS)


def home_blocks() -> list[HomeBlock]:
    return _ordered(HOME_BLOCKS)


def coordination_links() -> list[CoordinationLink]:
    return _ordered(COORDINATION_LINKS)


def coordination_item_providers() -> list[CoordinationItems]:
    return _ordered(COORDINATION_ITEMS)


def demo_loaders() -> list[DemoLoader]:
    return _ordered(DEMO_LOADERS)
