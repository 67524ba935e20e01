"""The core's content helpers: Markdown made safe, and the visitor's language or the French."""

from html.parser import HTMLParser
from types import SimpleNamespace

import pytest

from communaute.content import localized, render_markdown


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "[clic](javascript:alert(1))",
        "[clic](JaVaScRiPt:alert(1))",
        "[clic](  javascript:alert(1))",
        "[clic](data:text/html;base64,PHNjcmlwdD4=)",
        "[clic](vbscript:msgbox(1))",
        '<a href="javascript:alert(1)" onclick="alert(1)">x</a>',
        '<img src=x onerror="alert(1)">',
        "![image](javascript:alert(1))",
        "<iframe src='https://mal.example'></iframe>",
        '<div style="background:url(javascript:alert(1))">x</div>',
    ],
)
def test_hostile_markdown_is_neutralised(source):
    """What reaches the page as markup: no script or frame, no event attribute, no link or
    source but http(s) and mailto. Escaped text (``&lt;script&gt;``) is only words."""
    elements = _elements(str(render_markdown(source)))
    for tag, attrs in elements:
        assert tag not in ("script", "iframe", "img", "style", "object", "embed"), tag
        for name, value in attrs:
            assert not name.startswith("on") and name != "style", name
            if name in ("href", "src"):
                assert value.startswith(("https://", "http://", "mailto:")), value


def _elements(html: str) -> list:
    found = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, attrs))

    Collect().feed(html)
    return found


def test_markdown_keeps_what_coordinators_write():
    html = str(
        render_markdown("# Titre\n\nUn **mot** et [un lien](https://exemple.ca).\n\n- a\n- b")
    )
    assert "<h2>Titre</h2>" in html  # the page has its own h1
    assert "<strong>mot</strong>" in html
    assert '<a href="https://exemple.ca" rel="noopener noreferrer nofollow">un lien</a>' in html
    assert "<ul>\n<li>a</li>" in html
    assert render_markdown(None) == ""


def test_localized_gives_the_readers_language_or_the_french_marked_as_such(app):
    both = SimpleNamespace(title="Guide", title_en="Guide (EN)")
    french_only = SimpleNamespace(title="Livre blanc", title_en=None)
    assert localized(both, "title", "en").text == "Guide (EN)"
    assert localized(both, "title", "en").fallback is False
    fallback = localized(french_only, "title", "en")
    assert (fallback.text, fallback.lang, fallback.fallback) == ("Livre blanc", "fr", True)
    assert localized(both, "title", "fr").text == "Guide"
    assert localized(french_only, "title", "fr").fallback is False
