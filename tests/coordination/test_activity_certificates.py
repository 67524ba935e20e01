"""Attestations of a completed self-paced activity: issued with the completion, downloaded
from /me and the course page, checked at /certificates/<code>, exported and erased."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from communaute.coordination.certificates import Certificate
from communaute.extensions import db
from communaute.trainings.activities import ActivityStep, StepKind
from communaute.trainings.models import CourseFormat
from tests.coordination.test_certificates import _pdf_text
from tests.factories import PASSWORD, login, make_member, post
from tests.trainings.conftest import make_course
from tests.trainings.test_activities import register, steps


def _activity():
    course = make_course(
        slug="a-mon-rythme",
        title="À mon rythme",
        format=CourseFormat.self_paced,
        duration="Environ 2 heures",
    )
    for position, title in enumerate(("Lire", "Relire"), start=1):
        db.session.add(
            ActivityStep(
                course_id=course.id,
                position=position,
                kind=StepKind.reading,
                title=title,
                body="Texte",
            )
        )
    db.session.commit()
    return course


def _do(client, step):
    page = f"/trainings/a-mon-rythme/steps/{step.id}"
    return post(client, f"{page}/done", form_page=page)


def test_completing_the_activity_gives_an_attestation_to_download(app, client):
    course = _activity()
    member = make_member("lea@exemple.ca", name="Léa", full_name="Léa Côté-Bérubé")
    register(member, course)
    login(client, member)
    first, last = steps(course)
    _do(client, first)
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0
    page = client.get("/trainings/a-mon-rythme").get_data(as_text=True)
    assert 'id="activity-certificate"' not in page
    _do(client, last)
    cert = db.session.scalars(select(Certificate)).one()
    assert (cert.kind, cert.user_id, cert.full_name) == ("activity", member.id, "Léa Côté-Bérubé")
    assert (cert.course_title, cert.duration) == ("À mon rythme", "Environ 2 heures")
    link = f"/certificates/{cert.code}/attestation.pdf"
    page = client.get("/trainings/a-mon-rythme").get_data(as_text=True)
    assert f'<a id="activity-certificate" href="{link}">' in page
    me = client.get("/me").get_data(as_text=True)
    assert me.count(f'href="{link}"') == 2  # with the activity, and among the attestations
    response = client.get(link)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    data = response.get_data()
    assert data.startswith(b"%PDF-")
    assert cert.code.encode() in _pdf_text(data) or b"Attestation" in data
    # Saving a step again issues nothing more.
    _do(client, first)
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1

    public = app.test_client().get(f"/certificates/{cert.code}").get_data(as_text=True)
    assert "Cette attestation est authentique." in public
    assert '<dd id="holder">Léa Côté-Bérubé</dd>' in public
    assert '<dd id="what">À mon rythme</dd>' in public
    assert "<dt>Activité autonome</dt>" in public


def test_someone_else_cannot_download_it(app, client):
    course = _activity()
    member = make_member("lea@exemple.ca")
    register(member, course)
    login(client, member)
    for step in steps(course):
        _do(client, step)
    cert = db.session.scalars(select(Certificate)).one()
    other = app.test_client()
    login(other, make_member("autre@exemple.ca"))
    assert other.get(f"/certificates/{cert.code}/attestation.pdf").status_code == 404


def test_export_and_erase_cover_the_attestation(app, client):
    course = _activity()
    member = make_member("parti@exemple.ca", full_name="Paul Parti")
    register(member, course)
    login(client, member)
    for step in steps(course):
        _do(client, step)
    cert = db.session.scalars(select(Certificate)).one()
    data = json.loads(client.get("/auth/export").get_data(as_text=True))
    [exported] = data["certificates"]
    assert (exported["code"], exported["kind"], exported["full_name"]) == (
        cert.code,
        "activity",
        "Paul Parti",
    )
    post(client, "/auth/delete", {"password": PASSWORD, "understand": "y"})
    db.session.expire_all()
    cert = db.session.scalars(select(Certificate)).one()
    assert (cert.user_id, cert.full_name) == (None, "")
    html = app.test_client().get(f"/certificates/{cert.code}").get_data(as_text=True)
    assert "Cette attestation n’est plus valide." in html
    assert "Paul Parti" not in html
