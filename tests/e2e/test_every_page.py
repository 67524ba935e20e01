"""Every page a visitor, a member and a coordinator opens, with the demo content, on a 390 px
phone and a 1280 px desk, in French and in English: axe finds no serious or critical
violation, the page never scrolls sideways (wide tables scroll inside their own box), and
what was written in French is marked lang="fr" on the English pages."""

import pytest
from sqlalchemy import select

from tests.e2e.conftest import ARTIFACTS, axe_check, give_the_code_if_asked
from tests.factories import PASSWORD, make_coordinator, make_member

WIDTHS = {"phone": (390, 844), "desk": (1280, 900)}


def demo_paths(app):
    from communaute.auth.models import User
    from communaute.db import utcnow
    from communaute.demo import load_demo
    from communaute.extensions import db
    from communaute.magazine.models import Submission, SubmissionState
    from communaute.trainings.models import Course, TrainingSession
    from communaute.webinars.models import Webinar

    with app.app_context():
        list(load_demo())
        make_member("every-page@exemple.ca")
        make_coordinator("every-page-coord@exemple.ca")
        # A course offered in French only (the English page marks it), and one with English.
        course = db.session.scalars(
            select(Course).where(Course.published, Course.title_en.is_(None))
        ).first()
        english = db.session.scalars(
            select(Course).where(Course.published, Course.title_en.is_not(None))
        ).first()
        session = db.session.scalars(select(TrainingSession)).first()
        webinar = db.session.scalars(select(Webinar).order_by(Webinar.start_at.desc())).first()
        past = db.session.scalars(
            select(Webinar).where(Webinar.start_at < utcnow()).order_by(Webinar.start_at.desc())
        ).first()
        person = db.session.scalar(select(User).where(User.email == "every-page@exemple.ca"))
        testimony = db.session.scalars(
            select(Submission).where(Submission.state == SubmissionState.published)
        ).first()
        visitor = [
            "/",
            "/trainings/",
            f"/trainings/{course.slug}",
            "/webinars/",
            f"/webinars/{webinar.id}",
            "/magazine/",
            f"/magazine/{testimony.id}",
            "/privacy",
            "/auth/login",
            "/auth/register",
            f"/trainings/{english.slug}",
        ]
        member = ["/me", "/auth/profile", "/auth/mail", "/auth/export/page", "/magazine/submit"]
        coordinator = [
            "/coordination",
            "/trainings/manage/",
            f"/trainings/manage/courses/{course.id}/sessions",
            f"/trainings/manage/sessions/{session.id}",
            "/webinars/manage/",
            f"/webinars/{webinar.id}/attendance",
            f"/webinars/manage/{webinar.id}/announce",
            "/webinars/manage/report",
            "/magazine/review/",
            f"/magazine/review/{testimony.id}",
            "/outbox/",
            "/security/",
            "/coordination/",
            f"/coordination/messages/webinar/{webinar.id}",
            f"/coordination/attendance/webinar/{past.id}/import",
            f"/coordination/checkin/webinar/{past.id}",
            "/coordination/people/",
            f"/coordination/people/{person.id}",
            "/webinars/manage/new",
        ]
    return visitor, member, coordinator


def log_in(page, base, email):
    page.goto(base + "/auth/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.locator("main form.form button[type=submit]").click()
    give_the_code_if_asked(page)


def check(page, url, context):
    response = page.goto(url)
    assert response.status == 200, f"{context}: {response.status}"
    width = page.evaluate("window.innerWidth")
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width + 1, f"{context}: the page is {scroll} px wide on a {width} px screen"
    axe_check(page, context=context)


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("width", ["phone", "desk"])
def test_every_page_at_both_widths_in_both_languages(live_server, browser, width, lang):
    visitor, member, coordinator = demo_paths(live_server.app)
    w, h = WIDTHS[width]
    base = live_server.url
    for who, paths in (("visitor", visitor), ("member", member), ("coordinator", coordinator)):
        context = browser.new_context(locale="fr-CA", viewport={"width": w, "height": h})
        page = context.new_page()
        page.set_default_timeout(15000)
        page.goto(f"{base}/?lang={lang}")  # the language is kept in the session from here
        if who == "member":
            log_in(page, base, "every-page@exemple.ca")
        elif who == "coordinator":
            log_in(page, base, "every-page-coord@exemple.ca")
        try:
            for path in paths:
                sep = "&" if "?" in path else "?"
                check(page, f"{base}{path}{sep}lang={lang}", f"{who} {path} {lang} {w}px")
                assert page.locator("html").get_attribute("lang") == lang
        except AssertionError:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"every-page-{who}-{width}-{lang}.png"))
            raise
        finally:
            context.close()


def test_french_content_is_marked_french_on_english_pages_in_the_browser(live_server, page):
    visitor, _, _ = demo_paths(live_server.app)
    course_path = visitor[2]
    page.goto(f"{live_server.url}{course_path}?lang=en")
    heading = page.locator("h1")
    assert heading.get_attribute("lang") == "fr"
    assert page.locator(".content-note").inner_text() == "Content offered in French"
    assert page.get_by_text("Format").count() >= 1  # the interface itself stays English
    # A course with its English: read in English, not marked French, no note.
    page.goto(f"{live_server.url}{visitor[-1]}?lang=en")
    assert page.locator("h1").get_attribute("lang") is None
    assert page.locator(".content-note").count() == 0
