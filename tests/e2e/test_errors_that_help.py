"""A failed form helps on a phone: the summary names each field and takes the focus, the title
says "Erreur :", and the language switch still works afterwards (issue 13)."""

import pytest

from tests.e2e.conftest import axe_check
from tests.e2e.test_webinars_journeys import _webinar


@pytest.mark.parametrize("width", [390, 1280])
def test_a_failed_sign_up_puts_the_focus_on_the_summary(live_server, browser, width):
    with live_server.app.app_context():
        webinar_id = _webinar(7).id
    context = browser.new_context(locale="fr-CA", viewport={"width": width, "height": 800})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/webinars/{webinar_id}")
        page.get_by_label("Votre adresse courriel").fill("pas-une-adresse")
        page.get_by_role("button", name="S’inscrire").click()
        page.wait_for_load_state()
        assert page.title().startswith("Erreur :")
        focused = page.evaluate("document.activeElement.id")
        assert focused == "error-summary"
        items = page.locator("#error-summary li").all_inner_texts()
        assert any(item.startswith("Votre nom :") for item in items), items
        assert any(item.startswith("Votre adresse courriel :") for item in items), items
        # The summary is what a phone shows first: its top is within the screen.
        assert (
            page.evaluate("document.getElementById('error-summary').getBoundingClientRect().top")
            < 800
        )
        axe_check(page, context=f"failed sign-up at {width}px")

        page.get_by_role("link", name="English version").click()
        page.wait_for_load_state()
        assert page.url.rstrip("/").endswith(f"/webinars/{webinar_id}?lang=en")
        assert page.get_by_role("heading", name="Sign up").is_visible()
    finally:
        context.close()
