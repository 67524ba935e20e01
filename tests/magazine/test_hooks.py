"""What the magazine adds to the platform: demo content, home block, coordination link."""

from __future__ import annotations

from sqlalchemy import func, select

from communaute.demo import load_demo
from communaute.extensions import db
from communaute.magazine.models import Byline, Edition, Submission, SubmissionState, Theme
from tests.factories import login


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_demo_loads_published_testimonies_once(app, client):
    list(load_demo())
    first = (count(Submission), count(Theme), count(Edition))
    list(load_demo())
    assert (count(Submission), count(Theme), count(Edition)) == first
    published = db.session.scalars(
        select(Submission).where(Submission.state == SubmissionState.published)
    ).all()
    assert len(published) >= 3
    assert {s.byline for s in published} == set(Byline)
    assert len({s.form for s in published}) >= 3
    html = client.get("/magazine/").get_data(as_text=True)
    assert "Lavande" in html and "Anonyme" in html
    home = client.get("/").get_data(as_text=True)
    assert "Derniers témoignages" in home and "Héron bleu" in home


def test_coordination_page_links_to_the_queue(app, client, coordinator):
    login(client, coordinator)
    html = client.get("/coordination").get_data(as_text=True)
    assert "/magazine/review/" in html
