"""The password rule: 12 characters or more, not in the lists of leaked passwords, wherever a
password is set (registration, reset, change, the command line), and never at login."""

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from communaute.auth.models import User
from communaute.auth.passwords import password_problem
from communaute.demo import DEMO_COORDINATOR, DEMO_MEMBER
from communaute.extensions import db
from tests.auth.test_accounts import GOOD
from tests.auth.test_password_and_profile import last_link
from tests.factories import PASSWORD, login, make_member, post

LENGTH = "Le mot de passe doit avoir entre 12 et 200 caractères."


def error_of(html: str, field_id: str) -> str:
    """The message shown next to a field (the macro's ``<p class="error" id="...-error">``)."""
    match = re.search(rf'<p class="error" id="{re.escape(field_id)}-error">(.*?)</p>', html, re.S)
    assert match, f"no message next to {field_id}"
    return " ".join(match.group(1).split())


def test_tr0ub4dor_is_refused_at_registration_next_to_the_field(client):
    response = post(
        client,
        "/auth/register",
        {**GOOD, "password": "Tr0ub4dor&3", "password_confirm": "Tr0ub4dor&3"},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert error_of(html, "password") == LENGTH
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


@pytest.mark.parametrize(
    "password",
    [
        "password1234",  # zxcvbn's list of leaked passwords
        "qwertyuiop123",
        "motdepasse2026",  # the French counterparts
        "jetaimetoujours",
        "Experiences2026",  # the site's own name
        "correct horse battery staple",  # the famous example
    ],
)
def test_leaked_and_common_passwords_are_refused_as_common(client, password):
    response = post(
        client, "/auth/register", {**GOOD, "password": password, "password_confirm": password}
    )
    assert "trop courant" in error_of(response.get_data(as_text=True), "password")
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_a_long_but_guessable_password_is_refused_as_too_easy(client):
    response = post(
        client,
        "/auth/register",
        {**GOOD, "password": "abcabcabcabcabc", "password_confirm": "abcabcabcabcabc"},
    )
    assert "trop facile" in error_of(response.get_data(as_text=True), "password")


def test_a_passphrase_in_plain_words_is_welcome(client):
    phrase = "mon chat dort sur le radiateur"
    response = post(
        client, "/auth/register", {**GOOD, "password": phrase, "password_confirm": phrase}
    )
    assert response.status_code == 302


def test_the_form_suggests_a_passphrase_in_both_languages(client):
    fr = client.get("/auth/register?lang=fr").get_data(as_text=True)
    assert "Au moins 12 caractères" in fr and "phrase de passe" in fr
    en = client.get("/auth/register?lang=en").get_data(as_text=True)
    assert "At least 12 characters" in en and "passphrase" in en


def test_tr0ub4dor_is_refused_on_reset(client):
    make_member("vrai@exemple.ca")
    post(client, "/auth/reset", {"email": "vrai@exemple.ca"})
    path = last_link("auth.reset")
    response = post(client, path, {"password": "Tr0ub4dor&3", "password_confirm": "Tr0ub4dor&3"})
    assert response.status_code == 200
    assert error_of(response.get_data(as_text=True), "password") == LENGTH


def test_tr0ub4dor_is_refused_on_password_change(client):
    user = make_member()
    login(client, user)
    response = post(
        client,
        "/auth/profile/password",
        {
            "pw-current_password": PASSWORD,
            "pw-password": "Tr0ub4dor&3",
            "pw-password_confirm": "Tr0ub4dor&3",
        },
        form_page="/auth/profile",
    )
    assert response.status_code == 400
    assert error_of(response.get_data(as_text=True), "pw-password") == LENGTH


def test_a_leaked_password_is_refused_on_password_change(client):
    user = make_member()
    login(client, user)
    response = post(
        client,
        "/auth/profile/password",
        {
            "pw-current_password": PASSWORD,
            "pw-password": "password1234",
            "pw-password_confirm": "password1234",
        },
        form_page="/auth/profile",
    )
    assert "trop courant" in error_of(response.get_data(as_text=True), "pw-password")


@pytest.mark.parametrize("password", ["Tr0ub4dor&3", "password1234"])
def test_the_command_line_applies_the_same_rule_with_a_clear_message(app, password):
    result = app.test_cli_runner().invoke(
        args=["users", "create-coordinator", "c@exemple.ca", "--name", "Nadia"],
        input=password + "\n",
    )
    assert result.exit_code != 0
    assert "Mot de passe refusé" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_five_thousand_characters_get_a_message_not_a_500(client):
    long = "a" * 5000
    response = post(client, "/auth/register", {**GOOD, "password": long, "password_confirm": long})
    assert response.status_code == 200
    assert error_of(response.get_data(as_text=True), "password") == LENGTH


@pytest.mark.parametrize(
    ("password", "email", "name"),
    [
        (DEMO_COORDINATOR[1], DEMO_COORDINATOR[0], "Coordination Expériences"),
        (DEMO_MEMBER[1], DEMO_MEMBER[0], "Sylvie Gagnon"),
        (PASSWORD, "membre1@exemple.ca", "Membre Test"),
    ],
)
def test_demo_and_factory_passwords_meet_the_rule(app, password, email, name):
    with app.test_request_context("/"):
        assert password_problem(password, email=email, name=name) is None


def test_login_never_judges_an_old_password(client):
    """The rule applies when a password is set: an account with an older, weaker one still
    logs in (and is asked nothing)."""
    from communaute.auth.services import hash_password

    user = make_member("ancien@exemple.ca")
    user.password_hash = hash_password("dix-lettres")
    db.session.commit()
    response = post(client, "/auth/login", {"email": user.email, "password": "dix-lettres"})
    assert response.status_code == 302


def test_the_demo_accounts_log_in_with_the_passwords_of_the_readme(app, client):
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    member = post(client, "/auth/login", {"email": DEMO_MEMBER[0], "password": DEMO_MEMBER[1]})
    assert member.headers["Location"] == "/me"
    coordinator = post(
        app.test_client(),
        "/auth/login",
        {"email": DEMO_COORDINATOR[0], "password": DEMO_COORDINATOR[1]},
    )
    assert coordinator.headers["Location"] == "/auth/login/second-factor", (
        "the demo coordinator sets up the second factor at the first login"
    )
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert DEMO_MEMBER[1] in readme and DEMO_COORDINATOR[1] in readme
