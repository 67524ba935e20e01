"""The series page shows past webinars a page at a time."""

from communaute.extensions import db
from communaute.webinars.models import Speaker, WebinarStatus
from tests.webinars.conftest import make_webinar


def make_past(n):
    return [make_webinar(days=-(i + 1), title=f"Passé numéro {i + 1:02d}") for i in range(n)]


def test_past_webinars_come_twelve_at_a_time_newest_first(client):
    make_past(15)
    make_webinar(days=3, title="Bientôt à venir")
    first = client.get("/webinars/").get_data(as_text=True)
    assert "Bientôt à venir" in first
    assert first.count("Passé numéro") == 12
    assert first.index("Passé numéro 01") < first.index("Passé numéro 12")
    assert "Passé numéro 13" not in first
    assert 'href="/webinars/?page=2"' in first and "Enregistrements plus anciens" in first
    second = client.get("/webinars/?page=2").get_data(as_text=True)
    assert second.count("Passé numéro") == 3
    assert "Passé numéro 15" in second
    assert "Bientôt à venir" not in second, "upcoming ones are on the first page"
    assert 'href="/webinars/?page=1"' in second and "plus anciens" not in second


def test_tampered_page_numbers_fall_back_to_the_first_page(client):
    make_past(2)
    for bad in ("abc", "-3", "0", "99999999999999999999", "1e3"):
        response = client.get(f"/webinars/?page={bad}")
        assert response.status_code == 200, bad
        assert response.get_data(as_text=True).count("Passé numéro") == 2, bad


def test_a_page_past_the_end_says_so_and_leads_back_to_the_last_page(client):
    make_past(14)
    html = client.get("/webinars/?page=40").get_data(as_text=True)
    assert "Aucun webinaire sur cette page." in html
    assert "Passé numéro" not in html
    # An old link or a tampered number: one step back reaches the last page (2), not 39.
    assert '<a href="/webinars/?page=2" rel="prev">' in html
    assert 'rel="next"' not in html


def test_each_card_says_when_who_and_where_the_recording_is(client):

    past = make_webinar(days=-2, title="Vivre avec la douleur", tags="douleur, , proches ")
    past.recording_url = "https://video.example/douleur"
    past.speakers = [Speaker(name="Marie Tremblay", position=1), Speaker(name="Luc Gagnon")]
    soon = make_webinar(days=5, title="Parler à son médecin", language="en")
    soon.recording_url = "https://video.example/pas-encore"
    cancelled = make_webinar(days=6, title="Reporté à plus tard")
    cancelled.status = WebinarStatus.cancelled
    db.session.commit()
    html = client.get("/webinars/").get_data(as_text=True)
    card = html[html.index("Vivre avec la douleur") :]
    card = card[: card.index("</li>")]
    # Speakers in their order (position), empty tags dropped, the recording linked.
    assert "<p>Avec Luc Gagnon, Marie Tremblay</p>" in card
    assert '<p class="meta">douleur, proches</p>' in card
    assert '<a href="https://video.example/douleur">Voir l’enregistrement' in card
    upcoming = html[html.index("Parler à son médecin") :]
    upcoming = upcoming[: upcoming.index("</li>")]
    assert "minutes · en anglais</p>" in upcoming
    assert "pas-encore" not in upcoming, "a webinar to come has no recording to watch"
    later = html[html.index("Reporté à plus tard") :]
    assert '<span class="badge badge-err">Annulé</span>' in later[: later.index("</li>")]
