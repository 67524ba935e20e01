"""Resources: the public list and its filters, the page, PDF uploads, the coordinators' tools."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from communaute import uploads
from communaute.extensions import db
from communaute.resources import demo
from communaute.resources.models import Audience, Resource, ResourceKind
from tests.factories import login, make_coordinator, make_member, post
from tests.querycount import page_queries
from tests.uploads_helpers import FAKE_PDF, HTML_AS_PDF, real_pdf, real_png


def make_resource(**kw) -> Resource:
    values = dict(
        kind=ResourceKind.video,
        title="Qu’est-ce qu’être patient(e) partenaire?",
        title_en=None,
        description="Des patientes et patients partenaires racontent.",
        content_language="fr",
        subtitle_language="en",
        duration_minutes=6,
        audience=Audience.everyone,
        link_url="https://video.exemple.ca/1",
        published=True,
    )
    values.update(kw)
    resource = Resource(**values)
    db.session.add(resource)
    db.session.commit()
    return resource


def form(**kw) -> dict:
    data = {
        "title": "Le guide des patient(e)s-citoyen(ne)s partenaires en recherche",
        "en_title": "",
        "description": "Un guide pratique.",
        "en_description": "",
        "kind": "guide",
        "content_language": "fr",
        "subtitle_language": "",
        "duration_minutes": "",
        "page_count": "48",
        "audience": "patient_partners",
        "link_url": "",
        "transcript": "",
        "published": "y",
    }
    data.update(kw)
    return data


@pytest.fixture
def coordinator_client(client):
    login(client, make_coordinator())
    return client


def upload(client, content: bytes, name="guide.pdf", **kw):
    data = form(**kw)
    data["file"] = (io.BytesIO(content), name)
    return post(client, "/resources/manage/new", data, content_type="multipart/form-data")


def test_the_list_says_kind_language_subtitles_duration_and_audience(client):
    make_resource()
    html = client.get("/resources/").get_data(as_text=True)
    assert "<h1>Ressources à lire et à voir</h1>" in html
    facts = re.search(r'<ul class="resource-facts">(.*?)</ul>', html, re.S).group(1)
    items = [i.strip() for i in re.findall(r"<li>(.*?)</li>", facts, re.S)]
    assert items == [
        "Vidéo",
        "Vidéo en français",
        "Sous-titres en anglais",
        "6 minutes",
        "Pour : Toute personne qui découvre le partenariat patient",
    ]


def test_an_english_reader_gets_the_french_marked_as_french(client):
    make_resource(title="Comprendre la recherche", title_en=None)
    make_resource(title="Livre blanc", title_en="White paper", kind=ResourceKind.white_paper,
                  content_language="fr", subtitle_language=None, duration_minutes=None,
                  page_count=60)  # fmt: skip
    html = client.get("/resources/?lang=en").get_data(as_text=True)
    assert re.search(r'<a href="/resources/\d+" lang="fr">Comprendre la recherche</a>', html)
    assert "Content offered in French" in html
    assert re.search(r'<a href="/resources/\d+">White paper</a>', html)
    assert "Document in French" in html and "60 pages" in html


def test_filters_by_kind_language_and_audience_and_ignore_hostile_values(client):
    make_resource(title="Vidéo A")
    make_resource(title="Guide B", kind=ResourceKind.guide, content_language="en",
                  audience=Audience.researchers)  # fmt: skip
    make_resource(title="Caché", published=False)

    def titles(query):
        html = client.get("/resources/" + query).get_data(as_text=True)
        return re.findall(r'<a href="/resources/\d+"[^>]*>(.*?)</a>', html)

    assert sorted(titles("")) == ["Guide B", "Vidéo A"]
    assert titles("?kind=guide") == ["Guide B"]
    assert titles("?language=fr") == ["Vidéo A"]
    assert titles("?audience=researchers&language=en") == ["Guide B"]
    assert sorted(titles("?kind=<script>&language=%00&audience=" + "x" * 5000)) == [
        "Guide B",
        "Vidéo A",
    ]


def test_an_unpublished_resource_is_a_404_for_visitors(client):
    hidden = make_resource(published=False)
    assert client.get(f"/resources/{hidden.id}").status_code == 404
    assert client.get("/resources/2147483647").status_code == 404


def test_the_page_shows_the_transcript_in_the_language_of_the_video(client):
    r = make_resource(transcript="Je m’appelle Louise.")
    html = client.get(f"/resources/{r.id}").get_data(as_text=True)
    assert re.search(r'<div class="prose" lang="fr"><p>Je m’appelle Louise.</p></div>', html)
    assert 'href="https://video.exemple.ca/1"' in html


def test_manage_is_for_coordinators(client):
    assert client.get("/resources/manage/").headers["Location"].startswith("/auth/login")
    login(client, make_member())
    assert client.get("/resources/manage/").status_code == 403
    assert client.get("/resources/manage/new").status_code == 403
    r = make_resource()
    assert post(client, f"/resources/manage/{r.id}/delete", form_page="/me").status_code == 403


def test_a_real_pdf_is_stored_under_instance_and_served_as_a_pdf(app, coordinator_client):
    pdf = real_pdf()
    response = upload(coordinator_client, pdf)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    resource = db.session.scalars(select(Resource)).one()
    assert resource.file_size == len(pdf)
    stored = app.instance_path + "/uploads/" + resource.file_name
    with open(stored, "rb") as f:
        assert f.read() == pdf
    served = coordinator_client.get(f"/resources/{resource.id}/document.pdf")
    assert served.status_code == 200
    assert served.mimetype == "application/pdf"
    assert served.headers["Content-Disposition"].startswith("attachment;")
    assert "Le-guide-des-patient" in served.headers["Content-Disposition"]
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.data == pdf


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (FAKE_PDF, "guide.pdf", "Ce PDF ne peut pas être lu"),
        (HTML_AS_PDF, "guide.pdf", "n’est pas un document PDF"),
        (real_png(), "guide.pdf", "n’est pas un document PDF"),
        (b"", "guide.pdf", "Le fichier est vide."),
    ],
)
def test_what_is_not_a_pdf_is_refused_next_to_the_field(coordinator_client, content, name, message):
    response = upload(coordinator_client, content, name)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    if message:
        error = re.search(r'<p class="error" id="file-error">(.*?)</p>', html, re.S)
        assert error and message in error.group(1), html[:4000]
    else:
        assert 'id="link_url-error"' in html
    assert db.session.scalar(select(func.count()).select_from(Resource)) == 0


def test_a_pdf_over_the_limit_is_refused(coordinator_client, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_PDF_BYTES", 1000)
    response = upload(coordinator_client, real_pdf() + b"%" + b" " * 2000)
    html = response.get_data(as_text=True)
    assert response.status_code in (200, 413)
    if response.status_code == 200:
        assert "trop gros" in html
    assert db.session.scalar(select(func.count()).select_from(Resource)) == 0


def test_a_resource_needs_a_link_or_a_document(coordinator_client):
    response = post(coordinator_client, "/resources/manage/new", form())
    assert response.status_code == 200
    assert "Donnez un lien ou un document PDF." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("field", "value", "error_id"),
    [
        ("title", "", "title"),
        ("title", "x" * 400, "title"),
        ("link_url", "javascript:alert(1)", "link_url"),
        ("page_count", "99999999999999999999", "page_count"),
        ("page_count", "-3", "page_count"),
        ("kind", "virus", "kind"),
        ("description", "a\x00b", "description"),
    ],
)
def test_hostile_input_is_refused_next_to_its_field(coordinator_client, field, value, error_id):
    response = post(coordinator_client, "/resources/manage/new",
                    form(**{"link_url": "https://exemple.ca", field: value}))  # fmt: skip
    assert response.status_code == 200
    assert f'id="{error_id}-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Resource)) == 0


def test_edit_keeps_the_english_title_and_delete_removes_the_file(app, coordinator_client):
    upload(coordinator_client, real_pdf(), en_title="Guide for partners")
    resource = db.session.scalars(select(Resource)).one()
    page = f"/resources/manage/{resource.id}"
    html = coordinator_client.get(page).get_data(as_text=True)
    assert 'value="Guide for partners"' in html
    response = post(coordinator_client, page, form(en_title="Partners' guide"))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Resource, resource.id).title_en == "Partners' guide"
    stored = app.instance_path + "/uploads/" + resource.file_name
    post(coordinator_client, f"{page}/delete", form_page="/resources/manage/")
    assert db.session.scalar(select(func.count()).select_from(Resource)) == 0
    import os

    assert not os.path.exists(stored)


def test_the_demo_carries_the_recommended_items_once(app):
    assert demo.load()
    assert demo.load() == []
    db.session.commit()
    titles = db.session.scalars(select(Resource.title)).all()
    assert "Le guide des patient(e)s-citoyen(ne)s partenaires en recherche" in titles
    assert len(titles) == len(demo.RESOURCES) == 9
    team = db.session.scalar(select(Resource).where(Resource.title.like("Travailler en%")))
    assert (team.content_language, team.subtitle_language) == ("fr", "en")


def test_the_public_list_has_a_query_budget(app, client):
    for i in range(3):
        make_resource(title=f"R{i}")
    small = page_queries(client, "/resources/").count
    for i in range(30):
        make_resource(title=f"S{i}")
    assert page_queries(client, "/resources/").count == small <= 4
