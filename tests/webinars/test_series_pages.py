"""The series page shows past webinars a page at a time."""

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


def test_a_page_past_the_end_says_so(client):
    make_past(2)
    html = client.get("/webinars/?page=40").get_data(as_text=True)
    assert "Aucun webinaire sur cette page." in html
    assert 'href="/webinars/?page=39"' in html
