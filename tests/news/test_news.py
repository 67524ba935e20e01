"""News: drafts, scheduled and published posts, Markdown made safe, pictures, Atom, home."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from communaute.db import utcnow
from communaute.extensions import db
from communaute.news import demo
from communaute.news.models import NewsPost
from tests.factories import login, make_coordinator, make_member, post
from tests.querycount import page_queries
from tests.uploads_helpers import FAKE_PDF, HTML_AS_PDF, real_png

ATOM = "{http://www.w3.org/2005/Atom}"


def make_post(days: float | None = -1, **kw) -> NewsPost:
    values = dict(title="Une nouvelle", body="Du **texte**.")
    values.update(kw)
    published_at = None if days is None else utcnow() + timedelta(days=days)
    p = NewsPost(published_at=published_at, **values)
    db.session.add(p)
    db.session.commit()
    return p


def form(**kw) -> dict:
    data = {"title": "Nouvelle cohorte", "en_title": "", "body": "Bienvenue!", "en_body": "",
            "picture_alt": "", "en_picture_alt": "", "publish": "now",
            "publish_date": "", "publish_time": ""}  # fmt: skip
    data.update(kw)
    return data


@pytest.fixture
def team(client):
    login(client, make_coordinator())
    return client


def titles(html: str) -> list[str]:
    return re.findall(r'<h3><a href="/news/\d+"[^>]*>(.*?)</a></h3>', html)


def test_only_published_posts_are_listed_newest_first(client):
    make_post(-5, title="Ancienne")
    make_post(-1, title="Récente")
    make_post(2, title="Prévue")
    make_post(None, title="Brouillon")
    assert titles(client.get("/news/").get_data(as_text=True)) == ["Récente", "Ancienne"]


def test_a_page_past_the_end_leads_back_to_the_last_page(client):
    for i in range(12):
        make_post(-1 - i, title=f"Nouvelle {i}")
    html = client.get("/news/?page=30").get_data(as_text=True)
    assert titles(html) == []
    # An old link or a tampered number: one step back reaches the last page (2), not 29.
    assert '<a href="/news/?page=2" rel="prev">' in html
    assert 'rel="next"' not in html
    last = client.get("/news/?page=2").get_data(as_text=True)
    assert titles(last) == ["Nouvelle 10", "Nouvelle 11"]
    assert '<a href="/news/?page=1" rel="prev">' in last


def test_drafts_and_scheduled_posts_are_404_for_visitors_not_for_coordinators(client, app):
    draft = make_post(None)
    later = make_post(3)
    assert client.get(f"/news/{draft.id}").status_code == 404
    assert client.get(f"/news/{later.id}").status_code == 404
    login(client, make_coordinator())
    assert "Brouillon : non publiée" in client.get(f"/news/{draft.id}").get_data(as_text=True)
    assert client.get(f"/news/{later.id}").status_code == 200


def test_the_home_page_shows_the_latest_three(client):
    for i in range(5):
        make_post(-10 + i, title=f"N{i}")
    html = client.get("/").get_data(as_text=True)
    section = re.search(r'<section aria-labelledby="home-news-title">(.*?)</section>', html, re.S)
    assert titles(section.group(1)) == ["N4", "N3", "N2"]


def test_markdown_with_script_and_javascript_links_is_neutralised_on_the_page(client):
    p = make_post(body="Salut <script>alert(1)</script> [clic](javascript:alert(1)) "
                       '<img src=x onerror="alert(1)"> **gras**')  # fmt: skip
    html = client.get(f"/news/{p.id}").get_data(as_text=True)
    article = re.search(r"<article>(.*?)</article>", html, re.S).group(1)
    assert "<script>" not in article and 'href="javascript:' not in article
    assert "<img src=x" not in article
    assert "<strong>gras</strong>" in article


def test_an_english_reader_gets_english_or_the_french_marked(client):
    both = make_post(title="Lancement", title_en="Launch", body="Texte", body_en="Text")
    fr_only = make_post(title="Seulement en français", body="Texte")
    html = client.get(f"/news/{both.id}?lang=en").get_data(as_text=True)
    assert "<h1>Launch</h1>" in html and "<p>Text</p>" in html
    html = client.get(f"/news/{fr_only.id}?lang=en").get_data(as_text=True)
    assert '<h1 lang="fr">Seulement en français</h1>' in html
    assert '<p class="fallback-note">Content offered in French</p>' in html
    assert '<div class="prose" lang="fr"><p>Texte</p>' in html


def test_the_atom_feed_is_valid_xml_with_published_posts_only(client):
    make_post(-1, title="Publiée <&>", body="[lien](javascript:x) et *mot*")
    make_post(1, title="Prévue")
    response = client.get("/news/feed.atom")
    assert response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.data)  # noqa: S314 - our own feed
    entries = root.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["Publiée <&>"]
    content = entries[0].find(f"{ATOM}content").text
    assert "<em>mot</em>" in content and 'href="javascript:' not in content
    assert entries[0].find(f"{ATOM}id").text.startswith("https://communaute.example/news/")


def test_manage_is_for_coordinators(client):
    assert client.get("/news/manage/").headers["Location"].startswith("/auth/login")
    login(client, make_member())
    assert client.get("/news/manage/").status_code == 403
    assert post(client, "/news/manage/new", form(), form_page="/me").status_code == 403


def test_a_coordinator_publishes_now_schedules_and_keeps_drafts(team):
    assert post(team, "/news/manage/new", form(title="Maintenant")).status_code == 302
    assert (
        post(team, "/news/manage/new", form(title="Brouillon", publish="draft")).status_code == 302
    )
    response = post(team, "/news/manage/new", form(title="Plus tard", publish="later",
                    publish_date="2030-03-01", publish_time="09:00"))  # fmt: skip
    assert response.status_code == 302
    rows = {p.title: p for p in db.session.scalars(select(NewsPost))}
    assert rows["Maintenant"].state() == "published"
    assert rows["Brouillon"].published_at is None
    assert rows["Plus tard"].published_at.isoformat() == "2030-03-01T14:00:00+00:00"
    html = team.get(f"/news/manage/{rows['Plus tard'].id}").get_data(as_text=True)
    assert (
        'value="later" checked' in html
        or 'checked value="later"' in html
        or re.search(
            r'<input[^>]*checked[^>]*value="later"|<input[^>]*value="later"[^>]*checked', html
        )
    )
    assert 'value="2030-03-01"' in html and 'value="09:00"' in html


@pytest.mark.parametrize(
    ("data", "error_id"),
    [
        ({"publish": "later", "publish_date": "", "publish_time": "09:00"}, "publish_date"),
        ({"publish": "later", "publish_date": "2030-03-01", "publish_time": ""}, "publish_time"),
        (
            {"publish": "later", "publish_date": "2027-03-14", "publish_time": "02:30"},
            "publish_time",
        ),
        (
            {"publish": "later", "publish_date": "9999-01-01", "publish_time": "09:00"},
            "publish_date",
        ),
        (
            {"publish": "later", "publish_date": "2030-02-30", "publish_time": "09:00"},
            "publish_date",
        ),
        ({"publish": "n'importe"}, "publish"),
        ({"title": ""}, "title"),
        ({"title": "x" * 300}, "title"),
        ({"body": ""}, "body"),
        ({"title": "Ligne\nbrisée"}, "title"),
    ],
)
def test_hostile_or_impossible_input_is_refused_next_to_its_field(team, data, error_id):
    response = post(team, "/news/manage/new", form(**data))
    assert response.status_code == 200
    assert f'id="{error_id}-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(NewsPost)) == 0


def _with_picture(team, content: bytes, name="photo.png", **kw):
    data = form(**kw)
    data["picture"] = (io.BytesIO(content), name)
    return post(team, "/news/manage/new", data, content_type="multipart/form-data")


def test_a_picture_needs_its_text_alternative_and_is_served_as_an_image(team):
    response = _with_picture(team, real_png())
    assert response.status_code == 200
    assert 'id="picture_alt-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(NewsPost)) == 0
    response = _with_picture(team, real_png(), picture_alt="Trois personnes autour d’une table")
    assert response.status_code == 302
    p = db.session.scalars(select(NewsPost)).one()
    served = team.get(f"/news/{p.id}/picture")
    assert served.mimetype == "image/png"
    html = team.get(f"/news/{p.id}").get_data(as_text=True)
    assert (
        f'<img class="news-picture" src="/news/{p.id}/picture" alt="Trois personnes autour d’une table">'
        in html
    )


@pytest.mark.parametrize("content", [FAKE_PDF, HTML_AS_PDF, b"\x89PNG\r\n\x1a\n" + b"0" * 100])
def test_what_is_not_a_picture_is_refused(team, content):
    response = _with_picture(team, content, name="photo.png", picture_alt="Une photo")
    assert response.status_code == 200
    assert "n’est pas une image" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(NewsPost)) == 0


def test_the_picture_is_saved_again_without_what_the_camera_wrote(team, app):
    from PIL import Image

    out = io.BytesIO()
    image = Image.new("RGB", (30, 20))
    exif = Image.Exif()
    exif[0x010F] = "Appareil secret"  # Make
    image.save(out, format="JPEG", exif=exif.tobytes())
    _with_picture(team, out.getvalue() + b"<script>cache</script>", name="p.jpg",
                  picture_alt="Une photo")  # fmt: skip
    p = db.session.scalars(select(NewsPost)).one()
    with open(app.instance_path + "/uploads/" + p.picture_name, "rb") as f:
        stored = f.read()
    assert b"Appareil secret" not in stored and b"<script>" not in stored
    assert p.picture_name.endswith(".jpg")


def test_erasing_the_author_keeps_the_post(team, app):
    coordinator = make_coordinator()
    p = make_post(author_id=coordinator.id)
    from communaute.news.services import erase_author

    erase_author(coordinator)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(NewsPost, p.id).author_id is None


def test_the_demo_is_idempotent(app):
    coordinator = make_coordinator()
    assert demo.load(coordinator)
    assert demo.load(coordinator) == []
    db.session.commit()
    states = sorted(p.state() for p in db.session.scalars(select(NewsPost)))
    assert states == ["draft", "published", "published", "published", "scheduled"]


def test_the_news_list_and_feed_have_a_query_budget(client):
    for i in range(3):
        make_post(-i - 1, title=f"N{i}")
    small = page_queries(client, "/news/").count
    feed = page_queries(client, "/news/feed.atom").count
    for i in range(25):
        make_post(-i - 5, title=f"M{i}")
    assert page_queries(client, "/news/").count == small <= 4
    assert page_queries(client, "/news/feed.atom").count == feed <= 3
