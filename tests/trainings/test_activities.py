"""Self-paced activities that are real: steps, progress saved at each step, completion."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

from communaute.db import utcnow
from communaute.extensions import db
from communaute.trainings import activities, activity_demo
from communaute.trainings.activities import ActivityCompletion, ActivityStep, StepKind, StepProgress
from communaute.trainings.models import CourseFormat, Registration, RegistrationState
from tests.factories import PASSWORD, login, make_member, post
from tests.trainings.conftest import make_course


@pytest.fixture
def course(app):
    c = make_course(slug="a-mon-rythme", title="À mon rythme", format=CourseFormat.self_paced)
    for position, (kind, title) in enumerate(
        [(StepKind.reading, "Lire"), (StepKind.video, "Voir"), (StepKind.reflection, "Réfléchir")],
        start=1,
    ):
        db.session.add(ActivityStep(course_id=c.id, position=position, kind=kind, title=title,
                                    body=f"Texte de {title}", link_url="https://video.exemple.ca/1"
                                    if kind == StepKind.video else None, captions="en"
                                    if kind == StepKind.video else None))  # fmt: skip
    db.session.commit()
    return c


def register(member, course) -> Registration:
    reg = Registration(course_id=course.id, user_id=member.id, state=RegistrationState.confirmed,
                       confirmed_at=utcnow())  # fmt: skip
    db.session.add(reg)
    db.session.commit()
    return reg


def steps(course):
    return activities.steps_of(course)


def test_a_member_goes_through_the_steps_and_completes_the_activity(client, course):
    member = make_member()
    register(member, course)
    login(client, member)
    first, video, reflection = steps(course)
    page = client.get("/trainings/a-mon-rythme").get_data(as_text=True)
    assert "0 étapes faites sur 3." in page
    html = client.get(f"/trainings/a-mon-rythme/steps/{first.id}").get_data(as_text=True)
    assert "<h1>Lire</h1>" in html and "Étape 1 sur 3" in html
    done = post(
        client,
        f"/trainings/a-mon-rythme/steps/{first.id}/done",
        form_page=f"/trainings/a-mon-rythme/steps/{first.id}",
    )
    assert done.headers["Location"] == f"/trainings/a-mon-rythme/steps/{video.id}"
    html = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Sous-titres en anglais" in html and "Transcription" in html
    post(client, f"/trainings/a-mon-rythme/steps/{video.id}/done", form_page="/me")
    me = client.get("/me").get_data(as_text=True)
    assert "2 étapes faites sur 3." in me
    # A reflection needs an answer, said next to the field.
    empty = post(
        client,
        f"/trainings/a-mon-rythme/steps/{reflection.id}/done",
        {"answer": ""},
        form_page="/me",
    )
    assert empty.status_code == 200 and 'id="answer-error"' in empty.get_data(as_text=True)
    last = post(client, f"/trainings/a-mon-rythme/steps/{reflection.id}/done",
                {"answer": "La fatigue ne se voit pas."}, form_page="/me")  # fmt: skip
    assert last.headers["Location"] == "/trainings/a-mon-rythme#materiel"
    assert db.session.scalar(select(func.count()).select_from(ActivityCompletion)) == 1
    me = client.get("/me").get_data(as_text=True)
    assert re.search(r"Terminée le \w+ \d+(?:er)? \w+ \d{4}", me)


def test_the_steps_need_a_registration_and_belong_to_their_course(client, course, app):
    member = make_member()
    first = steps(course)[0]
    assert (
        client.get(f"/trainings/a-mon-rythme/steps/{first.id}")
        .headers["Location"]
        .startswith("/auth/login")
    )
    login(client, member)
    # Not registered: back to the course page to register.
    assert (
        client.get(f"/trainings/a-mon-rythme/steps/{first.id}").headers["Location"]
        == "/trainings/a-mon-rythme#materiel"
    )
    assert (
        post(client, f"/trainings/a-mon-rythme/steps/{first.id}/done", form_page="/me").status_code
        == 404
    )
    other = make_course(slug="autre", format=CourseFormat.self_paced)
    register(member, other)
    assert client.get(f"/trainings/autre/steps/{first.id}").status_code == 404
    assert client.get("/trainings/a-mon-rythme/steps/2147483647").status_code == 404


def test_over_long_answers_are_refused(client, course):
    member = make_member()
    register(member, course)
    login(client, member)
    reflection = steps(course)[2]
    r = post(
        client,
        f"/trainings/a-mon-rythme/steps/{reflection.id}/done",
        {"answer": "x" * 6000},
        form_page="/me",
    )
    assert r.status_code == 200 and 'id="answer-error"' in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(StepProgress)) == 0


def test_export_and_deletion_cover_progress(app, client, course):
    member = make_member()
    reg = register(member, course)
    activities.complete_step(reg, steps(course)[2], answer="Ma réponse")
    db.session.commit()
    login(client, member)
    data = json.loads(client.get("/auth/export").get_data(as_text=True))
    assert data["activities"]["steps"][0]["answer"] == "Ma réponse"
    post(client, "/auth/delete", {"password": PASSWORD, "understand": "y"})
    assert db.session.scalar(select(func.count()).select_from(StepProgress)) == 0


def test_the_demo_activity_has_its_four_steps_once(app):
    from communaute.trainings.demo import load_demo_trainings
    from tests.factories import make_coordinator

    coordinator, member = make_coordinator(), make_member()
    load_demo_trainings(coordinator, member)
    assert activity_demo.load(coordinator, member)
    assert activity_demo.load(coordinator, member) == []
    kinds = [
        s.kind for s in db.session.scalars(select(ActivityStep).order_by(ActivityStep.position))
    ]
    assert kinds == [StepKind.reading, StepKind.video, StepKind.resource, StepKind.reflection]


def test_a_coordinator_adds_and_deletes_steps(client, course):
    from tests.factories import make_coordinator

    page = f"/trainings/manage/courses/{course.id}/steps"
    login(client, make_member())
    assert client.get(page).status_code == 403
    client.post("/auth/logout", data={"csrf_token": ""})
    team = client.application.test_client()
    login(team, make_coordinator())
    data = {"kind": "video", "title": "Capsule 2", "en_title": "", "body": "Transcription",
            "en_body": "", "link_url": "", "captions": "fr"}  # fmt: skip
    bad = post(team, page, data)
    assert bad.status_code == 200 and 'id="link_url-error"' in bad.get_data(as_text=True)
    bad = post(team, page, {**data, "link_url": "javascript:alert(1)"})
    assert 'id="link_url-error"' in bad.get_data(as_text=True)
    assert post(team, page, {**data, "link_url": "https://video.exemple.ca/2"}).status_code == 302
    added = steps(course)[-1]
    assert (added.position, added.title, added.captions) == (4, "Capsule 2", "fr")
    assert (
        post(team, f"/trainings/manage/steps/{added.id}/delete", form_page=page).status_code == 302
    )
    assert len(steps(course)) == 3
    assert team.get("/trainings/manage/courses/2147483647/steps").status_code == 404
