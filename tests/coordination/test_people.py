"""A person page for coordinators: everything one person did; a name corrected; a hand registration."""

from __future__ import annotations

from sqlalchemy import select

from communaute.auth.models import User
from communaute.email import OutboxMessage
from communaute.extensions import db
from communaute.trainings.models import Registration, RegistrationState
from communaute.webinars.models import Signup, SignupState
from tests.factories import login, make_member, post
from tests.querycount import page_queries
from tests.trainings.conftest import make_course, make_session
from tests.webinars.conftest import make_webinar


def _history(member, n=1):
    for i in range(n):
        session = make_session(make_course(title=f"Cours passé {i}"), days=-3 - i)
        db.session.add(
            Registration(
                course_id=session.course_id,
                session=session,
                user_id=member.id,
                state=RegistrationState.confirmed,
                attended=True,
            )
        )
        guest = make_webinar(days=-5 - i, title=f"Avant le compte {i}")
        db.session.add(
            Signup(
                webinar=guest,
                email=member.email,
                name="Amé",
                state=SignupState.confirmed,
                attended=True,
            )
        )
        mine = make_webinar(days=-1 - i, title=f"Comme membre {i}")
        db.session.add(
            Signup(
                webinar=mine,
                email=f"autre{i}@exemple.ca",
                user_id=member.id,
                name="Amé",
                state=SignupState.waiting,
            )
        )
    db.session.commit()


def test_the_person_page_shows_everything_they_did(app, coordo_client):
    member = make_member(
        "amelie@exemple.ca", name="Amé", full_name="Amélie Roy", needs_captions=True
    )
    _history(member)
    html = coordo_client.get(f"/coordination/people/{member.id}").get_data(as_text=True)
    assert '<h1>Amé <span class="full-name">(Amélie Roy)</span></h1>' in html
    assert "Sous-titres" in html.split('id="accommodations">')[1].split("</li>")[0]
    signups = html.split('id="signups">')[1].split("</ul>")[0]
    assert "Avant le compte 0" in signups and "comme invitée ou invité, avant le compte" in signups
    assert "Comme membre 0" in signups and "comme membre" in signups
    assert "Cours passé 0" in html.split('id="registrations">')[1].split("</ul>")[0]
    assert "2 présences enregistrées" in html


def test_search_finds_by_name_or_address(app, coordo_client):
    member = make_member("zoe@exemple.ca", name="Zoé")
    html = coordo_client.get("/coordination/people/?q=ZOE@").get_data(as_text=True)
    assert f'href="/coordination/people/{member.id}"' in html.split('id="people-list"')[1]


def test_a_name_is_corrected_and_hostile_input_refused(app, coordo_client):
    member = make_member(name="Amelie")
    path = f"/coordination/people/{member.id}"
    response = post(
        coordo_client,
        f"{path}/name",
        {"display_name": "Amélie", "full_name": "Amélie Roy"},
        form_page=path,
    )
    assert response.status_code == 302
    user = db.session.get(User, member.id)
    assert (user.display_name, user.full_name) == ("Amélie", "Amélie Roy")
    html = post(
        coordo_client, f"{path}/name", {"display_name": "A\x00", "full_name": ""}, form_page=path
    ).get_data(as_text=True)
    assert 'id="display_name-error">' in html
    assert db.session.get(User, member.id).display_name == "Amélie"


def test_register_by_hand_sends_the_usual_email(app, coordo_client):
    member = make_member("tel@exemple.ca", name="Gisèle", language="en")
    session = make_session(make_course(title="Au téléphone"), days=5)
    webinar = make_webinar(days=4)
    path = f"/coordination/people/{member.id}"
    page = coordo_client.get(path).get_data(as_text=True)
    assert f'value="session-{session.id}"' in page and f'value="webinar-{webinar.id}"' in page
    assert (
        post(
            coordo_client, f"{path}/register", {"target": f"session-{session.id}"}, form_page=path
        ).status_code
        == 302
    )
    assert (
        post(
            coordo_client, f"{path}/register", {"target": f"webinar-{webinar.id}"}, form_page=path
        ).status_code
        == 302
    )
    reg = db.session.scalar(select(Registration))
    assert reg.user_id == member.id and reg.state == RegistrationState.confirmed
    assert db.session.scalar(select(Signup)).user_id == member.id
    mails = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == "tel@exemple.ca")
    ).all()
    assert len(mails) == 2 and {m.language for m in mails} == {"en"}
    assert (
        post(coordo_client, f"{path}/register", {"target": "course-1"}, form_page=path).status_code
        == 400
    )
    assert (
        post(
            coordo_client, f"{path}/register", {"target": "session-999999"}, form_page=path
        ).status_code
        == 404
    )


def test_members_are_refused_and_unknown_people_are_404(app, client, coordo_client):
    member = make_member("m@exemple.ca")
    assert coordo_client.get("/coordination/people/999999").status_code == 404
    login(client, member)
    assert client.get(f"/coordination/people/{member.id}").status_code == 403
    assert client.get("/coordination/people/").status_code == 403


def test_the_person_page_runs_a_fixed_number_of_queries(app, coordo_client):
    member = make_member("amelie@exemple.ca", name="Amé")
    _history(member, 2)
    few = page_queries(coordo_client, f"/coordination/people/{member.id}").count
    _history_more = [make_session(make_course(), days=3 + i) for i in range(5)]
    assert _history_more
    for i in range(2, 10):
        session = make_session(make_course(), days=-10 - i)
        db.session.add(
            Registration(
                course_id=session.course_id,
                session=session,
                user_id=member.id,
                state=RegistrationState.confirmed,
            )
        )
    db.session.commit()
    many = page_queries(coordo_client, f"/coordination/people/{member.id}")
    assert many.count == few, many
    assert many.count <= 14, many
