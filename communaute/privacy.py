"""What the platform holds about a person, in one place for export, deletion and /me.

Each blueprint registers, at import time, how to export and erase what it stores about a
member, and what it shows in "my space". The account's export and deletion walk these
registries, so a new feature cannot forget them without a failing test
(tests/auth/test_privacy.py checks every registered table is covered).
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


PROVIDERS: dict[str, PersonalDataProvider] = {}
ME_SECTIONS: dict[str, MeSection] = {}


def register_personal_data(
    key: str, *, export: Callable, erase: Callable, tables: tuple[str, ...] = ()
) -> None:
    PROVIDERS[key] = PersonalDataProvider(key, export, erase, tables)


def register_me_section(key: str, *, template: str, context: Callable, order: int = 50) -> None:
    ME_SECTIONS[key] = MeSection(key, template, context, order)


def me_sections() -> list[MeSection]:
    return sorted(ME_SECTIONS.values(), key=lambda s: (s.order, s.key))
