from tests.e2e.conftest import axe_check


def test_home_renders_with_landmarks_and_passes_axe(live_server, page):
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("main#contenu").count() == 1
    axe_check(page, context="home fr")


def test_csv_exports_stream_through_a_real_server(live_server, page):
    """The export generator runs after the view returns: it must not touch closed sessions."""
    from communaute.exports import csv_response

    app = live_server.app

    @app.route("/__test_csv")
    def _test_csv():  # registered late on purpose: a test-only page on the test server
        return csv_response("t.csv", ["a"], ([n] for n in ("=1+1", "ok")))

    response = page.request.get(live_server.url + "/__test_csv")
    assert response.ok
    assert response.body().decode("utf-8-sig") == "a\r\n'=1+1\r\nok\r\n"
