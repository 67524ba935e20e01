"""On the rosters, a member's name leads to their person page; a guest's stays text."""

from __future__ import annotations

from html.parser import HTMLParser

from communaute.extensions import db
from communaute.trainings.models import Registration, RegistrationState
from communaute.webinars.models import Signup
from tests.factories import make_member
from tests.trainings.conftest import make_course, make_session
from tests.webinars.conftest import make_webinar


class _RowHeaders(HTMLParser):
    """[(text, href or None)] of every <th scope="row"> in the page."""

    def __init__(self):
        super().__init__()
        self.rows: list[list] = []
        self.inside = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "th" and a.get("scope") == "row":
            self.inside = True
            self.rows.append(["", None])
        elif tag == "a" and self.inside:
            self.rows[-1][1] = a.get("href")

    def handle_endtag(self, tag):
        if tag == "th":
            self.inside = False

    def handle_data(self, data):
        if self.inside:
            self.rows[-1][0] += data


def row_headers(html: str) -> dict[str, str | None]:
    parser = _RowHeaders()
    parser.feed(html)
    return {text.strip(): href for text, href in parser.rows}


def test_training_roster_links_each_name_to_the_person_page(coordo_client):
    session = make_session(make_course(title="Atelier"))
    member = make_member(name="Line Pépin")
    db.session.add(
        Registration(
            course_id=session.course_id,
            session_id=session.id,
            user_id=member.id,
            state=RegistrationState.confirmed,
        )
    )
    db.session.commit()
    html = coordo_client.get(f"/trainings/manage/sessions/{session.id}").get_data(as_text=True)
    assert row_headers(html)["Line Pépin"] == f"/coordination/people/{member.id}"
    assert coordo_client.get(f"/coordination/people/{member.id}").status_code == 200


def test_webinar_attendance_links_members_and_leaves_guests_as_text(coordo_client):
    webinar = make_webinar(days=-1)
    member = make_member("jean@exemple.ca", name="Jean Membre")
    db.session.add_all(
        [
            Signup(
                webinar_id=webinar.id,
                email="jean@exemple.ca",
                name="Jean Membre",
                user_id=member.id,
            ),
            Signup(webinar_id=webinar.id, email="invitee@exemple.ca", name="<b>Invitée</b>"),
        ]
    )
    db.session.commit()
    html = coordo_client.get(f"/webinars/{webinar.id}/attendance").get_data(as_text=True)
    rows = row_headers(html)
    assert rows["Jean Membre"] == f"/coordination/people/{member.id}"
    assert rows["<b>Invitée</b>"] is None
