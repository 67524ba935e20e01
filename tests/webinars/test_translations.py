from pathlib import Path

from babel.messages.pofile import read_po

PO = (
    Path(__file__).resolve().parents[2]
    / "communaute/webinars/translations/fr/LC_MESSAGES/messages.po"
)


def test_every_webinar_string_has_a_french_translation():
    catalog = read_po(PO.open("rb"))
    missing = [
        m.id
        for m in catalog
        if m.id
        and ("fuzzy" in m.flags or not (m.string if isinstance(m.string, str) else all(m.string)))
    ]
    assert not missing
