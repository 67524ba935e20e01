"""Errors that help (issue 13): every problem at once, each naming its field, the page title
says "Erreur :", required fields say so in words, and a failed POST never leaves the person on
an address that answers 405."""

import html
import re

from sqlalchemy import func, select

from communaute.extensions import db
from communaute.magazine.models import Submission
from tests.factories import login, make_member, post
from tests.magazine.test_views import FORM
from tests.webinars.conftest import make_webinar


def summary(page: str) -> list[str]:
    block = page[page.index('id="error-summary"') :].split("</div>")[0]
    return [html.unescape(re.sub(r"<[^>]+>", "", item)).strip() for item in block.split("<li>")[1:]]


def test_every_problem_of_a_text_comes_at_once_each_naming_its_field(client):
    login(client, make_member())
    data = {**FORM, "title": "", "pen_name": "", "consent_web": "", "send": "1"}
    response = post(client, "/magazine/submit", data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    title, pen_name, consent = summary(page)
    assert title == "Titre : Donnez un titre à votre texte."
    assert pen_name == "Pseudonyme : Écrivez le pseudonyme avec lequel vous voulez signer."
    assert consent.endswith(
        " : Pour envoyer votre texte, vous devez accepter sa publication sur le site Web."
    )
    assert re.search(r"<title>Erreur : ", page)
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 0


def test_a_failed_guest_sign_up_names_each_field_in_the_summary(client):
    webinar = make_webinar()
    page = f"/webinars/{webinar.id}"
    response = post(
        client, page + "/signup", {"name": "", "email": "x", "language": "fr"}, form_page=page
    )
    page = response.get_data(as_text=True)
    name, email = summary(page)
    assert name == "Votre nom : Entrez votre nom."
    assert email.startswith("Votre adresse courriel : ")
    assert 'id="error-summary" aria-labelledby="error-summary-title" autofocus' in page
    assert re.search(r"<title>Erreur : ", page)


def test_a_page_without_errors_has_a_plain_title(client):
    page = client.get("/webinars/").get_data(as_text=True)
    assert "<title>Erreur" not in page and "<title>Webinaires" in page


def test_after_a_failed_post_the_action_address_leads_back_to_its_page(client):
    """The language switch and a reload ask for the action's address with GET."""
    webinar = make_webinar()
    response = client.get(f"/webinars/{webinar.id}/signup?lang=en")
    assert response.status_code == 302
    assert response.location == f"/webinars/{webinar.id}?lang=en"
    login(client, make_member())
    response = client.get("/auth/profile/password")
    assert response.status_code == 302 and response.location == "/auth/profile"


def test_required_fields_say_so_in_words(client):
    login(client, make_member())
    page = client.get("/magazine/submit").get_data(as_text=True)
    title_label = page[page.index('<label for="title"') :].split("</label>")[0]
    text_label = page[page.index('<label for="text"') :].split("</label>")[0]
    assert "(obligatoire)" in title_label and "(obligatoire)" in text_label
