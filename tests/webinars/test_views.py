import csv
import io
import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from communaute.auth.services import delete_account, export_account
from communaute.db import utcnow
from communaute.email import OutboxMessage
from communaute.extensions import db
from communaute.webinars import services
from communaute.webinars.models import Signup, SignupState, Webinar, WebinarStatus
from tests.factories import (
    PASSWORD,
    csrf_token,
    login,
    make_coordinator,
    make_member,
    post,
    token_in,
)
from tests.webinars.conftest import make_client, make_webinar

JOIN = "https://zoom.example/j/123456"


def count(model=Signup):
    return db.session.scalar(select(func.count()).select_from(model))


def guest_data(**kw):
    return {"name": "Invitée Test", "email": "invitee@exemple.ca", "language": "fr", **kw}


# Public pages ------------------------------------------------------------------------------


def test_series_lists_upcoming_in_order_then_past_with_recordings(client):
    make_webinar(days=10, title="Deuxième")
    make_webinar(days=3, title="Première")
    make_webinar(days=-10, title="Passé", recording_url="https://video.example/r/9")
    html = client.get("/webinars/").get_data(as_text=True)
    assert html.index("Première") < html.index("Deuxième") < html.index("Passé")
    assert "https://video.example/r/9" in html
    assert JOIN not in html


def test_series_shows_the_next_twelve_then_all_on_request(client):
    for week in range(1, 15):
        make_webinar(days=7 * week, title=f"Semaine {week:02d}")
    make_webinar(days=-10, title="Passé", recording_url="https://video.example/r/9")

    def upcoming_titles(html):
        section = html.split('id="upcoming-title"', 1)[1].split("</section>", 1)[0]
        return re.findall(r">(Semaine \d+)</a></h3>", section)

    html = client.get("/webinars/").get_data(as_text=True)
    assert upcoming_titles(html) == [f"Semaine {week:02d}" for week in range(1, 13)]
    assert (
        '<a href="/webinars/?upcoming=all#upcoming-title">Voir tous les webinaires à venir</a>'
        in html
    )
    assert "Passé" in html  # the recordings follow, without a year of cards before them
    every = client.get("/webinars/?upcoming=all").get_data(as_text=True)
    assert upcoming_titles(every) == [f"Semaine {week:02d}" for week in range(1, 15)]
    assert "upcoming=all#" not in every and "Passé" in every
    english = client.get("/webinars/?lang=en").get_data(as_text=True)
    assert "See all upcoming webinars</a>" in english


def test_webinar_page_never_shows_join_link(client, webinar):
    html = client.get(f"/webinars/{webinar.id}").get_data(as_text=True)
    assert webinar.title in html and "Marie Tremblay" in html
    assert JOIN not in html
    services.sign_up_guest(webinar, email="a@exemple.ca", name="A")
    db.session.commit()
    assert JOIN not in client.get(f"/webinars/{webinar.id}").get_data(as_text=True)
    assert client.get("/webinars/99999").status_code == 404


def test_guest_signs_up(client, webinar):
    path = f"/webinars/{webinar.id}"
    response = post(client, path + "/signup", guest_data(news_consent="y"), form_page=path)
    assert response.status_code == 302
    signup = db.session.scalar(select(Signup))
    assert signup.email == "invitee@exemple.ca" and signup.user_id is None
    assert signup.news_consent and "Expériences" in signup.news_consent_text
    # Again: no duplicate, the confirmation is sent again.
    post(client, path + "/signup", guest_data(email="INVITEE@exemple.ca"), form_page=path)
    assert count() == 1
    kinds = db.session.scalars(select(OutboxMessage.kind)).all()
    assert kinds == ["webinars.confirmed", "webinars.confirmed"]


def test_news_consent_unticked_by_default(client, webinar):
    html = client.get(f"/webinars/{webinar.id}").get_data(as_text=True)
    assert 'name="news_consent"' in html
    assert (
        'name="news_consent" type="checkbox" value="y">' in html
        or "checked" not in html.split('name="news_consent"')[1][:80]
    )


