"""Publications: the position statement in the demo, both languages, the PDF, the tools."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from communaute.extensions import db
from communaute.publications import demo
from communaute.publications.models import Publication
from tests.factories import login, make_coordinator, make_member, post
from tests.querycount import page_queries
from tests.uploads_helpers import HTML_AS_PDF, real_pdf


@pytest.fixture
def statement(app) -> Publication:
    demo.load()
    db.session.commit()
    return db.session.scalars(select(Publication)).one()


def form(**kw) -> dict:
    data = {"title": "Rapport annuel", "en_title": "", "issued_on": "2026-06-01",
            "summary": "Un sommaire.", "en_summary": "", "sections": "## 1. Bilan\n\nTexte",
            "en_sections": "", "recommendations": "Une\nDeux", "en_recommendations": "",
            "authors": "Louise, patiente partenaire", "contributors": "", "link_url": "",
            "published": "y"}  # fmt: skip
    data.update(kw)
    return data


def test_the_position_statement_of_27_august_2025_in_french(client, statement):
    html = client.get(f"/publications/{statement.id}").get_data(as_text=True)
    assert "<h1>Énoncé de position sur le partenariat en santé et services sociaux</h1>" in html
    assert '<p class="meta">27 août 2025</p>' in html
    assert '<h2 id="recommendations-title">5 recommandations</h2>' in html
    sections = re.search(r'<div class="prose sections">(.*?)</div>', html, re.S).group(1)
    assert len(re.findall(r"<h3>", sections)) == 3
    committee = re.search(r'<h2 id="authors-title">Comité de rédaction</h2>\s*<ul>(.*?)</ul>',
                          html, re.S).group(1)  # fmt: skip
    assert committee.count("<li>") == 4
    assert 'id="contributors-title"' in html
    assert "Sommaire exécutif" in html


def test_the_statement_in_english(client, statement):
    html = client.get(f"/publications/{statement.id}?lang=en").get_data(as_text=True)
    assert "<h1>Position statement on partnership in health and social services</h1>" in html
    assert '<p class="meta">August 27, 2025</p>' in html
    assert "<li>Compensate the time and expertise of patient partners fairly.</li>" in html
    assert "Content offered in French" not in html


def test_the_list_and_the_demo_once(client, statement):
    assert demo.load() == []
    html = client.get("/publications/").get_data(as_text=True)
    assert f'href="/publications/{statement.id}"' in html


def test_an_english_reader_of_a_french_only_publication_sees_the_note(client, app):
    p = Publication(title="Rapport", issued_on=__import__("datetime").date(2026, 1, 5),
                    summary="Sommaire", recommendations="Une", sections="")  # fmt: skip
    db.session.add(p)
    db.session.commit()
    html = client.get(f"/publications/{p.id}?lang=en").get_data(as_text=True)
    assert '<h1 lang="fr">Rapport</h1>' in html
    assert '<ol class="prose" lang="fr">' in html


def test_manage_is_for_coordinators(client, statement):
    assert client.get("/publications/manage/").headers["Location"].startswith("/auth/login")
    login(client, make_member())
    assert client.get("/publications/manage/").status_code == 403
    assert client.get(f"/publications/manage/{statement.id}").status_code == 403
    statement.published = False
    db.session.commit()
    assert client.get(f"/publications/{statement.id}").status_code == 404


def test_a_coordinator_adds_one_with_its_pdf_and_a_fake_pdf_is_refused(client):
    login(client, make_coordinator())
    data = form()
    data["file"] = (io.BytesIO(HTML_AS_PDF), "rapport.pdf")
    bad = post(client, "/publications/manage/new", data, content_type="multipart/form-data")
    assert bad.status_code == 200 and 'id="file-error"' in bad.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Publication)) == 0
    data = form()
    data["file"] = (io.BytesIO(real_pdf()), "rapport.pdf")
    ok = post(client, "/publications/manage/new", data, content_type="multipart/form-data")
    assert ok.status_code == 302
    p = db.session.scalars(select(Publication)).one()
    pdf = client.get(f"/publications/{p.id}/document.pdf")
    assert pdf.mimetype == "application/pdf"
    assert pdf.headers["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize(
    ("field", "value"),
    [("issued_on", "2025-02-30"), ("issued_on", "12000-01-01"), ("title", ""),
     ("summary", ""), ("link_url", "javascript:alert(1)"), ("title", "a\u202eb")],
)  # fmt: skip
def test_hostile_input_is_refused_next_to_its_field(client, field, value):
    login(client, make_coordinator())
    response = post(client, "/publications/manage/new", form(**{field: value}))
    assert response.status_code == 200
    assert f'id="{field}-error"' in response.get_data(as_text=True)


def test_the_list_has_a_query_budget(client, app):
    from datetime import date

    def add(n):
        for i in range(n):
            db.session.add(Publication(title=f"P{i}", issued_on=date(2026, 1, 1), summary="s"))
        db.session.commit()

    add(2)
    small = page_queries(client, "/publications/").count
    add(20)
    assert page_queries(client, "/publications/").count == small <= 4
