"""The ``<id:...>`` converter: a tampered id is a 404 on every route, never a database error."""

import pytest

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
