"""Beside the JSON file, all my information as a page a person can read and print (issue 13)."""

import re

from communaute.extensions import db
from communaute.webinars import services as webinars
from tests.factories import login, make_member
from tests.webinars.conftest import make_webinar


def test_the_page_says_everything_in_words(client):
    member = make_member("lisible@exemple.ca", name="Réjeanne Côté", needs_captions=True)
    webinar = make_webinar(title="Comprendre un protocole de recherche")
    webinars.sign_up_member(webinar, member)
    db.session.commit()
    login(client, member)
    response = client.get("/auth/export/page")
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    html = response.get_data(as_text=True)
    account = html[html.index('id="export-account"') :].split("</section>")[0]
    assert re.search(
        r"<dt>Nom affiché</dt>\s*<dd><span class=\"export-value\">Réjeanne Côté</span>", account
    )
    assert re.search(r"<dt>Sous-titres</dt>\s*<dd><span class=\"export-value\">oui</span>", account)
    # Codes kept for another service in the JSON are words here.
    assert re.search(r"<dt>Langue</dt>\s*<dd><span class=\"export-value\">Français</span>", account)
    assert re.search(r"<dt>Rôle</dt>\s*<dd><span class=\"export-value\">Membre</span>", account)
    webinar_part = html[html.index('id="export-webinars"') :].split("</section>")[0]
    assert webinar_part.startswith('id="export-webinars">Vos webinaires</h2>')
    assert "Comprendre un protocole de recherche" in webinar_part
    # Dates as people read them here, not ISO strings.
    assert not re.search(r"\d{4}-\d{2}-\d{2}T", html)
    assert re.search(
        r"(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche) \d{1,2} ", webinar_part
    )


def test_the_page_needs_a_login(client):
    response = client.get("/auth/export/page")
    assert response.status_code == 302 and "/auth/login" in response.location


def test_the_profile_links_to_both(client):
    login(client, make_member())
    html = client.get("/auth/profile").get_data(as_text=True)
    assert 'href="/auth/export/page"' in html and 'href="/auth/export"' in html
