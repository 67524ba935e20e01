"""A coordinator's first login sets up the second factor; the next one takes two steps.
In Chromium, with axe-core on every page, at a phone's width and a desktop's."""

import time

import pyotp
import pytest

from tests.e2e.conftest import ARTIFACTS, axe_check
from tests.factories import PASSWORD, make_coordinator

WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}


def fits(page) -> bool:
    ok = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    if not ok:
        wide = page.evaluate(
            "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right"
            " > window.innerWidth + 1).filter(e => !e.closest('.table-scroll')).slice(0, 8).map(e => e.tagName + '.' + e.className + ' '"
            " + Math.round(e.getBoundingClientRect().right))"
        )
        print("wider than the window:", wide)
    return ok


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("width", list(WIDTHS))
def test_enrolment_then_a_two_step_login(live_server, browser, width):
    with live_server.app.app_context():
        make_coordinator("nadia@exemple.ca", name="Nadia Roy", second_factor=False)
    w, h = WIDTHS[width]
    context = browser.new_context(locale="fr-CA", viewport={"width": w, "height": h})
    page = context.new_page()
    page.set_default_timeout(10000)
    base = live_server.url

    # The password first: it opens no session, it leads to the enrolment.
    page.goto(base + "/auth/login")
    page.get_by_label("Adresse courriel").fill("nadia@exemple.ca")
    page.get_by_label("Mot de passe (obligatoire)", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/auth/login/second-factor")
    assert page.get_by_role("heading", level=1).inner_text() == "Configurez votre deuxième facteur"
    qr = page.get_by_role("img", name="Code QR à lire avec votre application d’authentification")
    assert qr.is_visible()
    assert qr.evaluate("img => img.naturalWidth > 0"), "the QR code is drawn"
    axe_check(page, context=f"enrolment {width}")
    assert fits(page), "no sideways scrolling"
    shot(page, f"second-factor-setup-{width}")

    # The key, typed by hand into an app (here: computed as the app would).
    key = page.locator(".secret-key").inner_text().replace(" ", "")
    totp = pyotp.TOTP(key)
    code_field = page.get_by_label("Code")
    assert code_field.get_attribute("autocomplete") == "one-time-code"
    assert code_field.get_attribute("inputmode") == "numeric"
    code_field.fill("123")
    page.get_by_role("button", name="Activer le deuxième facteur").click()
    summary = page.get_by_role("alert")
    assert "Ce code n’est pas le bon" in summary.inner_text()
    assert page.get_by_label("Code").get_attribute("aria-invalid") == "true"
    axe_check(page, context=f"enrolment with an error {width}")
    assert page.locator(".secret-key").inner_text().replace(" ", "") == key, "same key"

    page.get_by_label("Code").fill(totp.now())
    page.get_by_role("button", name="Activer le deuxième facteur").click()
    assert page.get_by_role("heading", name="Vos codes de récupération").is_visible()
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    axe_check(page, context=f"recovery codes {width}")
    assert fits(page)
    shot(page, f"recovery-codes-{width}")
    page.get_by_role("link", name="J’ai conservé mes codes : continuer").click()
    assert page.get_by_role("heading", name="Coordination").is_visible()

    # The security log shows it.
    page.goto(base + "/security/")
    assert page.get_by_role("cell", name="Deuxième facteur configuré").is_visible()
    axe_check(page, context=f"security log {width}")
    assert fits(page)
    shot(page, f"security-log-{width}")
    page.goto(base + "/security/second-factor")
    axe_check(page, context=f"second factors {width}")
    assert fits(page)
    page.goto(base + "/auth/profile")
    assert page.get_by_role("heading", name="Mon deuxième facteur").is_visible()
    axe_check(page, context=f"coordinator's profile {width}")
    assert fits(page)

    # Next login: password, then the code.
    page.get_by_role("button", name="Se déconnecter").click()
    page.get_by_text("Votre session est fermée.").wait_for()
    page.goto(base + "/auth/login")
    page.get_by_label("Adresse courriel").fill("nadia@exemple.ca")
    page.get_by_label("Mot de passe (obligatoire)", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/auth/login/code")
    axe_check(page, context=f"code step {width}")
    assert fits(page)
    shot(page, f"login-code-{width}")
    page.goto(base + "/coordination")
    page.wait_for_url("**/auth/login?next=*")  # not logged in between the two steps
    page.go_back()
    page.wait_for_url("**/auth/login/code")
    # The enrolment used this 30-second step: the app's next code is the one to type.
    page.get_by_label("Code").fill(totp.at(time.time() + 30))
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/coordination/")
    assert page.get_by_text("Bienvenue, Nadia Roy.").is_visible()
    context.close()


def test_a_recovery_code_in_the_browser(live_server, page):
    """Lost phone: a recovery code instead of the app's code."""
    import re

    with live_server.app.app_context():
        make_coordinator("perdu@exemple.ca", second_factor=False)
    base = live_server.url
    page.goto(base + "/auth/login")
    page.fill("#email", "perdu@exemple.ca")
    page.fill("#password", PASSWORD)
    page.locator("main form.form button[type=submit]").click()
    page.wait_for_url("**/auth/login/second-factor")
    key = page.locator(".secret-key").inner_text().replace(" ", "")
    page.fill("#code", pyotp.TOTP(key).now())
    page.locator("main form.form button[type=submit]").click()
    codes = page.locator(".recovery-codes code").all_inner_texts()
    page.get_by_role("button", name="Se déconnecter").click()
    page.get_by_text("Votre session est fermée.").wait_for()

    page.goto(base + "/auth/login")
    page.fill("#email", "perdu@exemple.ca")
    page.fill("#password", PASSWORD)
    page.locator("main form.form button[type=submit]").click()
    page.wait_for_url("**/auth/login/code")
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/coordination/")
    assert page.get_by_text(re.compile("il en reste 9")).is_visible()
