"""Absolute links come from COMMUNAUTE_PUBLIC_URL, never from the request's Host header.

Without TRUSTED_HOSTS (development, tests) any Host is answered; with the page cache on, a
page built from a forged Host would be served to every later visitor.
"""

import re
import uuid

import pytest
import redis
from flask import url_for

from communaute.magazine.models import SubmissionState
from tests.factories import make_coordinator, make_member
from tests.magazine.conftest import make_submission

REDIS_URL = "redis://127.0.0.1:6379/14"


@pytest.fixture
def app_config():
    key = f"test:hardening:pages:{uuid.uuid4().hex}"
    yield {"PAGE_CACHE_URL": REDIS_URL, "PAGE_CACHE_KEY": key, "TRUSTED_HOSTS": None}
    redis.Redis.from_url(REDIS_URL).delete(key)


def links(xml: str) -> list[str]:
    return re.findall(r'<id>([^<]+)</id>|href="([^"]+)"', xml)


def test_a_forged_host_never_reaches_the_feed_of_later_visitors(app):
    testimony = make_submission(make_member(), make_coordinator(), SubmissionState.published)
    for _ in range(2):
        forged = app.test_client().get("/magazine/feed.xml", headers={"Host": "evil.example"})
        assert forged.status_code == 200
        assert "evil.example" not in forged.get_data(as_text=True)
    later = app.test_client().get("/magazine/feed.xml")
    body = later.get_data(as_text=True)
    assert later.headers["X-Page-Cache"] == "hit", "the poisoned request was cached"
    found = [a or b for a, b in links(body)]
    assert found == [
        "https://communaute.example/magazine/",
        "https://communaute.example/magazine/",
        "https://communaute.example/magazine/feed.xml",
        f"https://communaute.example/magazine/{testimony.id}",
        f"https://communaute.example/magazine/{testimony.id}",
    ]


def test_url_for_external_uses_the_public_url_in_and_out_of_a_request(app):
    with app.test_request_context("/webinars/", base_url="http://evil.example:8080"):
        assert url_for("main.privacy") == "/privacy"
        assert url_for("main.privacy", _external=True) == "https://communaute.example/privacy"
        assert url_for("main.privacy", _scheme="http", _external=True).startswith(
            "https://communaute.example/"
        )
        assert url_for(".series", _external=True) == "https://communaute.example/webinars/"
        assert url_for("main.home", _external=True, _anchor="a b", q="x") == (
            "https://communaute.example/?q=x#a%20b"
        )
    # The CLI (reminders) has no request: same links.
    assert url_for("main.privacy") == "https://communaute.example/privacy"
