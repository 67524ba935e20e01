"""A coordinator's Monday, in Chromium: the home, a message to the waiting list, 8 weekly
webinars, a Zoom report imported, three people checked in on a phone, attestations issued;
every email at a real SMTP server; axe on every new page, in French and English, 1280 and 390 px."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from communaute.coordination.certificates import Certificate
from communaute.db import utcnow
from communaute.extensions import db
from communaute.magazine.models import SubmissionState
from communaute.trainings.models import Registration, RegistrationState
from communaute.webinars.models import Signup, SignupState, Webinar
from tests.e2e.conftest import axe_check, give_the_code_if_asked
from tests.factories import PASSWORD, make_coordinator, make_member
from tests.magazine.conftest import make_submission
from tests.trainings.conftest import make_course, make_session
from tests.webinars.conftest import make_webinar

REPORT = Path(__file__).resolve().parents[1] / "coordination" / "reports" / "zoom_en.csv"
WIDTHS = ((1280, 900), (390, 844))


def _register(session, member, state=RegistrationState.confirmed):
    db.session.add(
        Registration(
            course_id=session.course_id,
            session=session,
            user=member,
            state=state,
            waitlisted_at=utcnow() if state == RegistrationState.waiting else None,
        )
    )


def _monday(app):
    with app.test_request_context("/"):
        coordinator = make_coordinator("coordo@exemple.ca", name="Marie Coordination")
        author = make_member("auteure@exemple.ca", name="Sylvie")
        make_submission(author, coordinator, SubmissionState.submitted, title="Mon récit")
        full = make_session(make_course(title="Savoir-faire"), days=2, capacity=2)
        for i in range(2):
            _register(
                full, make_member(f"inscrite{i}@exemple.ca", name=f"Inscrite {i}", commit=False)
            )
        db.session.flush()
        waiting = make_member("attente@exemple.ca", name="Jeanne", commit=False)
        db.session.flush()
        _register(full, waiting, RegistrationState.waiting)
        last_week = make_webinar(days=-7, title="Midi de la semaine passée", commit=False)
        for email, name in (("amelie@exemple.ca", "Amélie"), ("luc@exemple.ca", "Luc")):
            db.session.add(
                Signup(webinar=last_week, email=email, name=name, state=SignupState.confirmed)
            )
        today = make_session(make_course(title="Atelier du jour"), days=-0.02, capacity=10)
        for name in ("Alice", "Béatrice", "Chloé", "Denis"):
            member = make_member(
                f"{name.lower()}@exemple.ca", name=name, full_name=f"{name} Tremblay", commit=False
            )
            db.session.flush()
            _register(today, member)
        db.session.commit()
        return {"full": full.id, "today": today.id, "last_week": last_week.id}


def test_a_coordinators_monday(live_server, page, mailbox):
    app = live_server.app
    ids = _monday(app)
    base = live_server.url

    # Lands on the home after login; sees the new text and the full session.
    page.goto(base + "/auth/login")
    page.get_by_label("Adresse courriel").fill("coordo@exemple.ca")
    page.get_by_label("Mot de passe (obligatoire)", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    give_the_code_if_asked(page)
    page.wait_for_url("**/coordination/")
    assert page.locator("#texts li a").first.inner_text() == "« Mon récit »"
    assert "Formation : Savoir-faire" in page.locator("#filling").inner_text()
    assert "1 en attente" in page.locator("#filling").inner_text()

    # A message to the waiting list.
    page.goto(f"{base}/coordination/messages/session/{ids['full']}")
    page.locator("input[name=audience][value=waiting]").check()
    page.locator("#subject_fr").fill("Une place pourrait se libérer")
    page.locator("#body_fr").fill(
        "Bonjour {prénom},\n\nNous vous écrirons dès qu’une place se libère."
    )
    page.get_by_role("button", name="Voir l’aperçu").click()
    assert page.locator("#preview-count").inner_text().startswith("Il partira à 1 personne.")
    page.get_by_role("button", name="Envoyer à 1 personne").click()
    assert "Message envoyé à 1 personne." in page.content()

    # Eight weekly webinars in one go.
    page.goto(base + "/webinars/manage/new")
    start = (utcnow() + timedelta(days=9)).date().isoformat()
    page.locator("#title").fill("Les midis de la recherche")
    page.locator("#description").fill(
        "Une heure pour parler de recherche avec des patients partenaires."
    )
    page.locator("#start_date").fill(start)
    page.locator("#start_time").fill("12:00")
    page.locator("#repeat_weeks").fill("8")
    page.locator("#speaker1_name").fill("Marie Tremblay")
    page.locator("main form.form button[type=submit]").last.click()
    page.wait_for_url("**/webinars/manage/")
    with app.app_context():
        made = db.session.scalar(
            select(func.count())
            .select_from(Webinar)
            .where(Webinar.title == "Les midis de la recherche")
        )
        assert made == 8

    # Last week's Zoom report imported.
    page.goto(f"{base}/coordination/attendance/webinar/{ids['last_week']}/import")
    page.locator("#report").set_input_files(str(REPORT))
    page.get_by_role("button", name="Lire le fichier").click()
    assert page.locator("#matched").inner_text() == "2 personnes trouvées"
    page.get_by_role("button", name="Enregistrer les présences : 1 personne présente").click()
    page.wait_for_url(f"**/webinars/{ids['last_week']}/attendance")
    with app.app_context():
        came = {
            s.email: s.attended
            for s in db.session.scalars(select(Signup).where(Signup.webinar_id == ids["last_week"]))
        }
        assert came == {"amelie@exemple.ca": True, "luc@exemple.ca": False}

    # Three people checked in on a phone.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/coordination/checkin/session/{ids['today']}")
    for name in ("Alice", "Béatrice", "Chloé"):
        button = page.locator(".checkin-button", has_text=name)
        box = button.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 300
        button.click()
    assert page.locator("#checkin-count").inner_text() == "3 présentes ou présents sur 4"
    axe_check(page, context="check-in 390 fr")

    # Attestations issued.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/trainings/manage/sessions/{ids['today']}")
    page.get_by_role("button", name="Émettre les attestations").click()
    assert "3 attestations émises" in page.content()
    with app.app_context():
        code = db.session.scalars(select(Certificate.code)).first()
        person_id = db.session.scalars(select(Certificate.user_id)).first()

    # Every email of it arrived at a real SMTP server.
    mailbox.wait_for(1)
    [message] = [m for m in mailbox.messages if m["To"] == "attente@exemple.ca"]
    assert message["Subject"] == "Une place pourrait se libérer"
    assert "Bonjour Jeanne," in message.get_body(preferencelist=("plain",)).get_content()

    # axe on the new pages, French and English, desktop and phone.
    pages = [
        "/coordination/",
        f"/coordination/messages/session/{ids['full']}",
        f"/coordination/attendance/webinar/{ids['last_week']}/import",
        f"/coordination/checkin/session/{ids['today']}",
        "/coordination/people/",
        f"/coordination/people/{person_id}",
        "/webinars/manage/new",
        f"/certificates/{code}",
    ]
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        for lang in ("fr", "en"):
            for path in pages:
                page.goto(f"{base}{path}{'&' if '?' in path else '?'}lang={lang}")
                axe_check(page, context=f"{path} {lang} {width}")
