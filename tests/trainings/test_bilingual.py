"""Courses in French with an optional English: pages, search, forms, calendar, demo."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from communaute.demo import load_demo
from communaute.extensions import db
from communaute.trainings import emails
from communaute.trainings.models import Course
from communaute.trainings.services.copies import duplicate_course
from tests.factories import login, make_coordinator, post
from tests.trainings.conftest import make_course, make_session

ENGLISH = {
    "title_en": "Patient partnership basics",
    "summary_en": "What a patient partner does.",
    "description_en": "Three hours on the roles of a patient partner.",
    "duration_en": "2 hours",
    "prerequisites_en": "None",
}


def bilingual_course(**fields):
    return make_course(
        title="Les bases du partenariat",
        summary="Ce que fait une patiente ou un patient partenaire.",
        prerequisites="Aucun",
        **{**ENGLISH, **fields},
    )


def test_english_reader_sees_the_english_without_lang_fr_nor_note(client):
    course = bilingual_course()
    html = client.get(f"/trainings/{course.slug}?lang=en").get_data(as_text=True)
    assert "<h1>Patient partnership basics</h1>" in html
    assert '<p class="lead">What a patient partner does.</p>' in html
    assert "<dd>2 hours</dd>" in html
    assert "<dd>None</dd>" in html
    assert "<div>Three hours" in html or "<div><p>Three hours" in html
    assert 'lang="fr"' not in html.split("<main", 1)[1].split("</main>", 1)[0]
    assert "Content offered in French" not in html
    assert "<title>Patient partnership basics" in html


def test_french_reader_sees_the_french(client):
    course = bilingual_course()
    html = client.get(f"/trainings/{course.slug}?lang=fr").get_data(as_text=True)
    assert "<h1>Les bases du partenariat</h1>" in html
    assert '<p class="lead">Ce que fait une patiente ou un patient partenaire.</p>' in html
    assert "<dd>Aucun</dd>" in html
    assert "Patient partnership basics" not in html


def test_course_without_english_is_french_marked_with_the_note(client):
    course = make_course(title="Les bases du partenariat")
    html = client.get(f"/trainings/{course.slug}?lang=en").get_data(as_text=True)
    assert '<h1 lang="fr">Les bases du partenariat</h1>' in html
    assert '<p class="content-note">Content offered in French</p>' in html
    assert '<p class="lead" lang="fr">Un résumé du cours.</p>' in html


def test_english_course_on_the_french_page_stays_marked_english(client):
    course = make_course(title="Partnership basics", language="en")
    html = client.get(f"/trainings/{course.slug}?lang=fr").get_data(as_text=True)
    assert '<h1 lang="en">Partnership basics</h1>' in html
    assert '<p class="content-note">Contenu offert en anglais</p>' in html
    html = client.get(f"/trainings/{course.slug}?lang=en").get_data(as_text=True)
    assert "<h1>Partnership basics</h1>" in html


def test_catalog_and_home_show_the_readers_language(client):
    make_session(bilingual_course())
    html = client.get("/trainings/?lang=en").get_data(as_text=True)
    assert ">Patient partnership basics</a></h3>" in html
    assert "<p>What a patient partner does.</p>" in html
    assert 'lang="fr"><a' not in html
    html = client.get("/").get_data(as_text=True)
    assert ">Patient partnership basics</a></h3>" in html
    html = client.get("/?lang=fr").get_data(as_text=True)
    assert ">Les bases du partenariat</a></h3>" in html


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("q", ["partnership", "BASICS", "partner does"])
def test_search_finds_a_course_by_its_english_words(client, q, lang):
    make_session(bilingual_course())
    make_session(make_course(title="Atelier sur la douleur"))
    html = client.get("/trainings/", query_string={"q": q, "lang": lang}).get_data(as_text=True)
    assert "/trainings/cours-" in html
    # Found by its English words, shown with the title of the page's language.
    assert ("basics</a></h3>" if lang == "en" else "partenariat</a></h3>") in html
    assert "Atelier sur la douleur" not in html


def test_search_text_follows_a_change_of_the_english_title(app):
    course = make_course(title="Atelier")
    course.title_en = "Workshop on pain"
    db.session.commit()
    found = db.session.scalars(select(Course).where(Course.search_text.like("%workshop%"))).all()
    assert found == [course]


@pytest.fixture
def coordinator_client(client):
    login(client, make_coordinator())
    return client


COURSE = {
    "title": "Partenariat 101",
    "slug": "partenariat-101",
    "summary": "Les bases.",
    "description": "Un texte.",
    "language": "fr",
    "format": "online",
    "audience": "everyone",
    "duration": "2 heures",
    "prerequisites": "",
    "material_url": "",
}


def test_coordinator_writes_the_english_and_finds_it_again(coordinator_client):
    data = {**COURSE, **{f"en_{k[:-3]}": v for k, v in ENGLISH.items()}}
    response = post(coordinator_client, "/trainings/manage/courses/new", data)
    assert response.status_code == 302
    course = db.session.scalars(select(Course)).one()
    assert {k: getattr(course, k) for k in ENGLISH} == ENGLISH
    html = coordinator_client.get(f"/trainings/manage/courses/{course.id}").get_data(as_text=True)
    assert 'value="Patient partnership basics"' in html
    # Emptied, the English is gone (NULL), and English readers get the French again.
    post(coordinator_client, f"/trainings/manage/courses/{course.id}", COURSE)
    db.session.refresh(course)
    assert course.title_en is None and course.summary_en is None


@pytest.mark.parametrize(
    "field, value",
    [
        ("en_title", "x" * 201),
        ("en_title", "nul\x00"),
        ("en_title", "\u202eevil"),
        ("en_title", "two\nlines"),
        ("en_summary", "x" * 501),
        ("en_duration", "x" * 101),
        ("en_prerequisites", "bell\x07"),
        ("en_description", "x" * 20001),
    ],
)
def test_hostile_english_is_refused_next_to_its_field(coordinator_client, field, value):
    response = post(coordinator_client, "/trainings/manage/courses/new", {**COURSE, field: value})
    assert response.status_code == 200
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Course)) == 0


def test_calendar_file_in_the_persons_language(app):
    session = make_session(bilingual_course())
    assert emails.calendar_event(session, language="en").summary == ENGLISH["title_en"]
    assert emails.calendar_event(session, language="en").description.startswith(
        ENGLISH["summary_en"]
    )
    assert emails.calendar_event(session, language="fr").summary == "Les bases du partenariat"
    plain = make_session(make_course(title="Atelier"))
    assert emails.calendar_event(plain, language="en").summary == "Atelier"


def test_a_copy_keeps_the_english(app):
    copy = duplicate_course(bilingual_course())
    assert {k: getattr(copy, k) for k in ENGLISH} == ENGLISH


def test_demo_courses_have_some_english(app):
    list(load_demo())
    titles = db.session.scalars(select(Course.title_en).where(Course.title_en.is_not(None)))
    assert "Introduction to patient partnership in research" in list(titles)


@pytest.mark.usefixtures("request_context")
def test_english_member_gets_the_english_title_in_the_email_and_calendar(mailbox):
    from icalendar import Calendar

    from communaute.email import deliver_due
    from communaute.trainings import services
    from tests.factories import make_member

    session = make_session(bilingual_course(), capacity=5)
    services.register_for_session(session, member=make_member(language="en"))
    services.register_for_session(session, member=make_member(language="fr"))
    db.session.commit()
    deliver_due()
    by_subject = {m["Subject"]: m for m in mailbox.wait_for(2)}
    assert set(by_subject) == {
        "Registration confirmed: Patient partnership basics",
        "Inscription confirmée : Les bases du partenariat",
    }
    english = by_subject["Registration confirmed: Patient partnership basics"]
    assert "Course: Patient partnership basics" in english.get_body(("plain",)).get_content()
    [part] = [p for p in english.iter_attachments() if p.get_content_type() == "text/calendar"]
    content = part.get_content()
    [event] = Calendar.from_ical(content if isinstance(content, bytes) else content.encode()).walk(
        "VEVENT"
    )
    assert str(event["summary"]) == "Patient partnership basics"