@pytest.mark.parametrize(
    "data, field",
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 81}, "name"),
        ({"name": "Nul\x00l"}, "name"),
        ({"name": "\u202eevil"}, "name"),
        ({"email": ""}, "email"),
        ({"email": "pas-un-courriel"}, "email"),
        ({"email": "a@b.ca, c@d.ca"}, "email"),
        ({"language": "de"}, "language"),
        ({"how_heard": "y" * 201}, "how_heard"),
    ],
)
def test_guest_signup_bad_input(client, webinar, data, field):
    path = f"/webinars/{webinar.id}"
    response = post(client, path + "/signup", guest_data(**data), form_page=path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html
    assert count() == 0


def test_guest_signup_html_and_emoji_are_kept_as_text(client, webinar):
    path = f"/webinars/{webinar.id}"
    post(client, path + "/signup", guest_data(name="<script>alert(1)</script> 🌷"), form_page=path)
    assert db.session.scalar(select(Signup.name)) == "<script>alert(1)</script> 🌷"


def test_signup_refused_without_csrf_and_on_closed_webinar(client):
    webinar = make_webinar(days=-1)
    response = client.post(f"/webinars/{webinar.id}/signup", data=guest_data())
    assert response.status_code == 400
    open_one = make_webinar()
    response = post(
        client, f"/webinars/{webinar.id}/signup", guest_data(), form_page=f"/webinars/{open_one.id}"
    )
    assert response.status_code == 200 and count() == 0
    assert client.post("/webinars/99999/signup").status_code in (400, 404)


def test_member_signs_up_in_one_click(client, webinar):
    member = make_member("sylvie@exemple.ca", name="Sylvie")
    login(client, member)
    path = f"/webinars/{webinar.id}"
    html = client.get(path).get_data(as_text=True)
    assert 'name="email"' not in html
    assert post(client, path + "/signup", {}, form_page=path).status_code == 302
    signup = db.session.scalar(select(Signup))
    assert signup.user_id == member.id and signup.state == SignupState.confirmed
    html = client.get(path).get_data(as_text=True)
    # Instead of the button, the box of the sign-up: the join link is the member's own
    # (members' pages are never cached), with the calendar, manage and cancel links.
    box = html[html.index('id="my-signup"') :]
    assert "Vous êtes inscrite ou inscrit" in box
    assert f'href="{JOIN}"' in box and "/webinars/cancel/" in box and "/webinars/signup/" in box
    assert f'action="{path}/signup"' not in html
    logged_out = make_client(client.application)
    assert JOIN not in logged_out.get(path).get_data(as_text=True)


def test_unconfirmed_member_is_sent_to_confirm(client, webinar):
    login(client, make_member(confirmed=False))
    path = f"/webinars/{webinar.id}"
    response = post(client, path + "/signup", {}, form_page=path)
    assert response.status_code == 302 and "/me" in response.location and count() == 0


# Cancellation by link -----------------------------------------------------------------------


def test_cancel_link_asks_then_cancels(client, webinar):
    signup, _ = services.sign_up_guest(webinar, email="a@exemple.ca", name="A")
    db.session.commit()
    token = services.make_cancel_token(signup)
    page = client.get(f"/webinars/cancel/{token}")
    assert (
        page.status_code == 200
        and "Yes, cancel" in page.get_data(as_text=True)
        or "Oui, annuler" in page.get_data(as_text=True)
    )
    db.session.refresh(signup)
    assert signup.state == SignupState.confirmed  # GET changes nothing
    response = post(client, f"/webinars/cancel/{token}", {}, form_page=f"/webinars/cancel/{token}")
    assert response.status_code == 302
    db.session.refresh(signup)
    assert signup.state == SignupState.cancelled and signup.cancelled_at


def test_tampered_cancel_link_is_refused(client, webinar):
    signup, _ = services.sign_up_guest(webinar, email="a@exemple.ca", name="A")
    db.session.commit()
    token = services.make_cancel_token(signup)
    assert client.get(f"/webinars/cancel/{token}x").status_code == 400
    assert client.get("/webinars/cancel/<script>").status_code in (400, 404)
    response = client.post(
        f"/webinars/cancel/{token}x",
        data={"csrf_token": csrf_token(client, f"/webinars/{webinar.id}")},
    )
    assert response.status_code == 400
    db.session.refresh(signup)
    assert signup.state == SignupState.confirmed


# /me, export, erase ---------------------------------------------------------------------------


def test_me_shows_member_and_earlier_guest_signups_with_join_link(client):
    first = make_webinar(title="Comme invitée")
    second = make_webinar(title="Comme membre", join_url="https://zoom.example/j/999")
    services.sign_up_guest(first, email="Sylvie@Exemple.ca", name="Sylvie")
    db.session.commit()
    member = make_member("sylvie@exemple.ca", name="Sylvie")
    services.sign_up_member(second, member)
    db.session.commit()
    login(client, member)
    html = client.get("/me").get_data(as_text=True)
    assert "Comme invitée" in html and "Comme membre" in html
    assert JOIN in html and "https://zoom.example/j/999" in html


def test_export_and_erase_cover_member_and_guest_signups(app):
    first = make_webinar(title="Comme invitée")
    second = make_webinar(title="Comme membre")
    other = make_webinar(title="Quelqu'un d'autre")
    services.sign_up_guest(first, email="sylvie@exemple.ca", name="Sylvie")
    services.sign_up_guest(other, email="autre@exemple.ca", name="Autre")
    db.session.commit()
    member = make_member("sylvie@exemple.ca", name="Sylvie")
    services.sign_up_member(second, member)
    db.session.commit()
    data = export_account(member)
    titles = sorted(s["webinar"] for s in data["webinars"])
    assert titles == ["Comme invitée", "Comme membre"]
    delete_account(member, PASSWORD)
    db.session.commit()
    assert db.session.scalars(select(Signup.email)).all() == ["autre@exemple.ca"]


# Coordinators -------------------------------------------------------------------------------

PROTECTED = [
    ("get", "/webinars/manage/"),
    ("get", "/webinars/manage/new"),
    ("get", "/webinars/manage/report"),
    ("get", "/webinars/manage/{id}/edit"),
    ("get", "/webinars/manage/{id}/reschedule"),
    ("get", "/webinars/manage/{id}/cancel"),
    ("post", "/webinars/manage/{id}/follow-up"),
    ("get", "/webinars/{id}/attendance"),
    ("post", "/webinars/{id}/attendance"),
    ("get", "/webinars/{id}/attendance.csv"),
]


@pytest.mark.parametrize("method, path", PROTECTED)
def test_coordinator_pages_refuse_others(client, webinar, method, path):
    path = path.format(id=webinar.id)

    def call():
        if method == "post":  # with a valid CSRF token: the refusal is about access
            return post(client, path, {}, form_page=f"/webinars/{webinar.id}")
        return client.get(path)

    response = call()
    assert response.status_code == 302 and "/auth/login" in response.location
    login(client, make_member())
    assert call().status_code == 403


def test_member_gets_403_on_attendance_and_csv(client, webinar):
    login(client, make_member())
    assert client.get(f"/webinars/{webinar.id}/attendance").status_code == 403
    assert client.get(f"/webinars/{webinar.id}/attendance.csv").status_code == 403
    assert client.get("/webinars/manage/").status_code == 403


@pytest.fixture
def coordinator_client(client):
    login(client, make_coordinator())
    return client


def new_webinar_data(**kw):
    day = (utcnow() + timedelta(days=14)).date().isoformat()
    return {
        "title": "Vivre avec la douleur chronique",
        "description": "Témoignages et recherche.",
        "tags": "douleur, recherche",
        "start_date": day,
        "start_time": "12:00",
        "duration_minutes": "60",
        "language": "fr",
        "join_url": "https://zoom.example/j/42",
        "phone_dial_in": "+1 438 555-0101",
        "captioning": "Sous-titres en direct",
        "capacity": "",
        "speaker1_name": "Luc Gagnon",
        "speaker1_bio": "Patient partenaire depuis 2015.",
        "speaker1_partner": "y",
        "recording_url": "",
        "resources": "",
        **kw,
    }


def test_coordinator_creates_webinar_at_noon_montreal(coordinator_client):
    response = post(coordinator_client, "/webinars/manage/new", new_webinar_data())
    assert response.status_code == 302
    webinar = db.session.scalar(select(Webinar))
    from communaute.i18n import MONTREAL

    assert webinar.start_at.astimezone(MONTREAL).hour == 12
    assert webinar.speakers[0].is_patient_partner and webinar.capacity is None


def test_new_webinar_form_defaults(coordinator_client):
    html = coordinator_client.get("/webinars/manage/new").get_data(as_text=True)
    assert 'value="12:00"' in html and 'value="60"' in html


@pytest.mark.parametrize(
    "data, field",
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"start_date": "2026-02-30"}, "start_date"),
        ({"start_date": "2020-01-01"}, "start_date"),
        ({"start_time": "25:00"}, "start_time"),
        ({"duration_minutes": "0"}, "duration_minutes"),
        ({"duration_minutes": "-5"}, "duration_minutes"),
        ({"duration_minutes": "99999999999999999999"}, "duration_minutes"),
        ({"duration_minutes": "abc"}, "duration_minutes"),
        ({"capacity": "-1"}, "capacity"),
        ({"join_url": "javascript:alert(1)"}, "join_url"),
        ({"join_url": "zoom.example/j/1"}, "join_url"),
        ({"recording_url": "ftp://x.example/a"}, "recording_url"),
        ({"speaker1_name": ""}, "speaker1_name"),
        ({"description": "a\x00b"}, "description"),
    ],
)
def test_create_webinar_bad_input(coordinator_client, data, field):
    response = post(coordinator_client, "/webinars/manage/new", new_webinar_data(**data))
    assert response.status_code == 200
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert count(Webinar) == 0


