"""Hostile input on the account forms: a clear message next to the field, nothing stored."""

import pytest
from sqlalchemy import func, select

from communaute.auth.models import User
from communaute.extensions import db
from tests.auth.test_accounts import GOOD
from tests.factories import login, make_member, post

CASES = [
    ({"email": ""}, "Inscrivez votre adresse courriel."),
    ({"email": "pas-une-adresse"}, "adresse courriel valide"),
    ({"email": "a@exemple.ca, b@exemple.ca"}, "une seule adresse"),
    ({"email": "a@exemple.ca\r\nBcc: victime@exemple.ca"}, "une seule adresse"),
    ({"email": "x" * 250 + "@exemple.ca"}, "trop longue"),
    ({"display_name": ""}, "Inscrivez un nom."),
    ({"display_name": "n" * 81}, "trop long"),
    ({"display_name": "Nul\x00Octet"}, "caractères invisibles"),
    ({"display_name": "Bell\x07e"}, "caractères invisibles"),
    ({"display_name": "evil\u202egnp.exe"}, "direction du texte"),
    ({"display_name": "Deux\nlignes"}, "une seule ligne"),
    ({"password": "court", "password_confirm": "court"}, "entre 12 et 200"),
    ({"password_confirm": "autre chose encore"}, "pas pareils"),
    ({"accept_privacy": ""}, "accepter la politique"),
    ({"language": "xx"}, "pas un choix valide"),
    ({"participation": "astronaut"}, "pas un choix valide"),
]


@pytest.mark.parametrize(("changes", "message"), CASES)
def test_register_refuses_hostile_input(client, changes, message):
    data = {**GOOD, **changes}
    if changes.get("accept_privacy") == "":
        data.pop("accept_privacy")
    response = post(client, "/auth/register", data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'class="error-summary"' in html
    assert message in html
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_html_in_a_name_is_shown_as_text(client):
    user = make_member(name="<script>alert(1)</script>")
    login(client, user)
    html = client.get("/me").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_emoji_and_accents_are_welcome(client):
    response = post(client, "/auth/register", {**GOOD, "display_name": "Chloé 🌻 Côté-Nguyễn"})
    assert response.status_code == 302
    assert db.session.scalar(select(User.display_name)) == "Chloé 🌻 Côté-Nguyễn"


def test_values_are_kept_when_the_form_comes_back(client):
    response = post(client, "/auth/register", {**GOOD, "password_confirm": "différent du premier"})
    html = response.get_data(as_text=True)
    assert 'value="alice.tremblay@exemple.ca"' in html
    assert 'value="Alice"' in html
    assert GOOD["password"] not in html, "passwords are never sent back"


def test_a_post_without_csrf_token_is_refused_and_stores_nothing(client):
    response = client.post("/auth/register", data=GOOD)
    assert response.status_code == 400
    assert "Rien n’a été enregistré" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_huge_body_is_refused_cleanly(client):
    response = client.post("/auth/register", data={"display_name": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413
