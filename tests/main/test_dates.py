"""Dates a coordinator types are read on a Montreal clock: the skipped hour of March is
refused with a message, the repeated hour of November is the first one, years are bounded
(issue 10, item 9). One rule for trainings and webinars (communaute/i18n.py, forms.py)."""

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import func, select

from communaute.extensions import db
from communaute.i18n import NonexistentLocalTime, local_to_utc
from communaute.trainings.models import TrainingSession
from communaute.webinars.models import Webinar
from tests.factories import login, make_coordinator, post
from tests.trainings.conftest import make_course
from tests.webinars.test_views import new_webinar_data

SKIPPED = "n’existe pas à Montréal"


def test_local_time_in_winter_and_summer():
    assert local_to_utc(date(2027, 1, 13), time(12, 0)) == datetime(2027, 1, 13, 17, tzinfo=UTC)
    assert local_to_utc(date(2027, 7, 14), time(12, 0)) == datetime(2027, 7, 14, 16, tzinfo=UTC)


def test_the_hour_skipped_in_march_does_not_exist():
    with pytest.raises(NonexistentLocalTime):
        local_to_utc(date(2027, 3, 14), time(2, 30))
    assert local_to_utc(date(2027, 3, 14), time(3, 0)) == datetime(2027, 3, 14, 7, tzinfo=UTC)


def test_the_hour_repeated_in_november_is_the_first_one():
    # 1:30 happens twice on 2027-11-07: first on daylight time (UTC-4), then standard.
    assert local_to_utc(date(2027, 11, 7), time(1, 30)) == datetime(2027, 11, 7, 5, 30, tzinfo=UTC)


@pytest.fixture
def coordinator_client(client):
    login(client, make_coordinator())
    return client


def webinars():
    return db.session.scalar(select(func.count()).select_from(Webinar))


@pytest.mark.parametrize(
    "when, field, words",
    [
        (("2027-03-14", "02:30"), "start_time", SKIPPED),
        (("9999-12-31", "23:30"), "start_date", "entre les années 2000 et 2100"),
        (("9999-12-31", "12:00"), "start_date", "entre les années 2000 et 2100"),
        (("1999-12-31", "12:00"), "start_date", "entre les années 2000 et 2100"),
    ],
)
def test_a_webinar_at_an_impossible_time_is_refused_next_to_the_field(
    coordinator_client, when, field, words
):
    day, at = when
    data = new_webinar_data(start_date=day, start_time=at, duration_minutes="600")
    response = post(coordinator_client, "/webinars/manage/new", data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    error = html[html.index(f'id="{field}-error"') :][:400]
    assert words in error
    assert webinars() == 0


def test_a_webinar_in_the_repeated_hour_is_stored_on_daylight_time(coordinator_client):
    data = new_webinar_data(start_date="2027-11-07", start_time="01:30")
    assert post(coordinator_client, "/webinars/manage/new", data).status_code == 302
    assert db.session.scalar(select(Webinar.start_at)) == datetime(2027, 11, 7, 5, 30, tzinfo=UTC)


def test_rescheduling_into_the_skipped_hour_is_refused(coordinator_client):
    assert post(coordinator_client, "/webinars/manage/new", new_webinar_data()).status_code == 302
    webinar = db.session.scalar(select(Webinar))
    before = webinar.start_at
    path = f"/webinars/manage/{webinar.id}/reschedule"
    data = {"start_date": "2027-03-14", "start_time": "02:15", "duration_minutes": "60"}
    response = post(coordinator_client, path, data)
    assert response.status_code == 200 and SKIPPED in response.get_data(as_text=True)
    db.session.refresh(webinar)
    assert webinar.start_at == before


@pytest.mark.parametrize("field", ["start_time", "end_time", "deadline_time"])
def test_a_session_in_the_skipped_hour_is_refused(coordinator_client, field):
    course = make_course()
    data = {
        "start_date": "2027-03-14",
        "start_time": "01:00",
        "end_time": "04:00",
        "place": "Salle 3",
        "online_url": "",
        "capacity": "12",
        "deadline_date": "2027-03-14" if field == "deadline_time" else "",
        "deadline_time": "",
        "state": "open",
        field: "02:30",
    }
    if field == "start_time":
        data["start_time"] = "02:30"
    response = post(coordinator_client, f"/trainings/manage/courses/{course.id}/sessions/new", data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert SKIPPED in html[html.index(f'id="{field}-error"') :][:400]
    assert db.session.scalar(select(func.count()).select_from(TrainingSession)) == 0


@pytest.mark.parametrize(
    ("utc", "fr", "en"),
    [
        (
            (2026, 12, 9, 17, 0),
            "mercredi 9 décembre 2026, 12 h",
            "Wednesday, December 9, 2026, 12:00 p.m.",
        ),
        (
            (2026, 12, 1, 14, 30),
            "mardi 1er décembre 2026, 9 h 30",
            "Tuesday, December 1, 2026, 9:30 a.m.",
        ),
        (
            (2027, 7, 1, 13, 5),
            "jeudi 1er juillet 2027, 9 h 05",
            "Thursday, July 1, 2027, 9:05 a.m.",
        ),
    ],
)
def test_dates_and_times_read_as_people_write_them_here(app, utc, fr, en):
    """« 9 h », « 12 h 30 », « 1er »: never « 09 h 00 »; spaces that do not break."""
    from datetime import UTC, datetime

    from communaute.i18n import format_local

    value = datetime(*utc, tzinfo=UTC)
    assert format_local(value, "datetime", "fr") == fr.replace(" h", "\u00a0h").replace(
        "h ", "h\u00a0"
    )
    assert format_local(value, "datetime", "en") == en
    assert format_local(value, "time", "fr") == fr.split(", ")[1].replace(" ", "\u00a0")