def test_coordinator_edits_reschedules_and_cancels(coordinator_client, webinar):
    services.sign_up_guest(webinar, email="a@exemple.ca", name="A")
    db.session.commit()
    edit = f"/webinars/manage/{webinar.id}/edit"
    html = coordinator_client.get(edit).get_data(as_text=True)
    assert "Marie Tremblay" in html
    data = new_webinar_data(title="Nouveau titre")
    del data["start_date"], data["start_time"]
    assert post(coordinator_client, edit, data).status_code == 302
    db.session.refresh(webinar)
    assert webinar.title == "Nouveau titre" and webinar.speakers[0].name == "Luc Gagnon"

    path = f"/webinars/manage/{webinar.id}/reschedule"
    day = (utcnow() + timedelta(days=20)).date().isoformat()
    bad = post(
        coordinator_client,
        path,
        {"start_date": "2020-01-01", "start_time": "12:00", "duration_minutes": "60"},
    )
    assert bad.status_code == 200 and 'id="start_date-error"' in bad.get_data(as_text=True)
    ok = post(
        coordinator_client,
        path,
        {"start_date": day, "start_time": "12:30", "duration_minutes": "45"},
    )
    assert ok.status_code == 302
    db.session.refresh(webinar)
    assert webinar.duration_minutes == 45 and webinar.sequence == 1

    path = f"/webinars/manage/{webinar.id}/cancel"
    assert post(coordinator_client, path, {}).status_code == 302
    db.session.refresh(webinar)
    assert webinar.status == WebinarStatus.cancelled
    kinds = db.session.scalars(select(OutboxMessage.kind).order_by(OutboxMessage.id)).all()
    assert kinds == ["webinars.confirmed", "webinars.rescheduled", "webinars.cancelled"]


