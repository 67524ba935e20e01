"""The pages the gaps of issues 12 and 14 added or changed, in the browser: the steps of an
activity (edit, move), the coordination home with a request waiting, the public check of an
activity's attestation; axe at 390 and 1280 px, in French and in English."""

import pytest
from sqlalchemy import select

from tests.e2e.conftest import axe_check
from tests.e2e.test_every_page import WIDTHS, check, log_in
from tests.factories import make_coordinator, make_member


def gap_paths(app):
    from communaute.coordination.certificates import issue_for_completion
    from communaute.demo import load_demo
    from communaute.extensions import db
    from communaute.requests.models import (
        CollaborationRequest,
        MeetingLanguages,
        RequestKind,
    )
    from communaute.trainings import activities
    from communaute.trainings.activity_demo import SLUG
    from communaute.trainings.models import Course, Registration, RegistrationState

    with app.app_context():
        list(load_demo())
        make_coordinator("gaps-coord@exemple.ca")
        member = make_member("gaps-member@exemple.ca", full_name="Léa Côté")
        course = db.session.scalar(select(Course).where(Course.slug == SLUG))
        step = activities.steps_of(course)[0]
        reg = Registration(
            course_id=course.id, user_id=member.id, state=RegistrationState.confirmed
        )
        db.session.add(reg)
        db.session.flush()
        completion = activities.ActivityCompletion(registration_id=reg.id)
        db.session.add(completion)
        db.session.flush()
        cert = issue_for_completion(completion)
        db.session.add(
            CollaborationRequest(
                name="Dre Amélie Tremblay",
                organisation="CHUM",
                position="Chercheuse",
                email="amelie@exemple.ca",
                kind=RequestKind.research_project,
                project="Une étude.",
                involvement="Quatre rencontres.",
                dates="2027",
                compensation="50 $",
                meeting_languages=MeetingLanguages.fr,
            )
        )
        db.session.commit()
        return [
            f"/trainings/manage/courses/{course.id}/steps",
            f"/trainings/manage/courses/{course.id}/steps/{step.id}/edit",
            "/coordination/",
        ], f"/certificates/{cert.code}"


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("width", ["phone", "desk"])
def test_gap_pages_pass_axe(live_server, browser, width, lang):
    coordinator_paths, public = gap_paths(live_server.app)
    w, h = WIDTHS[width]
    base = live_server.url
    context = browser.new_context(locale="fr-CA", viewport={"width": w, "height": h})
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        page.goto(f"{base}/?lang={lang}")
        check(page, f"{base}{public}?lang={lang}", f"visitor {public} {lang} {w}px")
        log_in(page, base, "gaps-coord@exemple.ca")
        for path in coordinator_paths:
            check(page, f"{base}{path}?lang={lang}", f"coordinator {path} {lang} {w}px")
        # The move buttons are real targets (44 px at least) and work without script.
        page.goto(f"{base}{coordinator_paths[0]}?lang={lang}")
        rows = page.locator("main ol > li")
        for button in rows.locator("form.inline button.button").all():
            assert button.bounding_box()["height"] >= 44, button.inner_text()
        first = rows.first.locator("a").first.inner_text()
        rows.first.locator("button").first.click()  # the first step: down
        page.wait_for_load_state()
        assert page.locator("main ol > li").nth(1).locator("a").first.inner_text() == first
        axe_check(page, context=f"after a move {lang} {w}px")
    finally:
        context.close()
