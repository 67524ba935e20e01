"""The full name for attestations: asked privately, shown to coordinators, never in public."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from communaute.auth.models import User
from communaute.auth.services import export_account
from communaute.extensions import db
from communaute.trainings.models import Registration, RegistrationState
from communaute.webinars.models import Signup
from communaute.webinars.services import export_signups
from tests.factories import login, make_member, post
from tests.trainings.conftest import make_course, make_session
from tests.webinars.conftest import make_webinar


def test_the_profile_asks_for_it_privately_and_the_export_holds_it(app, client):
    user = make_member(name="Amélie")
    login(client, user)
    response = post(
        client,
        "/auth/profile",
        {
            "display_name": "Amélie",
            "full_name": "Amélie Bédard-Tremblay",
            "language": "fr",
            "participation": "patient_partner",
        },
    )
    assert response.status_code == 302
    user = db.session.get(User, user.id)
    assert user.full_name == "Amélie Bédard-Tremblay"
    assert export_account(user)["account"]["full_name"] == "Amélie Bédard-Tremblay"
    page = client.get("/auth/profile").get_data(as_text=True)
    assert 'value="Amélie Bédard-Tremblay"' in page
    assert "Seule l’équipe le voit, jamais le public." in page


def test_a_link_in_the_full_name_is_refused(app, client):
    user = make_member(name="Amélie")
    login(client, user)
    response = post(
        client,
        "/auth/profile",
        {
            "display_name": "Amélie",
            "full_name": "Gagnez https://x.example",
            "language": "fr",
            "participation": "patient_partner",
        },
    )
    html = response.get_data(as_text=True)
    assert 'id="full_name-error">' in html
    assert db.session.get(User, user.id).full_name is None


def test_the_guest_form_takes_it_and_the_roster_and_csv_show_it(app, client, coordo_client):
    webinar = make_webinar()
    path = f"/webinars/{webinar.id}"
    response = post(
        client,
        path + "/signup",
        {
            "name": "Amélie",
            "full_name": "Amélie Roy",
            "email": "amelie@exemple.ca",
            "language": "fr",
        },
        form_page=path,
    )
    assert response.status_code == 302
    signup = db.session.scalar(select(Signup))
    assert signup.full_name == "Amélie Roy"
    public = client.get(path).get_data(as_text=True)
    assert "Amélie Roy" not in public
    roster = coordo_client.get(f"/webinars/{webinar.id}/attendance").get_data(as_text=True)
    assert (
        f'<th scope="row" id="name-{signup.id}">Amélie <span class="full-name">(Amélie Roy)</span></th>'
        in roster
    )
    raw = coordo_client.get(f"/webinars/{webinar.id}/attendance.csv").get_data()
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][-1] == "Nom complet (attestations)"
    assert rows[1][0] == "Amélie" and rows[1][-1] == "Amélie Roy"


def test_a_training_roster_shows_it_beside_the_display_name(app, coordo_client):
    session = make_session(make_course())
    member = make_member(name="Amélie", full_name="Amélie Gagnon")
    db.session.add(
        Registration(
            course_id=session.course_id,
            session=session,
            user_id=member.id,
            state=RegistrationState.confirmed,
        )
    )
    db.session.commit()
    roster = coordo_client.get(f"/trainings/manage/sessions/{session.id}").get_data(as_text=True)
    assert (
        f'<th scope="row"><a href="/coordination/people/{member.id}">Amélie</a>'
        ' <span class="full-name">(Amélie Gagnon)</span></th>'
    ) in roster
    raw = coordo_client.get(f"/trainings/manage/sessions/{session.id}/registrants.csv").get_data()
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][0] == "Amélie" and rows[1][-1] == "Amélie Gagnon"


def test_a_member_signup_uses_the_member_full_name_and_export_covers_a_guest_one(app, rctx):
    webinar = make_webinar()
    member = make_member("m@exemple.ca", name="Lou", full_name="Louise Martin")
    db.session.add_all(
        [
            Signup(
                webinar=webinar,
                email="m@exemple.ca",
                name="Lou",
                user_id=member.id,
                full_name="Ancien",
            ),
        ]
    )
    db.session.commit()
    signup = db.session.scalar(select(Signup))
    assert signup.attestation_name == "Louise Martin"
    assert export_signups(member)[0]["full_name"] == "Ancien"
