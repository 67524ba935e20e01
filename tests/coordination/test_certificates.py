"""Attestations of attendance: issued for a session, a PDF in the person's language, checked
publicly by code; a deleted account's codes answer "no longer valid"."""

from __future__ import annotations

import re
import zlib

from sqlalchemy import select

from communaute.auth.services import delete_account
from communaute.coordination.certificates import Certificate, export_certificates
from communaute.extensions import db
from communaute.trainings.models import Registration, RegistrationState
from tests.factories import PASSWORD, login, make_member, post
from tests.trainings.conftest import make_course, make_session


def _session_with(people, days=-2):
    session = make_session(make_course(title="Savoir-être en recherche"), days=days)
    for member, attended in people:
        db.session.add(
            Registration(
                course_id=session.course_id,
                session=session,
                user_id=member.id,
                state=RegistrationState.confirmed,
                attended=attended,
            )
        )
    db.session.commit()
    return session


def _issue(client, session):
    roster = f"/trainings/manage/sessions/{session.id}"
    return post(client, f"/coordination/certificates/session/{session.id}", form_page=roster)


def _pdf_text(data: bytes) -> bytes:
    """The PDF's streams inflated (fpdf2 compresses page content)."""
    out = b""
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            out += zlib.decompress(stream)
        except zlib.error:
            out += stream
    return out


def test_issued_for_the_people_present_once(app, coordo_client):
    came = make_member("venu@exemple.ca", name="Hélène", full_name="Hélène Bélanger-Côté")
    absent = make_member("absent@exemple.ca")
    session = _session_with([(came, True), (absent, False)])
    assert _issue(coordo_client, session).status_code == 302
    assert _issue(coordo_client, session).status_code == 302
    [cert] = db.session.scalars(select(Certificate)).all()
    assert cert.user_id == came.id and cert.full_name == "Hélène Bélanger-Côté"
    assert re.fullmatch(r"EXP-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", cert.code)
    public = coordo_client.get(f"/certificates/{cert.code}").get_data(as_text=True)
    assert "Cette attestation est authentique." in public
    assert '<dd id="holder">Hélène Bélanger-Côté</dd>' in public


def test_not_before_the_session(app, coordo_client):
    session = _session_with([(make_member(), True)], days=3)
    _issue(coordo_client, session)
    assert db.session.scalars(select(Certificate)).all() == []


def test_the_member_downloads_the_pdf_from_my_space_in_their_language(app, coordo_client, client):
    member = make_member(
        "ann@exemple.ca", name="Ann", full_name="Ann Ó Súilleabháin", language="en"
    )
    session = _session_with([(member, True)])
    _issue(coordo_client, session)
    cert = db.session.scalar(select(Certificate))
    login(client, member)
    me = client.get("/me").get_data(as_text=True)
    link = f"/certificates/{cert.code}/attestation.pdf"
    assert f'href="{link}"' in me
    response = client.get(link)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    data = response.get_data()
    assert data.startswith(b"%PDF")
    assert b"DejaVu" in data, "a Unicode font is embedded: accents render"
    assert cert.code.encode() in _pdf_text(data) or b"Attestation" in data


def test_someone_else_cannot_download_it(app, coordo_client, client):
    member = make_member("a@exemple.ca")
    session = _session_with([(member, True)])
    _issue(coordo_client, session)
    cert = db.session.scalar(select(Certificate))
    login(client, make_member("autre@exemple.ca"))
    assert client.get(f"/certificates/{cert.code}/attestation.pdf").status_code == 404


def test_unknown_or_tampered_codes_are_404(app, client):
    assert client.get("/certificates/EXP-AAAA-BBBB-CCCC").status_code == 404
    assert client.get("/certificates/%3Cscript%3E").status_code == 404
    assert client.get("/certificates/" + "A" * 500).status_code == 404


def test_export_and_deletion_cover_them(app, coordo_client, rctx):
    member = make_member("parti@exemple.ca", full_name="Paul Parti")
    session = _session_with([(member, True)])
    _issue(coordo_client, session)
    cert = db.session.scalar(select(Certificate))
    assert export_certificates(member)[0]["code"] == cert.code
    delete_account(member, PASSWORD)
    db.session.commit()
    html = coordo_client.get(f"/certificates/{cert.code}").get_data(as_text=True)
    assert "Cette attestation n’est plus valide." in html
    assert "Paul Parti" not in html
