"""My calendar feed: a secret address with my registrations and sign-ups, valid iCalendar,
made, renewed and turned off on the profile; covered by export and erase."""

from icalendar import Calendar
from sqlalchemy import select

from communaute.auth.models import User
from communaute.auth.services import export_account
from communaute.extensions import db
from communaute.trainings import services as trainings
from communaute.webinars import services as webinars
from tests.factories import login, make_member, post
from tests.trainings.conftest import make_course, make_session
from tests.webinars.conftest import make_webinar


def feed_path(client) -> str:
    html = client.get("/auth/profile").get_data(as_text=True)
    start = html.index('id="calendar-feed-url"')
    value = html[start:].split('value="', 1)[1].split('"', 1)[0]
    return value.replace("https://communaute.example", "")


def test_feed_has_my_registrations_and_signups_and_marks_cancellations(client):
    member = make_member("sam@exemple.ca")
    session = make_session(make_course(title="Cours A"))
    kept = make_webinar(title="Webinaire gardé")
    dropped = make_webinar(title="Webinaire annulé par moi")
    trainings.register_for_session(session, member=member)
    webinars.sign_up_member(kept, member)
    gone, _ = webinars.sign_up_member(dropped, member)
    webinars.cancel_signup(gone)
    db.session.commit()
    login(client, member)
    html = client.get("/auth/profile").get_data(as_text=True)
    assert 'id="calendar-feed-url"' not in html
    post(client, "/calendar/new", form_page="/auth/profile")
    path = feed_path(client)
    assert path.startswith("/calendar/") and path.endswith(".ics")
    anonymous = client.application.test_client()
    response = anonymous.get(path)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    cal = Calendar.from_ical(response.data)
    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    assert str(events[f"training-session-{session.id}@communaute.experiences"]["status"]) == (
        "CONFIRMED"
    )
    assert str(events[f"webinar-{kept.id}@communaute.experiences"]["status"]) == "CONFIRMED"
    assert str(events[f"webinar-{dropped.id}@communaute.experiences"]["status"]) == "CANCELLED"
    assert len(events) == 3
    # Export names the feed; a new address makes the old one stop working; off removes it.
    user = db.session.scalar(select(User).where(User.email == "sam@exemple.ca"))
    assert export_account(user)["calendar_feed"]["active"] is True
    post(client, "/calendar/new", form_page="/auth/profile")
    assert anonymous.get(path).status_code == 404
    new_path = feed_path(client)
    assert anonymous.get(new_path).status_code == 200
    post(client, "/calendar/off", form_page="/auth/profile")
    assert anonymous.get(new_path).status_code == 404
    db.session.refresh(user)
    assert user.calendar_token is None
    assert export_account(user)["calendar_feed"] == {"active": False, "address": None}


def test_tampered_feed_addresses_are_404(client):
    for path in ("/calendar/x.ics", "/calendar/" + "a" * 70 + ".ics", "/calendar/%00abc.ics"):
        assert client.get(path).status_code == 404


def test_feed_buttons_need_login_and_csrf(client):
    assert client.post("/calendar/new").status_code in (302, 400, 401)
    login(client, make_member())
    assert client.post("/calendar/new").status_code == 400