def _past_with_signups():
    webinar = make_webinar(days=-3, recording_url="https://video.example/r/1")
    member = make_member("membre@exemple.ca", name="Jean Membre", needs_captions=True)
    rows = [
        Signup(
            webinar_id=webinar.id, email="membre@exemple.ca", name="Jean Membre", user_id=member.id
        ),
        Signup(webinar_id=webinar.id, email="x@exemple.ca", name='=HYPERLINK("http://x","y")'),
        Signup(
            webinar_id=webinar.id,
            email="c@exemple.ca",
            name="Claire Annulée",
            state=SignupState.cancelled,
            cancelled_at=utcnow(),
        ),
    ]
    db.session.add_all(rows)
    db.session.commit()
    return webinar, rows


def test_attendance_page_marks_and_unmarks_in_one_post(coordinator_client):
    webinar, (member, hostile, gone) = _past_with_signups()
    path = f"/webinars/{webinar.id}/attendance"
    html = coordinator_client.get(path).get_data(as_text=True)
    assert "Jean Membre" in html and "Claire Annulée" in html
    assert "<caption>3 inscriptions</caption>" in html
    assert re.search(r"Jean Membre</a></th>(?:(?!</tr>).)*<td>Sous-titres</td>", html, re.S)
    post(coordinator_client, path, {"attended": [str(member.id), str(hostile.id), "abc", "999999"]})
    db.session.refresh(member)
    db.session.refresh(hostile)
    assert member.attended and hostile.attended
    post(coordinator_client, path, {"attended": [str(member.id)]})
    db.session.refresh(hostile)
    assert not hostile.attended
    html = coordinator_client.get(path).get_data(as_text=True)
    # One of the two who did not cancel came.
    assert "<li>Présences : 1</li>" in html and "<li>Taux de présence : 50 %</li>" in html
    found = coordinator_client.get(path + "?q=jean").get_data(as_text=True)
    assert "Jean Membre" in found and "Claire Annulée" not in found
    assert "<caption>1 inscription</caption>" in found


