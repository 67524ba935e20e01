"""'Log in to register' → 'Create an account' → the email's confirmation link: the person
ends up back on the course they were reading. Only a local path is followed."""

from urllib.parse import quote

import pytest

from communaute.email import deliver_due
from tests.auth.test_accounts import GOOD, link_in
from tests.factories import csrf_token, post
from tests.trainings.conftest import make_course, make_session


def test_next_survives_account_creation_and_confirmation(client, mailbox):
    session = make_session(make_course(slug="partenariat-experientiel"))
    course = f"/trainings/{session.course.slug}"
    page = client.get(course).get_data(as_text=True)
    assert f'href="/auth/login?next={quote(course, safe="/")}"' in page
    login_page = client.get(f"/auth/login?next={course}").get_data(as_text=True)
    register_path = f"/auth/register?next={quote(course, safe='/')}"
    assert f'href="{register_path}"' in login_page
    form = client.get(register_path).get_data(as_text=True)
    assert f'action="{register_path}"' in form
    response = post(client, register_path, GOOD)
    assert response.status_code == 302 and response.location == course
    deliver_due()
    confirm = link_in(mailbox.wait_for(1)[0])
    response = post(client, confirm)
    assert response.status_code == 302 and response.location == course
    # The course now offers the button (the address is confirmed).
    html = client.get(course).get_data(as_text=True)
    assert f'action="/trainings/sessions/{session.id}/register"' in html


@pytest.mark.parametrize(
    "hostile", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:x"]
)
def test_next_to_another_site_is_ignored(client, hostile):
    path = f"/auth/register?next={quote(hostile, safe='')}"
    response = client.post(path, data={**GOOD, "csrf_token": csrf_token(client, "/auth/register")})
    assert response.status_code == 302 and response.location == "/me"
