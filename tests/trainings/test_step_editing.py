"""Coordinators edit the steps of an activity and put them in order (up, down)."""

from __future__ import annotations

import pytest

from communaute.extensions import db
from communaute.trainings.activities import ActivityStep, StepKind
from communaute.trainings.models import CourseFormat
from tests.factories import csrf_token, login, make_coordinator, make_member, post
from tests.trainings.conftest import make_course
from tests.trainings.test_activities import steps

FIELDS = {"kind": "reading", "title": "Lire autrement", "en_title": "Read again",
          "body": "Un **autre** texte", "en_body": "", "link_url": "", "captions": ""}  # fmt: skip


@pytest.fixture
def activity(app):
    c = make_course(slug="a-mon-rythme", title="À mon rythme", format=CourseFormat.self_paced)
    for position, title in enumerate(("Lire", "Voir", "Réfléchir"), start=1):
        db.session.add(
            ActivityStep(
                course_id=c.id, position=position, kind=StepKind.reading, title=title, body="Texte"
            )
        )
    db.session.commit()
    return c


@pytest.fixture
def team(app):
    client = app.test_client()
    login(client, make_coordinator())
    return client


def titles(activity):
    db.session.expire_all()
    return [s.title for s in steps(activity)]


def test_a_coordinator_edits_a_step(team, activity):
    first = steps(activity)[0]
    path = f"/trainings/manage/courses/{activity.id}/steps/{first.id}/edit"
    html = team.get(path).get_data(as_text=True)
    assert 'value="Lire"' in html
    assert f'href="{path}"' in team.get(f"/trainings/manage/courses/{activity.id}/steps").get_data(
        as_text=True
    )
    response = post(team, path, FIELDS)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/trainings/manage/courses/{activity.id}/steps"
    db.session.expire_all()
    step = steps(activity)[0]
    assert (step.id, step.position, step.title, step.title_en, step.body) == (
        first.id,
        1,
        "Lire autrement",
        "Read again",
        "Un **autre** texte",
    )


@pytest.mark.parametrize(
    "changes, error",
    [
        ({"title": ""}, "title-error"),
        ({"title": "x" * 201}, "title-error"),
        ({"title": "nul\x00"}, "title-error"),
        ({"kind": "teleport"}, "kind-error"),
        ({"kind": "video", "link_url": ""}, "link_url-error"),
        ({"link_url": "javascript:alert(1)"}, "link_url-error"),
    ],
)
def test_hostile_edits_are_refused_next_to_the_field(team, activity, changes, error):
    first = steps(activity)[0]
    path = f"/trainings/manage/courses/{activity.id}/steps/{first.id}/edit"
    response = post(team, path, {**FIELDS, **changes})
    assert response.status_code == 200
    assert f'id="{error}"' in response.get_data(as_text=True)
    assert titles(activity) == ["Lire", "Voir", "Réfléchir"]


def test_steps_move_up_and_down(team, activity):
    lire, voir, reflechir = steps(activity)
    page = f"/trainings/manage/courses/{activity.id}/steps"
    html = team.get(page).get_data(as_text=True)
    assert f'action="{page}/{lire.id}/down"' in html and f'action="{page}/{lire.id}/up"' not in html
    assert f'action="{page}/{reflechir.id}/up"' in html
    assert f'action="{page}/{reflechir.id}/down"' not in html
    assert post(team, f"{page}/{reflechir.id}/up", form_page=page).status_code == 302
    assert titles(activity) == ["Lire", "Réfléchir", "Voir"]
    post(team, f"{page}/{lire.id}/down", form_page=page)
    assert titles(activity) == ["Réfléchir", "Lire", "Voir"]
    # Already first: nothing moves, a message says why.
    response = post(team, f"{page}/{reflechir.id}/up", form_page=page, follow_redirects=True)
    assert "Cette étape est déjà la première." in response.get_data(as_text=True)
    assert titles(activity) == ["Réfléchir", "Lire", "Voir"]
    assert [s.position for s in steps(activity)] == [1, 2, 3]


def test_moving_needs_the_csrf_token_and_a_known_direction(team, activity):
    lire = steps(activity)[0]
    page = f"/trainings/manage/courses/{activity.id}/steps"
    assert team.post(f"{page}/{lire.id}/down").status_code == 400
    assert post(team, f"{page}/{lire.id}/sideways", form_page=page).status_code in (404, 405)
    assert titles(activity) == ["Lire", "Voir", "Réfléchir"]


def test_a_step_of_another_course_is_404(team, activity):
    other = make_course(slug="autre", format=CourseFormat.self_paced)
    lire = steps(activity)[0]
    page = f"/trainings/manage/courses/{other.id}/steps"
    assert team.get(f"{page}/{lire.id}/edit").status_code == 404
    assert post(team, f"{page}/{lire.id}/edit", FIELDS, form_page=page).status_code == 404
    assert post(team, f"{page}/{lire.id}/down", form_page=page).status_code == 404
    assert team.get(f"{page}/2147483647/edit").status_code == 404
    assert titles(activity) == ["Lire", "Voir", "Réfléchir"]


def test_members_cannot_edit_or_move(app, activity):
    client = app.test_client()
    login(client, make_member())
    lire = steps(activity)[0]
    page = f"/trainings/manage/courses/{activity.id}/steps"
    assert client.get(f"{page}/{lire.id}/edit").status_code == 403
    token = csrf_token(client, "/me")
    assert client.post(f"{page}/{lire.id}/down", data={"csrf_token": token}).status_code == 403
    assert titles(activity) == ["Lire", "Voir", "Réfléchir"]
