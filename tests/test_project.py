"""The project as a whole: translations complete, migrations match the models."""

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from communaute.extensions import db

ROOT = Path(__file__).resolve().parent.parent
METHODS = [("**.py", "python"), ("**.html", "jinja2"), ("**.txt", "jinja2")]
KEYWORDS = {
    "_": None,
    "_l": None,
    "gettext": None,
    "lazy_gettext": None,
    "ngettext": (1, 2),
    "lazy_ngettext": (1, 2),
}


def french_catalog() -> dict:
    merged = {}
    for po in ROOT.glob("communaute/**/translations/fr/LC_MESSAGES/messages.po"):
        with po.open("rb") as f:
            for message in read_po(f):
                if message.id and "fuzzy" not in message.flags:
                    key = message.id if isinstance(message.id, str) else message.id[0]
                    if message.string and (isinstance(message.string, str) or all(message.string)):
                        merged[key] = message.string
    return merged


def test_every_string_has_a_french_translation():
    catalog = french_catalog()
    missing = set()
    for folder in ("communaute", "templates"):
        for filename, _lineno, message, _comments, _context in extract_from_dir(
            ROOT / folder, METHODS, keywords=KEYWORDS
        ):
            key = message if isinstance(message, str) else message[0]
            value = catalog.get(key)
            if not value or (isinstance(value, tuple) and not all(value)):
                missing.add(f"{folder}/{filename}: {key!r}")
    assert not missing, "untranslated:\n" + "\n".join(sorted(missing))


def test_compiled_catalogs_are_up_to_date():
    for po in ROOT.glob("communaute/**/translations/fr/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        assert mo.exists(), f"{mo} missing: run make translations"
        assert mo.stat().st_mtime >= po.stat().st_mtime - 1, f"{mo} older than its .po"


def test_migrations_match_the_models(app):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_catalogs_agree_on_shared_strings():
    """Flask-Babel merges the catalogs: a string translated two ways would depend on load order.

    Where the French must differ (gender), the code gives a context: pgettext("feminine", ...).
    """
    seen: dict = {}
    clashes = []
    for po in sorted(ROOT.glob("communaute/**/translations/fr/LC_MESSAGES/messages.po")):
        with po.open("rb") as f:
            for message in read_po(f):
                if not message.id or not message.string:
                    continue
                key = (
                    message.context,
                    message.id if isinstance(message.id, str) else message.id[0],
                )
                value = str(message.string)
                if key in seen and seen[key][1] != value:
                    clashes.append(
                        f"{key}: {seen[key][0]} {seen[key][1]!r} / {po.parts[-5]} {value!r}"
                    )
                seen.setdefault(key, (po.parts[-5], value))
    assert not clashes, "\n".join(clashes)


def test_catalogs_agree_on_plural_forms():
    """Flask-Babel merges the catalogs under one plural rule: a catalog made by a newer Babel
    (CLDR gives French three forms) would send every other catalog's ngettext to English."""
    forms = {}
    for po in sorted(ROOT.glob("communaute/**/translations/fr/LC_MESSAGES/messages.po")):
        with po.open("rb") as f:
            forms[str(po.relative_to(ROOT))] = read_po(f).plural_forms
    assert len(set(forms.values())) == 1, forms
