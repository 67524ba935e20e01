from tests.e2e.conftest import axe_check


def test_home_renders_with_landmarks_and_passes_axe(live_server, page):
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("main#contenu").count() == 1
    axe_check(page, context="home fr")
