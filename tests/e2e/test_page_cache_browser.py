"""The page cache of the embedded default (versions in the database), seen from browsers:
a cached page's form works for each person, and a sign-up shows at once to the next one."""

import pytest

from communaute.extensions import db
from communaute.webinars.models import Signup
from tests.webinars.conftest import make_webinar


@pytest.fixture
def app_config():
    return {"PAGE_CACHE_STORE": "database"}


def test_two_people_on_a_cached_webinar_page(live_server, browser, mailbox):
    with live_server.app.app_context():
        webinar_id = make_webinar(capacity=3, title="Le partenariat patient en recherche").id
    url = f"{live_server.url}/webinars/{webinar_id}"
    first = browser.new_context(locale="fr-CA").new_page()
    second = browser.new_context(locale="fr-CA").new_page()

    assert first.goto(url).headers["x-page-cache"] == "miss"
    assert first.get_by_text("3 places restantes.").is_visible()
    response = second.goto(url)
    assert response.headers["x-page-cache"] == "hit"

    second.get_by_label("Votre nom").fill("Léa Côté")
    second.get_by_label("Votre adresse courriel").fill("lea@exemple.ca")
    second.get_by_role("button", name="S’inscrire").click()
    second.wait_for_load_state()
    assert "lea@exemple.ca" in second.content()  # the confirmation page

    again = first.reload()
    # The page stays kept; its seats line (a hole) is filled in from the sign-ups of now.
    assert again.headers["x-page-cache"] == "hit"
    assert first.get_by_text("2 places restantes.").is_visible()
    assert not first.get_by_text("3 places restantes.").is_visible()
    with live_server.app.app_context():
        assert db.session.query(Signup).filter_by(webinar_id=webinar_id).count() == 1
    mailbox.wait_for(1)

    english = first.goto(url + "?lang=en")
    assert english.headers["x-page-cache"] == "miss"  # each language its own page
    assert first.get_by_text("2 places left.").is_visible()
