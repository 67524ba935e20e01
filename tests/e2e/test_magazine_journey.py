"""A caregiver's testimony, from the submit form to the magazine page, in a real browser."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from communaute.auth.models import Participation
from communaute.extensions import db
from communaute.magazine.models import Submission, SubmissionState
from tests.e2e.conftest import axe_check, give_the_code_if_asked
from tests.factories import PASSWORD, make_coordinator, make_member


def log_in(page, base: str, email: str) -> None:
    page.goto(base + "/auth/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    give_the_code_if_asked(page)
    page.wait_for_url(lambda url: "/me" in url or "/coordination" in url)


def test_caregiver_submits_under_a_pen_name_and_it_is_published(live_server, browser, page):
    with live_server.app.app_context():
        make_member(
            "aidante@exemple.ca", name="Josée Bouchard", participation=Participation.caregiver
        )
        make_coordinator("coordo@exemple.ca", name="Coordination")
        db.session.commit()
    base = live_server.url

    # The caregiver writes and sends her testimony, signed with a pen name.
    log_in(page, base, "aidante@exemple.ca")
    page.goto(base + "/magazine/submit")
    axe_check(page, context="submit")
    page.fill("#title", "Les nuits à l'hôpital")
    page.fill("#text", "Ma mère a passé trois mois à l'hôpital.\n\nJ'y dormais souvent.")
    page.check("input[name=perspective][value=caregiver]")
    page.check("input[name=byline][value=pen_name]")
    page.fill("#pen_name", "Lavande")
    page.check("input[name=third_party][value=agreed]")
    page.check("#consent_web")
    page.click("button[name=send]")
    page.wait_for_url("**/magazine/submissions/*")
    assert "Envoyé" in page.inner_text("main")
    submission_url = page.url

    # A coordinator asks for a change.
    team = browser.new_context(locale="fr-CA")
    coord = team.new_page()
    log_in(coord, base, "coordo@exemple.ca")
    coord.goto(base + "/magazine/review/")
    axe_check(coord, context="review queue")
    coord.click("text=Les nuits à l'hôpital")
    axe_check(coord, context="review page")
    coord.fill("#message", "Pouvez-vous retirer le nom de l'hôpital ?")
    coord.get_by_role("button", name="Demander des changements").click()
    coord.wait_for_load_state()
    # First the email the author will get, in their words; nothing is done yet.
    assert coord.get_by_role("heading", level=1).inner_text().startswith("Vérifiez le courriel")
    assert (
        "Pouvez-vous retirer le nom de l'hôpital ?" in coord.locator(".email-preview").inner_text()
    )
    axe_check(coord, context="decision preview")
    coord.get_by_role("button", name="Confirmer : Demander des changements").click()
    coord.wait_for_load_state()
    assert "Changements demandés" in coord.inner_text("main")

    # The caregiver reads the request, edits and sends again.
    page.goto(submission_url)
    assert "Pouvez-vous retirer le nom de l'hôpital ?" in page.inner_text("main")
    page.click("text=Modifier et renvoyer")
    page.fill("#text", "Ma mère a passé trois mois dans un hôpital.\n\nJ'y dormais souvent.")
    page.click("button[name=send]")
    page.wait_for_url("**/magazine/submissions/*")
    assert "Envoyé" in page.inner_text("main")

    # The coordinator accepts, then publishes.
    coord.reload()
    coord.get_by_role("button", name="Accepter", exact=True).click()
    coord.get_by_role("button", name="Confirmer : Accepter").click()
    coord.wait_for_load_state()
    coord.get_by_role("button", name="Publier sur le site Web").click()
    coord.get_by_role("button", name="Confirmer : Publier sur le site Web").click()
    coord.wait_for_load_state()
    assert "Publié" in coord.inner_text("main")
    team.close()

    # It is on the magazine page, under the pen name only.
    page.goto(base + "/magazine/")
    axe_check(page, context="magazine")
    main = page.inner_text("main")
    assert "Les nuits à l'hôpital" in main and "Lavande" in main
    assert "Josée" not in main and "Bouchard" not in main
    page.click("text=Les nuits à l'hôpital")
    assert "dans un hôpital" in page.inner_text("main")
    axe_check(page, context="testimony")
    with live_server.app.app_context():
        sub = db.session.scalar(select(Submission))
        assert sub.state == SubmissionState.published
        db.session.remove()


def test_live_character_count_and_diff_page_pass_axe(live_server, page):
    from communaute.magazine import services
    from tests.magazine.conftest import make_submission

    app = live_server.app
    with app.app_context(), app.test_request_context("/"):
        author = make_member("auteur@exemple.ca", name="Paul Roy")
        coordinator = make_coordinator("c@exemple.ca")
        sub = make_submission(author, coordinator, SubmissionState.accepted, byline="anonymous")
        services.coordinator_edit_text(
            sub, sub.text.replace("Mon père", "Mon proche"), actor=coordinator
        )
        db.session.commit()
        sub_id = sub.id
        db.session.remove()
    log_in(page, live_server.url, "auteur@exemple.ca")
    page.goto(live_server.url + "/magazine/submit")
    page.fill("#text", "abc" * 10)
    expect(page.locator("#text-count")).to_have_text("30 caractères sur 20\u00a0000")
    page.fill("#text", "x" * 20_003)
    expect(page.locator("#text-count")).to_have_text("20\u00a0003 caractères : 3 de trop")
    page.goto(live_server.url + f"/magazine/submissions/{sub_id}")
    assert page.locator("table.diff del").count() >= 1
    axe_check(page, context="submission with diff")
