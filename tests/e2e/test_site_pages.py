"""The rest of the site in the browser (issue 14): axe on every new page, fr and en, at
1280 and 390 px; a request made from the form and answered by a coordinator."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.e2e.conftest import axe_check, give_the_code_if_asked
from tests.factories import PASSWORD, make_coordinator

WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}


@pytest.fixture
def site(live_server):
    """The demo content, a coordinator, and a request in the queue."""
    from communaute.demo import load_demo
    from communaute.extensions import db
    from communaute.news.models import NewsPost
    from communaute.publications.models import Publication
    from communaute.requests import services as requests
    from communaute.resources.models import Resource

    with live_server.app.app_context():
        list(load_demo())
        coordinator = make_coordinator("coord.site@exemple.ca")
        req = requests.submit_request(
            name="Dre Amélie Tremblay", organisation="CHUM", position="Chercheuse",
            email="amelie@exemple.ca", phone=None, kind="research_project",
            project="Une étude.", involvement="Quatre rencontres.", dates="2027",
            compensation="50 $ par rencontre", meeting_languages="fr", accessibility="",
            language="fr",
        )  # fmt: skip
        requests.send_team_message(req, "Bonjour!", actor=coordinator)
        db.session.commit()
        ids = {
            "resource": db.session.scalar(
                select(Resource.id).where(Resource.transcript.is_not(None))
            ),
            "news": db.session.scalars(select(NewsPost.id).order_by(NewsPost.id)).first(),
            "publication": db.session.scalar(select(Publication.id)),
            "request": req.id,
            "follow": requests.private_token(req),
        }
        db.session.remove()
    return ids


def public_paths(ids):
    return [
        "/", "/requests/new", "/requests/sent", f"/requests/follow/{ids['follow']}",
        "/resources/", "/resources/?kind=video&language=fr", f"/resources/{ids['resource']}",
        "/news/", f"/news/{ids['news']}", "/publications/", f"/publications/{ids['publication']}",
        "/portraits/", "/pages/mandat", "/pages/accessibilite",
    ]  # fmt: skip


TEAM_PATHS = [
    "/requests/", "/requests/{request}", "/resources/manage/", "/resources/manage/new",
    "/news/manage/", "/news/manage/new", "/publications/manage/", "/publications/manage/new",
    "/portraits/manage/", "/portraits/manage/new", "/pages/manage/", "/pages/manage/new",
]  # fmt: skip


@pytest.mark.e2e
@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("width", list(WIDTHS))
def test_new_public_pages_pass_axe(live_server, site, browser, width, lang):
    w, h = WIDTHS[width]
    context = browser.new_context(viewport={"width": w, "height": h}, locale="fr-CA")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/?lang={lang}")
        for path in public_paths(site):
            page.goto(live_server.url + path)
            assert page.locator("html").get_attribute("lang") == lang, path
            axe_check(page, context=f"{path} {lang} {width}")
            # Nothing sticks out sideways on a phone.
            overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
            assert not overflow, f"{path} scrolls sideways at {w} px"
    finally:
        context.close()


@pytest.mark.e2e
@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("width", list(WIDTHS))
def test_new_coordinator_pages_pass_axe(live_server, site, browser, width, lang):
    w, h = WIDTHS[width]
    context = browser.new_context(viewport={"width": w, "height": h}, locale="fr-CA")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/auth/login?lang={lang}")
        page.locator("#email").fill("coord.site@exemple.ca")
        page.locator("#password").fill(PASSWORD)
        page.locator("main form.form button[type=submit]").click()
        give_the_code_if_asked(page)
        for path in TEAM_PATHS:
            page.goto(live_server.url + path.format(**site))
            assert page.url.endswith(path.format(**site)), page.url
            axe_check(page, context=f"{path} {lang} {width}")
    finally:
        context.close()


@pytest.mark.e2e
def test_a_request_from_the_header_link_to_the_thank_you_page(live_server, page, monkeypatch):
    from communaute.requests import services

    monkeypatch.setattr(services, "MIN_FILL_SECONDS", 0)
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Faire une demande").first.click()
    page.locator("#name").fill("Dre Amélie Tremblay")
    page.locator("#organisation").fill("Centre de recherche du CHUM")
    page.locator("#position").fill("Chercheuse")
    page.locator("#email").fill("amelie@exemple.ca")
    page.get_by_label("Des patientes et patients partenaires pour un projet de recherche").check()
    page.locator("#project").fill("Une étude sur le retour au travail.")
    page.locator("#involvement").fill("Quatre rencontres.")
    page.locator("#dates").fill("Printemps 2027")
    page.locator("#compensation").fill("50 $ par rencontre")
    page.get_by_label("En français", exact=True).check()
    page.get_by_role("button", name="Envoyer ma demande").click()
    page.wait_for_url("**/requests/sent")
    assert page.locator("h1").inner_text() == "Merci, votre demande a été envoyée"
    axe_check(page, context="sent")


@pytest.mark.e2e
@pytest.mark.parametrize("width", list(WIDTHS))
def test_a_member_goes_through_a_self_paced_activity(live_server, browser, width):
    """Register, each step with axe, the reflection answered, completion on /me."""
    from communaute.demo import DEMO_MEMBER, load_demo

    with live_server.app.app_context():
        list(load_demo())
        from communaute.extensions import db

        db.session.remove()
    w, h = WIDTHS[width]
    context = browser.new_context(viewport={"width": w, "height": h}, locale="fr-CA")
    page = context.new_page()
    try:
        page.goto(live_server.url + "/auth/login")
        page.locator("#email").fill(DEMO_MEMBER[0])
        page.locator("#password").fill(DEMO_MEMBER[1])
        page.locator("main form.form button[type=submit]").click()
        page.wait_for_url(lambda url: "/auth/login" not in url)
        page.goto(live_server.url + "/trainings/savoir-experientiel-a-son-rythme")
        page.get_by_role("button", name="M’inscrire et recevoir le matériel").click()
        page.get_by_role("link", name="Commencer l’activité").click()
        for _ in range(3):
            axe_check(page, context=f"step {page.url} {width}")
            page.get_by_role("button", name="C’est fait, étape suivante").click()
        axe_check(page, context=f"reflection {width}")
        page.locator("#answer").fill("La fatigue ne se voit pas.")
        page.get_by_role("button", name="C’est fait, terminer l’activité").click()
        page.wait_for_url("**/trainings/savoir-experientiel-a-son-rythme#materiel")
        assert "Vous avez terminé cette activité" in page.content()
        page.goto(live_server.url + "/me")
        assert page.get_by_text(re.compile("Terminée le")).count() >= 1
        axe_check(page, context=f"/me {width}")
    finally:
        context.close()
