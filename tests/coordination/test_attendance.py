"""Attendance the way it happens: the report of Zoom, Teams or Meet imported; check-in on a phone."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import select

from communaute.coordination.reports import ReportError, read_report
from communaute.extensions import db
from communaute.webinars.models import Signup, SignupState
from tests.factories import token_in
from tests.webinars.conftest import make_webinar

REPORTS = Path(__file__).parent / "reports"


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": False}


@pytest.mark.parametrize(
    "name, tool, amelie, luc",
    [
        ("zoom_en.csv", "Zoom", 57, 10),
        ("zoom_fr.csv", "Zoom", 62, 10),
        ("teams_en.csv", "Microsoft Teams", 62, 10),
        ("teams_fr.csv", "Microsoft Teams", 62, None),
        ("meet_en.csv", "Google Meet", 62, 10),
        ("meet_fr_latin1.csv", "Google Meet", 62, 10),
    ],
)
def test_each_tool_s_report_is_read(app, rctx, name, tool, amelie, luc):
    report = read_report((REPORTS / name).read_bytes())
    assert report.tool == tool
    minutes: dict[str, float] = {}
    for row in report.rows:
        key = row.email.lower().replace("é", "e")
        minutes[key] = minutes.get(key, 0) + row.minutes
    assert round(minutes["amelie@exemple.ca"]) == amelie
    assert (round(minutes["luc@exemple.ca"]) if "luc@exemple.ca" in minutes else None) == luc
    assert all("Amélie" in r.name for r in report.rows if "amelie" in r.email.lower())


@pytest.mark.parametrize(
    "data, message",
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "n’est pas un rapport CSV"),
        (b"a" * (5 * 1024 * 1024 + 1), "plus de 5 Mo"),
        (b"", "vide"),
        (b"Nom,Ville\nAmelie,Montreal\n", "Aucune colonne de courriel"),
        (b"Name,Email\nA,a@exemple.ca\n", "Aucune colonne avec le temps"),
    ],
)
def test_what_is_not_a_report_is_refused_clearly(app, rctx, data, message):
    with pytest.raises(ReportError) as caught:
        read_report(data)
    assert message in str(caught.value)


@pytest.fixture
def past_webinar(app):
    webinar = make_webinar(days=-1, title="Midi passé")
    for email, name in (
        ("amelie@exemple.ca", "Amélie"),
        ("luc@exemple.ca", "Luc"),
        ("josee@exemple.ca", "Josée A"),
        ("josée@exemple.ca", "Josée B"),
        ("absent@exemple.ca", "Paul"),
    ):
        db.session.add(Signup(webinar=webinar, email=email, name=name, state=SignupState.confirmed))
    db.session.commit()
    return webinar


def upload(client, path, data: bytes, threshold="30", filename="rapport.csv"):
    token = token_in(client.get(path).get_data(as_text=True))
    return client.post(
        path,
        data={
            "csrf_token": token,
            "threshold": threshold,
            "action": "read",
            "report": (io.BytesIO(data), filename),
        },
        content_type="multipart/form-data",
    )


def test_import_previews_then_records_all_at_once(app, coordo_client, past_webinar):
    path = f"/coordination/attendance/webinar/{past_webinar.id}/import"
    data = (REPORTS / "zoom_en.csv").read_bytes() + b"Josee,JOSEE@exemple.ca,x,y,45,Yes,Y\n"
    # The Zoom sample ends with a blank-free list: the extra line belongs to it.
    html = upload(coordo_client, path, data).get_data(as_text=True)
    assert '<h3 id="matched">2 personnes trouvées</h3>' in html
    assert '<h3 id="unmatched">2 lignes ne correspondent à personne</h3>' in html
    assert '<h3 id="ambiguous">1 ligne correspond à plusieurs personnes</h3>' in html
    assert "=HYPERLINK(&#34;http://evil.example&#34;)" in html  # shown as text, escaped
    assert "Enregistrer les présences : 1 personne présente" in html
    assert not any(s.attended for s in past_webinar.signups)
    token = token_in(html)
    ids = {s.name: s.id for s in past_webinar.signups}
    response = coordo_client.post(
        path,
        data={
            "csrf_token": token,
            "action": "record",
            "present": [f"{ids['Amélie']}:1", f"{ids['Luc']}:0"],
        },
    )
    assert response.status_code == 302
    attended = {s.name: s.attended for s in db.session.scalars(select(Signup))}
    assert attended["Amélie"] is True and attended["Luc"] is False and attended["Paul"] is False
    assert past_webinar.attendance_recorded_at is not None


def test_a_tampered_id_records_nothing(app, coordo_client, past_webinar):
    other = make_webinar(days=-2)
    stranger = Signup(webinar=other, email="x@exemple.ca", name="X", state=SignupState.confirmed)
    db.session.add(stranger)
    db.session.commit()
    path = f"/coordination/attendance/webinar/{past_webinar.id}/import"
    amelie = db.session.scalar(select(Signup).where(Signup.email == "amelie@exemple.ca"))
    token = token_in(coordo_client.get(path).get_data(as_text=True))
    coordo_client.post(
        path,
        data={
            "csrf_token": token,
            "action": "record",
            "present": [f"{amelie.id}:1", f"{stranger.id}:1"],
        },
    )
    assert not any(s.attended for s in db.session.scalars(select(Signup)))
    response = coordo_client.post(
        path, data={"csrf_token": token, "action": "record", "present": ["abc:1"]}
    )
    assert response.status_code == 400


def test_an_image_is_refused_next_to_the_field(app, coordo_client, past_webinar):
    path = f"/coordination/attendance/webinar/{past_webinar.id}/import"
    html = upload(
        coordo_client, path, b"\xff\xd8\xff\xe0" + b"0" * 50, filename="photo.jpg"
    ).get_data(as_text=True)
    assert "n’est pas un rapport CSV" in html.split('id="report-error">')[1].split("</p>")[0]


def test_no_attendance_before_the_start(app, coordo_client):
    webinar = make_webinar(days=3)
    db.session.add(
        Signup(webinar=webinar, email="a@exemple.ca", name="A", state=SignupState.confirmed)
    )
    db.session.commit()
    signup = webinar.signups[0]
    path = f"/coordination/attendance/webinar/{webinar.id}/import"
    html = upload(coordo_client, path, (REPORTS / "meet_en.csv").read_bytes()).get_data(
        as_text=True
    )
    assert "Les présences peuvent être prises une fois l’activité commencée." in html
    page = coordo_client.get(f"/coordination/checkin/webinar/{webinar.id}").get_data(as_text=True)
    assert 'id="not-started"' in page and "checkin-button" not in page
    token = token_in(page)
    coordo_client.post(
        f"/coordination/checkin/webinar/{webinar.id}/{signup.id}",
        data={"csrf_token": token, "came": "1"},
    )
    assert db.session.get(Signup, signup.id).attended is False


def test_check_in_one_tap_at_a_time_with_a_search(app, coordo_client, past_webinar):
    base = f"/coordination/checkin/webinar/{past_webinar.id}"
    page = coordo_client.get(base).get_data(as_text=True)
    assert "<strong>0 présente ou présent sur 5</strong>" in page
    luc = db.session.scalar(select(Signup).where(Signup.email == "luc@exemple.ca"))
    found = coordo_client.get(base + "?q=LUC").get_data(as_text=True)
    assert f'id="seat-{luc.id}"' in found and "Amélie" not in found
    response = coordo_client.post(
        f"{base}/{luc.id}", data={"csrf_token": token_in(found), "came": "1", "q": "LUC"}
    )
    assert response.headers["Location"] == f"{base}?q=LUC#seat-{luc.id}"
    assert db.session.get(Signup, luc.id).attended is True
    page = coordo_client.get(base).get_data(as_text=True)
    assert "<strong>1 présente ou présent sur 5</strong>" in page
    assert 'aria-pressed="true"' in page


def test_check_in_of_someone_from_elsewhere_changes_nothing(app, coordo_client, past_webinar):
    other = make_webinar(days=-2)
    stranger = Signup(webinar=other, email="x@exemple.ca", name="X", state=SignupState.confirmed)
    db.session.add(stranger)
    db.session.commit()
    base = f"/coordination/checkin/webinar/{past_webinar.id}"
    token = token_in(coordo_client.get(base).get_data(as_text=True))
    coordo_client.post(f"{base}/{stranger.id}", data={"csrf_token": token, "came": "1"})
    assert db.session.get(Signup, stranger.id).attended is False


def test_members_are_refused(app, client, past_webinar):
    from tests.factories import login, make_member

    login(client, make_member("m@exemple.ca"))
    assert client.get(f"/coordination/checkin/webinar/{past_webinar.id}").status_code == 403
    assert (
        client.get(f"/coordination/attendance/webinar/{past_webinar.id}/import").status_code == 403
    )


def test_the_webinar_attendance_form_refuses_before_the_start(app, coordo_client):
    from tests.factories import post

    webinar = make_webinar(days=2)
    signup = Signup(webinar=webinar, email="a@exemple.ca", name="A", state=SignupState.confirmed)
    db.session.add(signup)
    db.session.commit()
    path = f"/webinars/{webinar.id}/attendance"
    response = post(coordo_client, path, {"attended": [str(signup.id)]}, follow_redirects=True)
    assert "Les présences peuvent être prises une fois le webinaire commencé." in response.get_data(
        as_text=True
    )
    assert db.session.get(Signup, signup.id).attended is False
