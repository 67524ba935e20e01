"""Pages about the community: Markdown in both languages, in the footer of every page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from communaute.extensions import db
from communaute.pages import demo, services
from communaute.pages.models import Page
from tests.factories import login, make_coordinator, make_member, post
from tests.querycount import page_queries


@pytest.fixture
def pages(app):
    demo.load()
    db.session.commit()
    services.forget_footer()


def footer(html: str) -> list[str]:
    nav = re.search(r'<nav aria-label="(?:À propos de la communauté|About the community)">(.*?)</nav>',
                    html, re.S)  # fmt: skip
    return re.findall(r"<a [^>]*>(.*?)</a>", nav.group(1)) if nav else []


def test_every_page_has_the_pages_in_its_footer_in_both_languages(client, pages):
    assert footer(client.get("/").get_data(as_text=True)) == [
        "Notre mandat", "Notre histoire", "Nos partenaires", "Liens utiles",
        "Déclaration d’accessibilité",
    ]  # fmt: skip
    en = client.get("/trainings/?lang=en").get_data(as_text=True)
    assert footer(en)[:2] == ["Our mandate", "Our history"]


def test_a_page_in_markdown_in_french_and_in_english(client, pages):
    html = client.get("/pages/mandat").get_data(as_text=True)
    assert "<h1>Notre mandat</h1>" in html and "<strong>former</strong>" in html
    en = client.get("/pages/historique?lang=en").get_data(as_text=True)
    assert "<h1>Our history</h1>" in en  # the title is translated, the text is not
    assert '<div class="prose" lang="fr"><p>La communauté est née' in en
    assert '<p class="fallback-note">Content offered in French</p>' in en
    assert client.get("/pages/nulle-part").status_code == 404
    assert client.get("/pages/" + "a" * 500).status_code == 404


def test_the_demo_is_idempotent(app, pages):
    assert demo.load() == []
    assert db.session.scalar(select(func.count()).select_from(Page)) == 5


def test_tools_are_for_coordinators(client, pages):
    assert client.get("/pages/manage/").headers["Location"].startswith("/auth/login")
    login(client, make_member())
    assert client.get("/pages/manage/").status_code == 403
    page = db.session.scalar(select(Page).where(Page.slug == "mandat"))
    assert client.get(f"/pages/manage/{page.id}").status_code == 403


def test_a_coordinator_edits_a_page_and_the_footer_follows_at_once(client, pages):
    login(client, make_coordinator())
    page = db.session.scalar(select(Page).where(Page.slug == "mandat"))
    data = {"title": "Notre mission", "en_title": "Our mission", "slug": "mandat",
            "body": "Texte <script>alert(1)</script>", "en_body": "", "position": "1",
            "published": "y"}  # fmt: skip
    assert post(client, f"/pages/manage/{page.id}", data).status_code == 302
    html = client.get("/pages/mandat").get_data(as_text=True)
    assert "<h1>Notre mission</h1>" in html and "<script>alert" not in html
    assert footer(html)[0] == "Notre mission"


@pytest.mark.parametrize(
    ("field", "value"),
    [("slug", "Mandat!"), ("slug", "historique"), ("slug", "manage"), ("slug", ""),
     ("title", ""), ("position", "99999999999"), ("body", "")],
)  # fmt: skip
def test_hostile_input_is_refused_next_to_its_field(client, pages, field, value):
    login(client, make_coordinator())
    data = {"title": "Nouvelle", "en_title": "", "slug": "nouvelle", "body": "Texte",
            "en_body": "", "position": "0", "published": "y", field: value}  # fmt: skip
    response = post(client, "/pages/manage/new", data)
    assert response.status_code == 200
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Page)) == 5


def test_the_footer_costs_no_query_once_read(client, pages):
    client.get("/")
    assert page_queries(client, "/pages/mandat").count <= 2