def test_saving_a_searched_attendance_list_keeps_the_marks_it_does_not_show(
    coordinator_client,
):
    webinar, (member, hostile, gone) = _past_with_signups()
    path = f"/webinars/{webinar.id}/attendance"
    post(coordinator_client, path, {"attended": [str(member.id), str(hostile.id)]})
    found = coordinator_client.get(path + "?q=jean").get_data(as_text=True)
    # The other person marked present travels unseen with the form, and only that one.
    assert re.findall(r'<input type="hidden" name="attended" value="(\d+)">', found) == [
        str(hostile.id)
    ]
    # Unmarking Jean from the searched list leaves the other mark alone.
    response = coordinator_client.post(
        path + "?q=jean", data={"csrf_token": token_in(found), "attended": [str(hostile.id)]}
    )
    assert response.status_code == 302
    db.session.refresh(member)
    db.session.refresh(hostile)
    assert not member.attended and hostile.attended


def test_the_attendance_page_streams_as_in_production(coordinator_client):
    """In a thread of its own the request has its own app context, as under gunicorn: the
    view's database session is closed before the body streams, so the rows must be read by
    the body itself (the tests' shared app context would hide it)."""
    webinar, (member, hostile, gone) = _past_with_signups()
    path, seen = f"/webinars/{webinar.id}/attendance", {}

    def visit():
        response = coordinator_client.get(path)
        seen["status"], seen["html"] = response.status_code, response.get_data(as_text=True)

    thread = threading.Thread(target=visit)
    thread.start()
    thread.join(30)
    assert seen["status"] == 200
    html = seen["html"]
    assert "<caption>3 inscriptions</caption>" in html
    assert html.count('name="attended" value="') == 3  # the three rows, then the page's end
    assert html.rstrip().endswith("</html>")


def test_the_attendance_page_is_sent_as_it_renders_and_its_message_shows_once(
    coordinator_client,
):
    webinar, (member, hostile, gone) = _past_with_signups()
    path = f"/webinars/{webinar.id}/attendance"
    saved = post(coordinator_client, path, {"attended": [str(member.id)]}, follow_redirects=True)
    # Sent as it renders (rows read in batches, never held whole): no length known up front.
    assert saved.status_code == 200 and "Content-Length" not in saved.headers
    assert "Présences enregistrées : 1 personne présente." in saved.get_data(as_text=True)
    # The message was taken from the session before the page was sent: it does not come back.
    again = coordinator_client.get(path).get_data(as_text=True)
    assert "Présences enregistrées" not in again
    # A session without a form token yet: the page's token is made before the body and
    # saved with the headers, so the save it sends is accepted.
    with coordinator_client.session_transaction() as session:
        session.pop("csrf_token", None)
    assert post(coordinator_client, path, {"attended": []}).status_code == 302


def test_attendance_csv(coordinator_client):
    webinar, (member, hostile, gone) = _past_with_signups()
    response = coordinator_client.get(f"/webinars/{webinar.id}/attendance.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Nom", "Courriel", "Membre ou invité"]
    names = [r[0] for r in rows[1:]]
    assert '\'=HYPERLINK("http://x","y")' in names
    member_row = next(r for r in rows if r[0] == "Jean Membre")
    assert member_row[2] == "Membre" and member_row[8]  # the needs


