"""Portraits: shown only with a recorded consent, withdrawn by a coordinator or the person."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from communaute.extensions import db
from communaute.portraits import demo, services
from communaute.portraits.models import Portrait, PortraitConsentMove
from tests.factories import PASSWORD, login, make_coordinator, make_member, post
from tests.querycount import page_queries
from tests.uploads_helpers import HTML_AS_PDF, real_png


def make_portrait(*, consent=True, user=None, actor=None, **kw) -> Portrait:
    values = dict(name="Mathieu Lavoie", role="Patient partenaire",
                  quote="J’avais une espérance de vie de 18 ans, et j’en ai aujourd’hui 45.")  # fmt: skip
    values.update(kw)
    p = Portrait(published=True, user_id=user.id if user else None, **values)
    db.session.add(p)
    if consent:
        services.record_consent(p, consent_on=date(2025, 9, 15), note="Formulaire signé",
                                actor=actor or make_coordinator())  # fmt: skip
    db.session.commit()
    return p


def form(**kw) -> dict:
    data = {"name": "Louise Bélanger", "role": "Patiente partenaire", "en_role": "",
            "quote": "Ma voix compte.", "en_quote": "", "photo_alt": "", "en_photo_alt": "",
            "account_email": "", "consent": "y", "consent_on": "2025-10-02",
            "consent_note": "Formulaire signé", "published": "y"}  # fmt: skip
    data.update(kw)
    return data


def names(html: str) -> list[str]:
    return re.findall(r"<figcaption>([^,<]+),", html)


def test_only_portraits_with_consent_are_shown(client):
    make_portrait(name="Avec")
    make_portrait(name="Sans", consent=False)
    withdrawn = make_portrait(name="Retiré")
    services.withdraw_consent(withdrawn, actor=make_coordinator())
    db.session.commit()
    assert names(client.get("/portraits/").get_data(as_text=True)) == ["Avec"]


def test_the_home_page_shows_one_in_turn(client, app):
    make_portrait(name="Un")
    make_portrait(name="Deux")
    seen = set()
    for hour in range(4):
        now = datetime(2026, 12, 1, hour, tzinfo=UTC)
        seen.add(services.portrait_in_turn(now).name)
    assert seen == {"Un", "Deux"}
    html = client.get("/").get_data(as_text=True)
    section = re.search(
        r'<section aria-labelledby="home-portrait-title">(.*?)</section>', html, re.S
    )
    assert len(names(section.group(1))) == 1


def test_the_english_quote_or_the_french_marked(client):
    make_portrait(quote="Ma voix compte.", quote_en=None, role_en="Patient partner")
    html = client.get("/portraits/?lang=en").get_data(as_text=True)
    assert '<blockquote lang="fr"><p>« Ma voix compte. »</p></blockquote>' in html
    assert "Patient partner" in html and "Content offered in French" in html


def test_a_coordinator_records_the_consent_and_its_withdrawal(client):
    coordinator = make_coordinator(name="Josée")
    login(client, coordinator)
    assert post(client, "/portraits/manage/new", form()).status_code == 302
    p = db.session.scalars(select(Portrait)).one()
    assert p.consent_on == date(2025, 10, 2)
    assert p.consent_recorded_by_id == coordinator.id
    assert p.shown
    page = f"/portraits/manage/{p.id}"
    assert "consigné par Josée" in client.get(page).get_data(as_text=True)
    assert post(client, f"{page}/withdraw", form_page=page).status_code == 302
    db.session.expire_all()
    p = db.session.get(Portrait, p.id)
    assert not p.shown and p.withdrawn_by_id == coordinator.id
    assert [m.move.value for m in p.moves] == ["given", "withdrawn"]
    assert names(client.get("/portraits/").get_data(as_text=True)) == []


def test_without_consent_nothing_is_shown_and_a_date_is_needed(client):
    login(client, make_coordinator())
    post(client, "/portraits/manage/new", form(consent=""))
    assert not db.session.scalars(select(Portrait)).one().shown
    bad = post(client, "/portraits/manage/new", form(consent_on=""))
    assert 'id="consent_on-error"' in bad.get_data(as_text=True)
    bad = post(client, "/portraits/manage/new", form(consent_on="2099-01-01"))
    assert "dans le futur" in bad.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Portrait)) == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", ""), ("name", "https://spam.example"), ("quote", "x" * 700),
     ("account_email", "personne@exemple.ca"), ("account_email", "a@b.ca\r\nBcc: c@d.ca"),
     ("consent_on", "2025-13-01")],
)  # fmt: skip
def test_hostile_input_is_refused_next_to_its_field(client, field, value):
    login(client, make_coordinator())
    response = post(client, "/portraits/manage/new", form(**{field: value}))
    assert response.status_code == 200
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Portrait)) == 0


def test_a_photo_needs_its_alternative_and_must_be_a_picture(client):
    login(client, make_coordinator())

    def send(content, **kw):
        data = form(**kw)
        data["photo"] = (io.BytesIO(content), "photo.png")
        return post(client, "/portraits/manage/new", data, content_type="multipart/form-data")

    assert 'id="photo_alt-error"' in send(real_png()).get_data(as_text=True)
    assert 'id="photo-error"' in send(HTML_AS_PDF, photo_alt="Un sourire").get_data(as_text=True)
    assert send(real_png(), photo_alt="Un homme qui sourit").status_code == 302
    p = db.session.scalars(select(Portrait)).one()
    html = client.get("/portraits/").get_data(as_text=True)
    assert f'src="/portraits/{p.id}/photo" alt="Un homme qui sourit"' in html
    assert client.get(f"/portraits/{p.id}/photo").mimetype == "image/png"


def test_the_member_sees_their_portrait_and_withdraws_it_themself(app, client):
    member = make_member("mathieu@exemple.ca")
    p = make_portrait(user=member)
    other = make_portrait(name="Autre")
    login(client, member)
    html = client.get("/me").get_data(as_text=True)
    assert "Mon portrait sur le site" in html
    # Someone else's portrait: 404, not withdrawn.
    assert post(client, f"/portraits/{other.id}/withdraw", form_page="/me").status_code == 404
    assert post(client, f"/portraits/{p.id}/withdraw", form_page="/me").status_code == 302
    db.session.expire_all()
    assert not db.session.get(Portrait, p.id).shown
    assert db.session.get(Portrait, other.id).shown
    assert db.session.get(Portrait, p.id).withdrawn_by_id == member.id


def test_withdrawing_needs_a_login_and_a_coordinator_for_the_tools(client):
    p = make_portrait()
    assert client.post(f"/portraits/{p.id}/withdraw").status_code in (302, 400)
    login(client, make_member())
    assert client.get("/portraits/manage/").status_code == 403
    assert post(client, f"/portraits/manage/{p.id}/withdraw", form_page="/me").status_code == 403


def test_export_and_erase_cover_the_portrait(app, client):
    member = make_member("mathieu@exemple.ca")
    make_portrait(user=member)
    login(client, member)
    data = json.loads(client.get("/auth/export").get_data(as_text=True))
    [mine] = data["portraits"]
    assert mine["consent_on"] == "2025-09-15"
    post(client, "/auth/delete", {"password": PASSWORD, "understand": "y"})
    assert db.session.scalar(select(func.count()).select_from(Portrait)) == 0
    assert db.session.scalar(select(func.count()).select_from(PortraitConsentMove)) == 0


def test_erasing_the_coordinator_keeps_the_consent_dates(app):
    coordinator = make_coordinator()
    p = make_portrait(actor=coordinator)
    services.erase_portraits(coordinator)
    db.session.commit()
    db.session.expire_all()
    p = db.session.get(Portrait, p.id)
    assert p.consent_on == date(2025, 9, 15) and p.consent_recorded_by_id is None
    assert p.moves[0].actor_id is None


def test_the_demo_once_with_consents(app):
    coordinator = make_coordinator()
    assert demo.load(coordinator) and demo.load(coordinator) == []
    db.session.commit()
    assert all(p.shown for p in db.session.scalars(select(Portrait)))


def test_the_list_has_a_query_budget(client):
    actor = make_coordinator()
    for i in range(2):
        make_portrait(name=f"P{i}", actor=actor)
    small = page_queries(client, "/portraits/").count
    for i in range(15):
        make_portrait(name=f"Q{i}", actor=actor)
    assert page_queries(client, "/portraits/").count == small <= 4
