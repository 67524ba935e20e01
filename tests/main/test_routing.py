"""The ``<id:...>`` converter: a tampered id is a 404 on every route, never a database error."""

from datetime import timedelta

import pytest

from communaute.db import utcnow
from communaute.extensions import db
from tests.factories import csrf_token, login, make_coordinator

OUT_OF_RANGE = ["2147483648", "9223372036854775808", "100000000000000000000"]
NOT_AN_ID = ["0", "007", "-1", "%C2%B2", "%D9%A1%D9%A2", "1%00"]


@pytest.mark.parametrize("ident", OUT_OF_RANGE + NOT_AN_ID)
@pytest.mark.parametrize("prefix", ["/webinars/", "/magazine/"])
def test_public_pages_with_a_tampered_id_are_404(client, prefix, ident):
    assert client.get(prefix + ident).status_code == 404


@pytest.mark.parametrize("ident", OUT_OF_RANGE + NOT_AN_ID)
def test_posts_with_a_tampered_id_are_404(client, ident):
    login(client, make_coordinator())
    token = csrf_token(client, "/outbox/")
    for path in (
        f"/webinars/{ident}/signup",
        f"/outbox/{ident}/resend",
        f"/magazine/submissions/{ident}/withdraw",
        f"/trainings/sessions/{ident}/register",
    ):
        assert client.post(path, data={"csrf_token": token}).status_code == 404, path


def test_the_largest_id_is_still_looked_up(client):
    # 2^31 - 1 passes the converter and is simply not found: the database was asked safely.
    assert client.get("/webinars/2147483647").status_code == 404


UNICODE_DIGITS = ["²", "①", "١٢", "１２", "߁"]


@pytest.mark.parametrize("value", UNICODE_DIGITS + ["99999999999999999999", "-1", "1e3", ""])
@pytest.mark.parametrize(
    "path, arg",
    [
        ("/trainings/", "page"),
        ("/magazine/", "theme"),
        ("/magazine/", "edition"),
        ("/magazine/", "page"),
        ("/webinars/", "page"),
    ],
)
def test_query_numbers_in_other_digits_fall_back_to_the_default(client, path, arg, value):
    response = client.get(path, query_string={arg: value})
    assert response.status_code == 200


def test_attendance_with_unicode_digits_keeps_only_real_ids(client):
    from communaute.webinars import services
    from communaute.webinars.models import Signup
    from tests.webinars.conftest import make_webinar

    webinar = make_webinar(days=-1)
    signup, _ = services.sign_up_guest(
        webinar, email="a@exemple.ca", name="A", now=webinar.start_at - timedelta(days=1)
    )
    db.session.commit()
    login(client, make_coordinator())
    path = f"/webinars/{webinar.id}/attendance"
    token = csrf_token(client, path)
    response = client.post(
        path,
        data={"csrf_token": token, "attended": ["²", "①", "١", str(signup.id), "9" * 30]},
    )
    assert response.status_code == 302
    assert db.session.get(Signup, signup.id).attended is True


def test_session_attendance_with_unicode_digits_keeps_only_real_ids(client):
    from communaute.trainings import services
    from communaute.trainings.models import Registration
    from tests.factories import make_member
    from tests.trainings.conftest import make_session

    session = make_session()
    reg, _ = services.register_for_session(session, member=make_member())
    session.starts_at = utcnow() - timedelta(hours=1)  # attendance is taken once it has begun
    db.session.commit()
    login(client, make_coordinator())
    roster = f"/trainings/manage/sessions/{session.id}"
    token = csrf_token(client, roster)
    response = client.post(
        roster + "/attendance", data={"csrf_token": token, "attended": ["①", str(reg.id), "²"]}
    )
    assert response.status_code == 302
    assert db.session.get(Registration, reg.id).attended is True


@pytest.mark.parametrize("slug", ["%00", "%20", "%C3%A9t%C3%A9", "A-Majuscule", "x" * 121])
def test_an_address_that_no_course_or_page_can_have_is_a_404_before_the_database(client, slug):
    for path in (f"/trainings/{slug}", f"/pages/{slug}", f"/trainings/{slug}/steps/1"):
        assert client.get(path).status_code == 404, path
