"""The coordination home: each line where the coordinator acts, in a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta

from communaute.db import utcnow
from communaute.email import OutboxMessage, OutboxState
from communaute.extensions import db
from communaute.magazine import services as magazine
from communaute.magazine.models import SubmissionState
from communaute.requests.models import (
    CollaborationRequest,
    MeetingLanguages,
    RequestKind,
    RequestState,
)
from communaute.trainings.models import Registration, RegistrationState
from communaute.webinars.models import Signup, SignupState
from tests.coordination.conftest import read_home
from tests.factories import login, make_member
from tests.magazine.conftest import make_submission
from tests.querycount import page_queries
from tests.trainings.conftest import make_course, make_session
from tests.webinars.conftest import make_webinar


def _register(session, n, state=RegistrationState.confirmed, attended=None):
    for _ in range(n):
        member = make_member(commit=False)
        db.session.flush()
        db.session.add(
            Registration(
                course_id=session.course_id,
                session=session,
                user_id=member.id,
                state=state,
                attended=attended,
                waitlisted_at=utcnow() if state == RegistrationState.waiting else None,
            )
        )
    db.session.commit()


def _sign_up(webinar, n, state=SignupState.confirmed, start=0):
    for i in range(start, start + n):
        db.session.add(
            Signup(
                webinar=webinar,
                email=f"invite{webinar.id}-{i}@exemple.ca",
                name=f"Invité {i}",
                state=state,
            )
        )
    db.session.commit()


def _request(state=RequestState.new, days_ago=0, commit=True):
    req = CollaborationRequest(
        created_at=utcnow() - timedelta(days=days_ago, minutes=1),
        state=state,
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
    db.session.add(req)
    if commit:
        db.session.commit()
    return req


def test_a_coordinator_lands_on_the_home_after_login(app, coordinator):
    client = app.test_client()
    response = login(client, coordinator)
    assert response.headers["Location"] == "/coordination/"


def test_the_address_without_slash_is_the_same_page(app, coordo_client):
    assert "Rien n’attend." in coordo_client.get("/coordination").get_data(as_text=True)
    assert app.test_client().get("/coordination").status_code == 302  # to the login


def test_nothing_waits(coordo_client):
    html = coordo_client.get("/coordination/").get_data(as_text=True)
    assert 'id="nothing-waits">Rien n’attend.</p>' in html
    # The tools of the former page are still there.
    assert 'href="/trainings/manage/"' in html
    assert 'href="/webinars/manage/"' in html
    assert 'href="/magazine/review/"' in html
    assert 'href="/outbox/"' in html
    en = coordo_client.get("/coordination/?lang=en").get_data(as_text=True)
    assert 'id="nothing-waits">Nothing waits.</p>' in en


def test_members_are_refused(app, client):
    member = make_member("membre@exemple.ca")
    assert client.get("/coordination/").status_code == 302
    login(client, member)
    assert client.get("/coordination/").status_code == 403


def test_each_line_links_to_where_it_is_done(app, coordo_client, coordinator, rctx):
    author = make_member("auteure@exemple.ca", name="Sylvie")
    waiting_text = make_submission(
        author, coordinator, SubmissionState.submitted, title="Mon récit"
    )
    replied = make_submission(
        author, coordinator, SubmissionState.changes_requested, title="Réponse"
    )
    magazine.post_message(replied, "Voici ma réponse.", sender=author)
    answered = make_submission(author, coordinator, SubmissionState.in_review, title="Déjà vu")
    magazine.post_message(answered, "Une question.", sender=author)
    magazine.post_message(answered, "Notre réponse.", sender=coordinator)
    db.session.commit()

    full = make_session(make_course(title="Savoir-faire"), days=2, capacity=2)
    _register(full, 2)
    _register(full, 1, RegistrationState.waiting)
    later = make_session(make_course(title="Plus tard"), days=20, capacity=10)
    _register(later, 9)
    past = make_session(make_course(title="Passée"), days=-3, capacity=10)
    _register(past, 2)
    marked = make_session(make_course(title="Marquée"), days=-3, capacity=10)
    _register(marked, 2, attended=True)

    today = make_webinar(days=0.1, title="Midi aujourd’hui", capacity=30)
    _sign_up(today, 3)
    last_week = make_webinar(
        days=-7, title="La semaine passée", recording_url="https://v.example/1"
    )
    _sign_up(last_week, 2)
    done = make_webinar(days=-7, title="Tout fait")
    _sign_up(done, 2)
    done.follow_up_sent_at = done.attendance_recorded_at = utcnow()
    db.session.add(
        OutboxMessage(
            kind="x",
            recipient="a@exemple.ca",
            language="fr",
            subject="s",
            text_body="t",
            html_body="h",
            state=OutboxState.failed,
        )
    )
    db.session.commit()

    home = read_home(coordo_client.get("/coordination/").get_data(as_text=True))
    assert home["texts"] == [
        ("« Mon récit »", "En attente depuis 1 heure", f"/magazine/review/{waiting_text.id}")
    ]
    assert [(label, href) for label, _, href in home["replies"]] == [
        ("« Réponse »", f"/magazine/review/{replied.id}")
    ]
    upcoming = {label.split(",")[0]: detail for label, detail, _ in home["upcoming"]}
    assert upcoming == {
        "Webinaire : Midi aujourd’hui": "3 confirmées ou confirmés sur 30 places",
        "Formation : Savoir-faire": "2 confirmées ou confirmés sur 2 places · 1 en attente",
    }
    filling = {label.split(",")[0]: href for label, _, href in home["filling"]}
    assert filling == {
        "Formation : Savoir-faire": f"/trainings/manage/sessions/{full.id}",
        "Formation : Plus tard": f"/trainings/manage/sessions/{later.id}",
    }
    attendance = {label.split(",")[0]: detail for label, detail, _ in home["attendance"]}
    assert attendance == {
        "Formation : Passée": "2 personnes à marquer",
        "Webinaire : La semaine passée": "2 personnes à marquer",
    }
    follow_up = {label.split(",")[0]: href for label, _, href in home["follow_up"]}
    assert follow_up == {"Webinaire : La semaine passée": f"/webinars/{last_week.id}/attendance"}
    assert home["emails"] == [("1 courriel n’a pas pu être livré.", "", "/outbox/?state=failed")]


def test_the_home_counts_in_a_fixed_number_of_queries(app, coordo_client, coordinator, rctx):
    author = make_member("auteure@exemple.ca")

    def add(n):
        for i in range(n):
            make_submission(author, coordinator, SubmissionState.submitted, title=f"Texte {i}")
            s = make_session(make_course(), days=1 + i % 6, capacity=3)
            _register(s, 3)
            _register(s, 1, RegistrationState.waiting)
            w = make_webinar(days=-1 - i % 6)
            _sign_up(w, 2)
            _request(days_ago=i)

    add(2)
    few = page_queries(coordo_client, "/coordination/").count
    add(8)
    many = page_queries(coordo_client, "/coordination/")
    assert many.count == few, many
    assert many.count <= 16, many


def test_new_collaboration_requests_are_one_line_to_the_queue(app, coordo_client):
    _request(RequestState.in_progress, days_ago=9)
    _request(RequestState.answered, days_ago=9)
    assert "requests" not in read_home(coordo_client.get("/coordination/").get_data(as_text=True))
    _request(days_ago=3)
    _request(days_ago=0)
    home = read_home(coordo_client.get("/coordination/").get_data(as_text=True))
    assert home["requests"] == [
        (
            "2 nouvelles demandes de collaboration",
            "En attente depuis 3 jours",
            "/requests/?state=new",
        )
    ]
    en = read_home(coordo_client.get("/coordination/?lang=en").get_data(as_text=True))
    assert en["requests"] == [
        ("2 new collaboration requests", "Waiting for 3 days", "/requests/?state=new")
    ]
    queue = coordo_client.get("/requests/?state=new")
    assert queue.status_code == 200
