"""Every magazine string has a French translation (no empty or fuzzy entry)."""

from pathlib import Path

from babel.messages.pofile import read_po

PO = (
    Path(__file__).resolve().parents[2]
    / "communaute/magazine/translations/fr/LC_MESSAGES/messages.po"
)


def test_every_string_is_translated():
    with PO.open("rb") as f:
        catalog = read_po(f)
    missing = [
        m.id
        for m in catalog
        if m.id and (not (all(m.string) if isinstance(m.string, tuple) else m.string) or m.fuzzy)
    ]
    assert not missing
    assert len(catalog) > 200
