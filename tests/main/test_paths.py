"""Links within the site (``url_for`` without a host) are memoized per process: the same
link as Flask builds, for every value, script root and page."""

from flask import url_for


def test_a_memoized_link_is_the_one_flask_builds(app):
    with app.test_request_context("/"):
        first = url_for("webinars.series", page=2)
        again = url_for("webinars.series", page=2)
        other = url_for("webinars.series", page=3)
        search = url_for("trainings.catalog", q="santé <b> & co", page=2)
    assert first == again == "/webinars/?page=2"
    assert other == "/webinars/?page=3"
    assert search == "/trainings/?q=sant%C3%A9+%3Cb%3E+%26+co&page=2"


def test_values_equal_in_python_but_printed_differently_keep_their_own_link(app):
    with app.test_request_context("/"):
        as_number = url_for("webinars.series", page=1)
        as_truth = url_for("webinars.series", page=True)
        as_decimal = url_for("webinars.series", page=1.0)
    assert (as_number, as_truth, as_decimal) == (
        "/webinars/?page=1",
        "/webinars/?page=True",
        "/webinars/?page=1.0",
    )


def test_a_site_served_under_a_prefix_gets_links_under_it(app):
    with app.test_request_context("/"):
        at_root = url_for("magazine.index")
    with app.test_request_context("/", environ_overrides={"SCRIPT_NAME": "/communaute"}):
        under_prefix = url_for("magazine.index")
    assert (at_root, under_prefix) == ("/magazine/", "/communaute/magazine/")


def test_a_list_of_values_is_built_without_the_memo(app):
    with app.test_request_context("/"):
        assert url_for("trainings.catalog", tag=["a", "b"]) == "/trainings/?tag=a&tag=b"


def test_the_memo_stays_bounded_whatever_visitors_search(app):
    with app.test_request_context("/"):
        for i in range(app.PATHS_KEPT + 10):
            assert url_for("trainings.catalog", q=f"mot{i}") == f"/trainings/?q=mot{i}"
    assert len(app._paths) <= app.PATHS_KEPT


def test_every_page_links_to_the_same_places_from_a_full_memo(app, client):
    """A page rendered after the memo was filled and emptied shows the same links."""
    before = client.get("/trainings/").get_data(as_text=True)
    app._paths.clear()
    with app.test_request_context("/"):
        for i in range(app.PATHS_KEPT):
            url_for("trainings.catalog", q=f"mot{i}")
    after = client.get("/trainings/").get_data(as_text=True)
    assert after == before
