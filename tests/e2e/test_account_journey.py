"""A newcomer's journey in a real browser, and axe-core on the account pages."""

import json
import re

import pytest

from tests.e2e.conftest import axe_check

PASSWORD = "les bleuets du lac saint-jean"


def confirmation_link(mailbox, address):
    for _ in range(3):
        messages = [m for m in mailbox.wait_for(1) if address in m["To"]]
        if messages:
            body = messages[-1].get_body(("plain",)).get_content()
            return re.search(r"(http://127\.0\.0\.1:\d+/auth/confirm/\S+)", body).group(1)
    raise AssertionError("no confirmation email")


def test_register_confirm_login_switch_language_export_delete(live_server, page, mailbox, tmp_path):
    base = live_server.url
    page.goto(base + "/auth/register")
    page.get_by_label("Adresse courriel").fill("Josee.Lavoie@Exemple.ca")
    page.get_by_label("Nom affiché sur le site").fill("Josée")
    page.get_by_label("Mot de passe (obligatoire)", exact=True).fill(PASSWORD)
    page.get_by_label("Mot de passe, une deuxième fois").fill(PASSWORD)
    page.get_by_label("Je participe comme").select_option("caregiver")
    page.get_by_label(re.compile("J’ai lu la politique")).check()
    page.get_by_role("button", name="Créer mon compte").click()
    assert page.url.endswith("/me")
    assert page.get_by_text("Votre compte est créé").is_visible()

    link = confirmation_link(mailbox, "josee.lavoie@exemple.ca")
    page.goto(link)
    page.get_by_role("button", name="Confirmer mon adresse").click()
    assert page.get_by_text("Votre adresse courriel est confirmée").is_visible()

    page.get_by_role("button", name="Se déconnecter").click()
    page.goto(base + "/auth/login")
    page.get_by_label("Adresse courriel").fill("  JOSEE.LAVOIE@exemple.ca ")
    page.get_by_label("Mot de passe (obligatoire)", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    assert page.get_by_role("heading", name="Mon espace").is_visible()

    page.get_by_role("link", name="English", exact=True).click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="My space").is_visible()

    page.goto(base + "/auth/profile")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Download all my information")).click()
    path = tmp_path / "export.json"
    download.value.save_as(path)
    data = json.loads(path.read_text())
    assert data["account"]["email"] == "josee.lavoie@exemple.ca"

    page.goto(base + "/auth/delete")
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_label(re.compile("I understand")).check()
    page.get_by_role("button", name="Delete my account for good").click()
    assert page.get_by_text("Your account and your personal information are deleted").is_visible()


def test_errors_are_announced_and_tied_to_their_fields(live_server, page):
    page.goto(live_server.url + "/auth/register")
    page.get_by_role("button", name="Créer mon compte").click()
    summary = page.get_by_role("alert")
    assert "problèmes à corriger" in summary.inner_text()
    email = page.get_by_label("Adresse courriel")
    assert email.get_attribute("aria-invalid") == "true"
    described = email.get_attribute("aria-describedby")
    assert "Inscrivez votre adresse courriel." in page.locator(f"#{described}").inner_text()


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("path", ["/", "/auth/register", "/auth/login", "/auth/reset", "/privacy"])
def test_public_pages_pass_axe(live_server, page, path, lang):
    page.goto(f"{live_server.url}{path}?lang={lang}")
    assert page.locator("html").get_attribute("lang") == lang
    axe_check(page, context=f"{path} {lang}")


def test_register_with_errors_passes_axe(live_server, page):
    page.goto(live_server.url + "/auth/register")
    page.get_by_role("button", name="Créer mon compte").click()
    axe_check(page, context="register with errors")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_member_pages_pass_axe(live_server, page, lang):
    from tests.factories import make_member

    with live_server.app.app_context():
        make_member("axe@exemple.ca", language=lang)
    page.goto(live_server.url + "/auth/login")
    page.fill("#email", "axe@exemple.ca")
    page.fill("#password", "une-longue-phrase-de-passe")
    page.locator("form.form button[type=submit]").click()
    for path in ("/me", "/auth/profile", "/auth/delete"):
        page.goto(live_server.url + path)
        assert page.locator("html").get_attribute("lang") == lang
        axe_check(page, context=f"{path} {lang}")


def test_phone_screenshot(live_server, browser):
    """Not an assertion on pixels: a picture for people to look at (test-artifacts/)."""
    from tests.e2e.conftest import ARTIFACTS

    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-CA")
    page = context.new_page()
    page.goto(live_server.url + "/auth/register")
    page.get_by_role("button", name="Créer mon compte").click()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "register-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    context.close()
