"""Every trainings string has a French translation; English pages stay English."""

from pathlib import Path

from babel.messages.pofile import read_po

from tests.trainings.conftest import make_course, make_session

PO = (
    Path(__file__).resolve().parents[2]
    / "communaute/trainings/translations/fr/LC_MESSAGES/messages.po"
)


def test_every_string_is_translated():
    with PO.open("rb") as f:
        catalog = read_po(f)
    untranslated = [
        m.id
        for m in catalog
        if m.id and (not all(m.string) if isinstance(m.string, tuple) else not m.string)
    ]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not untranslated and not fuzzy


def test_pages_in_english(client):
    session = make_session(make_course(title="Basics"), capacity=4)
    html = client.get("/trainings/?lang=en").get_data(as_text=True)
    assert "1 training found" in html and "4 places left" in html
    html = client.get(f"/trainings/{session.course.slug}").get_data(as_text=True)
    assert "Upcoming sessions" in html
