"""A series that repeats: every week at noon in Montreal across the changes of time, skipped
dates, each webinar its own row; a webinar duplicated without its people."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from communaute.extensions import db
from communaute.i18n import MONTREAL
from communaute.webinars.models import Signup, SignupState, Webinar
from tests.factories import login, make_coordinator, post
from tests.webinars.conftest import make_webinar
from tests.webinars.test_views import new_webinar_data


@pytest.fixture
def coordinator_client(client):
    login(client, make_coordinator())
    return client


def test_every_wednesday_at_noon_for_8_weeks_stays_at_noon_across_march(coordinator_client):
    # 2027-02-24 is a Wednesday; the clocks move forward on Sunday 2027-03-14.
    data = new_webinar_data(start_date="2027-02-24", start_time="12:00", repeat_weeks="8")
    response = post(
        coordinator_client, "/webinars/manage/new", data, form_page="/webinars/manage/new"
    )
    assert response.status_code == 302
    webinars = db.session.scalars(select(Webinar).order_by(Webinar.start_at)).all()
    local = [w.start_at.astimezone(MONTREAL) for w in webinars]
    assert [d.date() for d in local] == [
        date(2027, 2, 24),
        date(2027, 3, 3),
        date(2027, 3, 10),
        date(2027, 3, 17),
        date(2027, 3, 24),
        date(2027, 3, 31),
        date(2027, 4, 7),
        date(2027, 4, 14),
    ]
    assert {(d.hour, d.minute, d.weekday()) for d in local} == {(12, 0, 2)}
    assert {w.start_at.hour for w in webinars[:3]} == {17}  # EST: UTC-5
    assert {w.start_at.hour for w in webinars[3:]} == {16}  # EDT: UTC-4
    assert all(w.speakers[0].name == "Luc Gagnon" for w in webinars)
    page = coordinator_client.get("/webinars/manage/").get_data(as_text=True)
    assert "8 webinaires sont créés" in page


def test_november_and_a_skipped_date(coordinator_client):
    # The clocks move back on Sunday 2027-11-07.
    data = new_webinar_data(
        start_date="2027-10-27", start_time="12:00", repeat_weeks="4", skip_dates="2027-11-10"
    )
    post(coordinator_client, "/webinars/manage/new", data, form_page="/webinars/manage/new")
    webinars = db.session.scalars(select(Webinar).order_by(Webinar.start_at)).all()
    assert [w.start_at for w in webinars] == [
        datetime(2027, 10, 27, 16, tzinfo=UTC),
        datetime(2027, 11, 3, 16, tzinfo=UTC),
        datetime(2027, 11, 17, 17, tzinfo=UTC),
    ]
    # Each one is editable on its own.
    edit = coordinator_client.get(f"/webinars/manage/{webinars[1].id}/edit")
    assert edit.status_code == 200


@pytest.mark.parametrize(
    "values, field, message",
    [
        ({"repeat_weeks": "53"}, "repeat_weeks", "Entre 1 et 52 semaines."),
        ({"repeat_weeks": "0"}, "repeat_weeks", "Entre 1 et 52 semaines."),
        ({"repeat_weeks": "99999999999999999999"}, "repeat_weeks", ""),
        ({"repeat_weeks": "3", "skip_dates": "demain"}, "skip_dates", "n’est pas une date"),
        ({"repeat_weeks": "3", "skip_dates": "2027-02-30"}, "skip_dates", "n’est pas une date"),
        (
            {"repeat_weeks": "3", "skip_dates": "2030-01-01"},
            "skip_dates",
            "n’est pas une des dates",
        ),
        (
            {"start_date": "2027-03-07", "start_time": "02:30", "repeat_weeks": "2"},
            "start_time",
            "",
        ),
    ],
)
def test_impossible_series_are_refused_next_to_the_field(
    coordinator_client, values, field, message
):
    data = new_webinar_data(**{"start_date": "2027-02-24", "start_time": "12:00", **values})
    response = post(
        coordinator_client, "/webinars/manage/new", data, form_page="/webinars/manage/new"
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="{field}-error">' in html
    assert message in html.split(f'id="{field}-error">')[1].split("</p>")[0]
    assert db.session.scalar(select(func.count()).select_from(Webinar)) == 0


def test_duplicate_copies_everything_but_the_people(coordinator_client):
    webinar = make_webinar(days=3, capacity=40, recording_url="")
    webinar.start_at = webinar.start_at.replace(second=0)
    db.session.add(
        Signup(webinar=webinar, email="a@exemple.ca", name="A", state=SignupState.confirmed)
    )
    db.session.commit()
    page = coordinator_client.get("/webinars/manage/").get_data(as_text=True)
    assert f'action="/webinars/manage/{webinar.id}/duplicate"' in page
    response = post(
        coordinator_client,
        f"/webinars/manage/{webinar.id}/duplicate",
        form_page="/webinars/manage/",
    )
    copy = db.session.scalar(select(Webinar).where(Webinar.id != webinar.id))
    assert response.headers["Location"] == f"/webinars/manage/{copy.id}/edit"
    assert copy.title == webinar.title and copy.capacity == 40 and copy.join_url == webinar.join_url
    assert [s.name for s in copy.speakers] == [s.name for s in webinar.speakers]
    assert copy.signups == []
    assert copy.start_at.astimezone(MONTREAL).time() == webinar.start_at.astimezone(MONTREAL).time()
    assert (
        copy.start_at.astimezone(MONTREAL).date() - webinar.start_at.astimezone(MONTREAL).date()
    ).days == 7