def test_follow_up_from_attendance_page(coordinator_client):
    webinar, (member, hostile, gone) = _past_with_signups()
    post(coordinator_client, f"/webinars/{webinar.id}/attendance", {"attended": [str(member.id)]})
    response = post(
        coordinator_client,
        f"/webinars/manage/{webinar.id}/follow-up",
        {},
        form_page=f"/webinars/{webinar.id}/attendance",
    )
    assert response.status_code == 302
    kinds = sorted(db.session.scalars(select(OutboxMessage.kind)).all())
    assert kinds == ["webinars.missed", "webinars.thanks"]


def test_series_report_chart_and_table(coordinator_client):
    webinar, (member, hostile, gone) = _past_with_signups()
    services.record_attendance(webinar, {member.id})
    db.session.commit()
    html = coordinator_client.get("/webinars/manage/report").get_data(as_text=True)
    assert "<svg" in html and "<title" in html and "<table" in html
    assert "<script" not in html.split("<main")[1].split("</main>")[0]
    assert webinar.title in html


def test_manage_lists_and_coordination_link(coordinator_client, webinar):
    assert webinar.title in coordinator_client.get("/webinars/manage/").get_data(as_text=True)
    assert "/webinars/manage/" in coordinator_client.get("/coordination").get_data(as_text=True)


def test_home_shows_next_webinars(client, webinar):
    assert webinar.title in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    "data, field",
    [
        ({"start_date": ""}, "start_date"),
        ({"start_date": "2027-13-01"}, "start_date"),
        ({"start_date": "2020-06-01"}, "start_date"),
        ({"start_time": "midi"}, "start_time"),
        ({"duration_minutes": "0"}, "duration_minutes"),
        ({"duration_minutes": "601"}, "duration_minutes"),
    ],
)
def test_reschedule_bad_input(coordinator_client, webinar, data, field):
    before = webinar.start_at
    day = (utcnow() + timedelta(days=20)).date().isoformat()
    values = {"start_date": day, "start_time": "12:00", "duration_minutes": "60", **data}
    response = post(coordinator_client, f"/webinars/manage/{webinar.id}/reschedule", values)
    assert response.status_code == 200
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    db.session.refresh(webinar)
    assert webinar.start_at == before and webinar.sequence == 0


def test_webinar_pages_in_english(client, webinar):
    html = client.get(f"/webinars/{webinar.id}?lang=en").get_data(as_text=True)
    assert "Sign up" in html and "Montreal time" in html
    html = client.get(f"/webinars/{webinar.id}?lang=fr").get_data(as_text=True)
    assert "S’inscrire" in html


def test_capacity_holds_when_members_click_at_once(app, pg_only):
    """Real concurrency through the web: one client per member, released together."""
    import threading

    webinar = make_webinar(capacity=2)
    path = f"/webinars/{webinar.id}"
    members = [make_member(f"m{i}@exemple.ca") for i in range(6)]
    clients, tokens = [], []
    for member in members:
        c = make_client(app)
        login(c, member)
        tokens.append(csrf_token(c, path))
        clients.append(c)
    barrier = threading.Barrier(len(clients))
    statuses = []

    def click(c, token):
        barrier.wait(5)
        statuses.append(c.post(path + "/signup", data={"csrf_token": token}).status_code)

    threads = [threading.Thread(target=click, args=ct) for ct in zip(clients, tokens, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert statuses == [302] * 6
    db.session.expire_all()
    states = db.session.scalars(select(Signup.state)).all()
    assert states.count(SignupState.confirmed) == 2 and states.count(SignupState.waiting) == 4


def test_same_address_twice_at_once_is_one_signup(app, pg_only):
    import threading

    webinar = make_webinar()
    path = f"/webinars/{webinar.id}"
    clients = [make_client(app) for _ in range(4)]
    tokens = [csrf_token(c, path) for c in clients]
    barrier = threading.Barrier(len(clients))
    statuses = []

    def send(c, token):
        barrier.wait(5)
        data = {**guest_data(), "csrf_token": token}
        statuses.append(c.post(path + "/signup", data=data).status_code)

    threads = [threading.Thread(target=send, args=ct) for ct in zip(clients, tokens, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert statuses == [302] * 4
    db.session.expire_all()
    assert count() == 1
