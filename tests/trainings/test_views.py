"""Public pages and member actions: wiring, messages, access."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from communaute.db import utcnow
from communaute.extensions import db
from communaute.i18n import format_local
from communaute.trainings.models import (
    Audience,
    CourseFormat,
    Registration,
    RegistrationState,
    SessionState,
)
from tests.factories import PASSWORD, login, make_member, post
from tests.trainings.conftest import make_course, make_session


def count_regs():
    return db.session.scalar(select(func.count()).select_from(Registration))


def test_catalog_filters_combine_and_stay_in_the_url(client):
    make_session(make_course(title="Introduction au partenariat", audience=Audience.caregivers))
    make_session(make_course(title="Partnership basics", language="en"))
    make_course(title="Capsules partenariat", format=CourseFormat.self_paced)
    make_course(title="Brouillon partenariat", published=False)
    html = client.get("/trainings/").get_data(as_text=True)
    assert "3 formations trouvées" in html
    assert "Brouillon" not in html
    html = client.get("/trainings/?q=PARTENARIAT&language=fr&format=online").get_data(as_text=True)
    assert "Introduction au partenariat" in html
    assert "Capsules" not in html and "Partnership basics" not in html
    assert 'value="PARTENARIAT"' in html
    assert '<option value="online" selected>' in html
    html = client.get("/trainings/?audience=caregivers").get_data(as_text=True)
    assert "Introduction au partenariat" in html and "Partnership basics" not in html
    # Hostile values are ignored, never a 500.
    for qs in (
        "q=%25%27%3Cscript%3E",
        "q=a%00b",
        "q=" + "x" * 5000,
        "format=nope",
        "page=-3",
        "page=99999999999",
        "audience=\x00",
    ):
        assert client.get("/trainings/?" + qs).status_code == 200


def test_catalog_shows_seats_and_full(client):
    full = make_session(make_course(title="Complet"), capacity=1)
    make_session(make_course(title="Ouvert"), capacity=12)
    db.session.add(
        Registration(
            course_id=full.course_id,
            session_id=full.id,
            user_id=make_member().id,
            state=RegistrationState.confirmed,
        )
    )
    db.session.commit()
    html = client.get("/trainings/").get_data(as_text=True)
    assert "12 places restantes" in html
    assert "Complet : liste d’attente" in html


def test_catalog_paginates_upcoming_first(client):
    for i in range(12):
        make_session(make_course(title=f"Cours {i:02d}"), days=30 - i)
    html = client.get("/trainings/").get_data(as_text=True)
    assert html.index("Cours 11") < html.index("Cours 10")
    assert "Page 1 de 2" in html
    page2 = client.get("/trainings/?page=2").get_data(as_text=True)
    assert "Cours 00" in page2


def test_catalog_counts_every_page_and_leads_back_from_past_the_end(client):
    for i in range(12):
        make_course(title=f"Cours {i:02d}")
    page2 = client.get("/trainings/?page=2").get_data(as_text=True)
    assert '<h2 id="results" aria-live="polite">12 formations trouvées</h2>' in page2
    assert '<li aria-current="page">Page 2 de 2</li>' in page2
    assert page2.count('class="card"') == 2
    assert 'href="/trainings/?page=1' in page2 and 'rel="next"' not in page2
    # An old link past the end: the total still said, and one step back to the last page.
    past = client.get("/trainings/?page=7").get_data(as_text=True)
    assert '<h2 id="results" aria-live="polite">12 formations trouvées</h2>' in past
    assert "Aucune formation sur cette page." in past
    assert 'href="/trainings/?page=2' in past and 'rel="prev">Page précédente</a>' in past
    assert 'class="card"' not in past
    # Filters that match nothing, on any page: no count query is left out.
    none = client.get("/trainings/?q=introuvable&page=3").get_data(as_text=True)
    assert "0 formation trouvée" in none
    assert "Aucune formation ne correspond à ces filtres." in none


def test_catalog_badges_say_closed_and_unlimited(client):
    closed = make_session(make_course(title="Fermé"), capacity=10)
    closed.state = SessionState.closed
    make_session(make_course(title="Sans limite"), capacity=None)
    db.session.commit()
    html = client.get("/trainings/").get_data(as_text=True)
    cards = {c.split("</a>")[0].rsplit(">", 1)[1]: c for c in html.split('<li class="card">')[1:]}
    assert '<span class="badge badge-warn">Inscription fermée</span>' in cards["Fermé"]
    assert '<span class="badge badge-ok">Places disponibles</span>' in cards["Sans limite"]
    assert "Prochaine séance : " in cards["Sans limite"]


def test_course_page_lists_past_apart_and_hides_link(client):
    course = make_course(title="Atelier")
    make_session(course, days=-10)
    make_session(course, days=5, online_url="https://zoom.example/secret")
    html = client.get(f"/trainings/{course.slug}").get_data(as_text=True)
    assert "Séances passées" in html
    assert "zoom.example/secret" not in html
    assert client.get("/trainings/nexiste-pas").status_code == 404
    assert client.get("/trainings/a%00b").status_code == 404
    assert client.get("/trainings/" + "x" * 300).status_code == 404
    draft = make_course(published=False)
    assert client.get(f"/trainings/{draft.slug}").status_code == 404


def test_register_then_cancel(client, mailbox):
    session = make_session(make_course(), capacity=3, online_url="https://zoom.example/secret")
    member = make_member()
    login(client, member)
    page = f"/trainings/{session.course.slug}"
    response = post(client, f"/trainings/sessions/{session.id}/register", form_page=page)
    assert response.status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert "Vous êtes inscrite ou inscrit" in html
    assert "zoom.example/secret" in html  # confirmed: the link is shown
    reg = db.session.scalars(select(Registration)).one()
    # Double click: still one.
    post(client, f"/trainings/sessions/{session.id}/register", form_page=page)
    assert count_regs() == 1
    me = client.get("/me").get_data(as_text=True)
    assert session.course.title in me
    response = post(
        client, f"/trainings/registrations/{reg.id}/cancel", {"next": "me"}, form_page="/me"
    )
    assert response.headers["Location"].endswith("/me")
    db.session.refresh(reg)
    assert reg.state == RegistrationState.cancelled


def test_cancel_another_members_registration_is_404(client):
    session = make_session()
    owner = make_member()
    reg = Registration(
        course_id=session.course_id,
        session_id=session.id,
        user_id=owner.id,
        state=RegistrationState.confirmed,
    )
    db.session.add(reg)
    db.session.commit()
    login(client, make_member())
    response = post(client, f"/trainings/registrations/{reg.id}/cancel", form_page="/me")
    assert response.status_code == 404
    assert (
        post(client, "/trainings/registrations/999999/cancel", form_page="/me").status_code == 404
    )
    db.session.refresh(reg)
    assert reg.state == RegistrationState.confirmed


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"state": SessionState.closed}, "inscription à cette séance est fermée"),
        ({"state": SessionState.cancelled}, "séance est annulée"),
        ({"days": -2}, "déjà eu lieu"),
        ({"registration_deadline": "past"}, "date limite"),
    ],
)
def test_refusals_are_explained(client, fields, message):
    if fields.get("registration_deadline") == "past":
        fields["registration_deadline"] = utcnow() - timedelta(hours=1)
    session = make_session(**fields)
    login(client, make_member())
    response = post(
        client,
        f"/trainings/sessions/{session.id}/register",
        form_page=f"/trainings/{session.course.slug}",
        follow_redirects=True,
    )
    assert message in response.get_data(as_text=True).replace("’", "'").replace("'", "'")
    assert count_regs() == 0


def test_unconfirmed_member_is_told(client):
    session = make_session()
    login(client, make_member(confirmed=False))
    page = f"/trainings/{session.course.slug}"
    assert "Confirmez d’abord votre adresse" in client.get(page).get_data(as_text=True)
    response = post(
        client, f"/trainings/sessions/{session.id}/register", form_page=page, follow_redirects=True
    )
    assert "Confirmez d’abord votre adresse" in response.get_data(as_text=True)
    assert count_regs() == 0


def test_anonymous_register_goes_to_login(client):
    session = make_session()
    response = client.post(f"/trainings/sessions/{session.id}/register")
    assert response.status_code in (302, 400)
    assert count_regs() == 0


def test_full_session_shows_waiting_position(client):
    session = make_session(capacity=1)
    first = make_member()
    db.session.add(
        Registration(
            course_id=session.course_id,
            session_id=session.id,
            user_id=first.id,
            state=RegistrationState.confirmed,
        )
    )
    db.session.commit()
    login(client, make_member())
    page = f"/trainings/{session.course.slug}"
    assert "Complet : liste d" in client.get(page).get_data(as_text=True)
    response = post(
        client, f"/trainings/sessions/{session.id}/register", form_page=page, follow_redirects=True
    )
    html = response.get_data(as_text=True)
    assert "liste d’attente, au rang 1" in html
    assert "zoom.example" not in html  # waiting: no link
    assert "rang 1 sur la liste d" in client.get("/me").get_data(as_text=True)


def test_self_paced_gives_the_link_at_once(client):
    course = make_course(format=CourseFormat.self_paced, material_url="https://capsules.example/a")
    login(client, make_member())
    page = f"/trainings/{course.slug}"
    assert "capsules.example/a" not in client.get(page).get_data(as_text=True)
    post(client, f"/trainings/{course.slug}/register", form_page=page)
    assert "capsules.example/a" in client.get(page).get_data(as_text=True)
    assert "capsules.example/a" in client.get("/me").get_data(as_text=True)


def test_give_back_link_confirms_then_posts(client):
    session = make_session(capacity=1)
    a, b, c = make_member(), make_member(), make_member()
    regs = []
    for m, state in ((a, "confirmed"), (b, "waiting"), (c, "waiting")):
        r = Registration(
            course_id=session.course_id,
            session_id=session.id,
            user_id=m.id,
            state=RegistrationState(state),
            waitlisted_at=utcnow(),
        )
        db.session.add(r)
        db.session.commit()
        regs.append(r)
    regs[1].state = RegistrationState.confirmed
    regs[0].state = RegistrationState.cancelled
    regs[1].promotion_token = "jeton-de-test-123"
    db.session.commit()
    url = "/trainings/give-back/jeton-de-test-123"
    page = client.get(url)
    assert page.status_code == 200 and "Céder ma place" in page.get_data(as_text=True)
    db.session.refresh(regs[1])
    assert regs[1].state == RegistrationState.confirmed  # GET changes nothing
    response = post(client, url)
    assert response.status_code == 200
    db.session.refresh(regs[1])
    db.session.refresh(regs[2])
    assert regs[1].state == RegistrationState.cancelled
    assert regs[2].state == RegistrationState.confirmed
    assert client.get(url).status_code == 404
    assert client.get("/trainings/give-back/" + "x" * 300).status_code == 404
    assert client.get("/trainings/give-back/a%00b").status_code == 404


def test_export_and_erase_cover_registrations(client):
    session = make_session()
    member = make_member()
    login(client, member)
    post(
        client,
        f"/trainings/sessions/{session.id}/register",
        form_page=f"/trainings/{session.course.slug}",
    )
    data = json.loads(client.get("/auth/export").get_data(as_text=True))
    assert data["trainings"][0]["course"] == session.course.title
    response = post(client, "/auth/delete", {"password": PASSWORD, "understand": "y"})
    assert response.status_code == 302
    assert count_regs() == 0


def test_home_block_lists_upcoming(client):
    later = make_session(make_course(title="Atelier sur la douleur chronique"), days=9)
    make_session(make_course(title="Parler de sa santé", slug="parler"), days=2, place="Montréal")
    make_session(make_course(title="Brouillon", published=False), days=1)
    make_session(make_course(title="Complet et fermé"), days=1, state=SessionState.closed)
    make_session(make_course(title="Déjà passé"), days=-1)
    html = client.get("/").get_data(as_text=True)
    block = html[html.index('id="home-trainings"') :]
    block = block[: block.index("</section>")]
    # Open sessions of published courses only, the soonest first, each with its course.
    assert block.index("Parler de sa santé") < block.index("Atelier sur la douleur chronique")
    for hidden in ("Brouillon", "Complet et fermé", "Déjà passé"):
        assert hidden not in block
    assert '<a href="/trainings/parler">Parler de sa santé</a>' in block
    assert format_local(later.starts_at, "datetime", "fr") in block
    assert "Montréal" in block and "En ligne" in block


@pytest.mark.parametrize(
    "q", ["experientiel", "EXPÉRIENTIEL", "Experientiel savoir", "savoir  expérientiel"]
)
def test_search_ignores_accents_case_and_word_order(client, q):
    make_session(make_course(title="Le savoir expérientiel en recherche"))
    make_session(make_course(title="Œuvrer ensemble", summary="Une école de partenariat."))
    html = client.get("/trainings/", query_string={"q": q}).get_data(as_text=True)
    assert "Le savoir expérientiel en recherche" in html
    assert "Œuvrer ensemble" not in html


@pytest.mark.parametrize("q", ["oeuvrer", "OEUVRER", "ecole"])
def test_search_spells_out_ligatures(client, q):
    make_session(make_course(title="Œuvrer ensemble", summary="Une école de partenariat."))
    html = client.get("/trainings/", query_string={"q": q}).get_data(as_text=True)
    assert "Œuvrer ensemble" in html
