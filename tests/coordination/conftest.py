"""Coordination fixtures: a coordinator logged in, and the home read as sections of lines."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests.factories import login, make_coordinator


@pytest.fixture
def coordinator(app):
    return make_coordinator("coordo@exemple.ca", name="Marie Coordination")


@pytest.fixture
def coordo_client(app, coordinator):
    client = app.test_client()
    login(client, coordinator)
    return client


@pytest.fixture
def rctx(app):
    """Services raise lazy messages; the locale selector needs a request."""
    with app.test_request_context("/"):
        yield


class _Home(HTMLParser):
    """{section id: [(label, detail, href)]} from templates/coordination/home.html."""

    def __init__(self):
        super().__init__()
        self.sections: dict[str, list[list[str]]] = {}
        self.current = None
        self.item = None
        self.where = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section" and "coordination-group" in (a.get("class") or ""):
            self.current = self.sections.setdefault(a["id"], [])
        elif tag == "li" and self.current is not None:
            self.item = ["", "", ""]
            self.current.append(self.item)
        elif tag == "a" and self.item is not None:
            self.item[2] = a["href"]
            self.where = 0
        elif tag == "span" and self.item is not None and a.get("class") == "detail":
            self.where = 1

    def handle_endtag(self, tag):
        if tag in ("a", "span"):
            self.where = None
        elif tag == "li":
            self.item = None
        elif tag == "section":
            self.current = None

    def handle_data(self, data):
        if self.item is not None and self.where is not None:
            self.item[self.where] += data


def read_home(html: str) -> dict[str, list[tuple[str, str, str]]]:
    parser = _Home()
    parser.feed(html)
    return {k: [tuple(i) for i in v] for k, v in parser.sections.items()}
