"""A member finds a course with the filters, registers, sees it in /me, cancels; axe on the way."""

from __future__ import annotations

from communaute.extensions import db
from communaute.trainings.models import Audience, CourseFormat, Registration, RegistrationState
from tests.e2e.conftest import axe_check, give_the_code_if_asked
from tests.factories import PASSWORD, make_coordinator, make_member
from tests.trainings.conftest import make_course, make_session


def log_in(page, base, email):
    page.goto(base + "/auth/login")
    # By id: the login page's words belong to the foundation's catalog.
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form.form button[type=submit]").click()
    give_the_code_if_asked(page)
    page.wait_for_url(lambda url: "/auth/login" not in url)


def test_member_finds_registers_sees_and_cancels(live_server, page):
    with live_server.app.app_context():
        course = make_course(
            title="Proches aidants : prendre la parole",
            audience=Audience.caregivers,
            format=CourseFormat.in_person,
        )
        make_session(course, capacity=12, place="Maison des aidants, Montréal", online_url=None)
        make_session(make_course(title="Research basics", language="en"), capacity=5)
        full = make_session(make_course(title="Atelier complet"), capacity=1)
        other = make_member(email="autre@exemple.ca")
        db.session.add(
            Registration(
                course_id=full.course_id,
                session_id=full.id,
                user_id=other.id,
                state=RegistrationState.confirmed,
            )
        )
        make_member(email="sylvie@exemple.ca", name="Sylvie")
        db.session.commit()
        slug = course.slug
    base = live_server.url

    page.goto(base + "/trainings/")
    assert page.get_by_text("Complet : liste d’attente").count() == 1
    axe_check(page, context="catalog")
    page.get_by_label("Rechercher").fill("aidants")
    page.get_by_label("Pour qui").select_option("caregivers")
    page.get_by_role("button", name="Afficher les formations").click()
    assert "q=aidants" in page.url and "audience=caregivers" in page.url
    assert page.get_by_role("heading", name="1 formation trouvée").count() == 1
    assert page.get_by_text("12 places restantes").count() == 1
    page.get_by_role("link", name="Proches aidants : prendre la parole").click()
    assert page.url.endswith(f"/trainings/{slug}")
    axe_check(page, context="course page, anonymous")

    log_in(page, base, "sylvie@exemple.ca")
    page.goto(base + f"/trainings/{slug}")
    page.get_by_role("button", name="M’inscrire à cette séance").click()
    assert (
        page.get_by_text("Votre inscription est confirmée. Un courriel de confirmation").count()
        == 1
    )
    axe_check(page, context="course page, registered")

    page.goto(base + "/me")
    section = page.locator("section", has=page.get_by_role("heading", name="Mes formations"))
    assert (
        section.get_by_role("link", name="Proches aidants : prendre la parole", exact=True).count()
        == 1
    )
    axe_check(page, context="/me")
    section.get_by_role("button", name="Annuler").click()
    assert page.get_by_text("Votre inscription est annulée.").count() == 1
    assert page.get_by_text("Vous n’avez aucune inscription à une formation.").count() == 1


def test_manage_pages_pass_axe(live_server, page):
    with live_server.app.app_context():
        course = make_course(title="Coconstruire un projet")
        session = make_session(course, capacity=2)
        member = make_member(name="Line Pépin", needs_captions=True)
        db.session.add(
            Registration(
                course_id=course.id,
                session_id=session.id,
                user_id=member.id,
                state=RegistrationState.confirmed,
            )
        )
        make_coordinator(email="coord@exemple.ca")
        db.session.commit()
        course_id, session_id = course.id, session.id
    base = live_server.url
    log_in(page, base, "coord@exemple.ca")
    for path in (
        "/trainings/manage/",
        f"/trainings/manage/courses/{course_id}/sessions",
        f"/trainings/manage/courses/{course_id}",
        f"/trainings/manage/courses/{course_id}/sessions/new",
        f"/trainings/manage/sessions/{session_id}/edit",
        f"/trainings/manage/sessions/{session_id}",
    ):
        page.goto(base + path)
        axe_check(page, context=path)
    # A form with errors stays accessible too.
    page.goto(base + f"/trainings/manage/courses/{course_id}/sessions/new")
    page.get_by_label("Nombre de places").fill("-3")
    page.get_by_role("button", name="Enregistrer").click()
    assert page.locator(".error-summary").count() == 1
    axe_check(page, context="session form with errors")
