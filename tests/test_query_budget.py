"""Query budget: every page runs as many SQL statements with 500 rows as with 10 (no N+1).

Each page is measured twice on the same objects: once with 10 rows of everything (courses,
sessions, registrations, webinars, sign-ups, testimonies), then again after 490 more were
added to each. The count must not grow, and must stay under the page's stated budget.

A page that does grow is marked ``xfail(strict=True)`` with the cause: the suite stays
green, and the day the N+1 is fixed the xfail turns into a failure that asks to lift it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from communaute.auth.models import User
from communaute.db import utcnow
from communaute.extensions import db
from communaute.magazine.models import (
    Byline,
    Form,
    Perspective,
    Submission,
    SubmissionState,
    Theme,
)
from communaute.trainings.models import (
    CourseFormat,
    Registration,
    RegistrationState,
)
from communaute.webinars.models import Signup, SignupState
from tests.factories import login, make_coordinator, make_member
from tests.querycount import page_queries
from tests.trainings.conftest import make_course, make_session
from tests.webinars.conftest import make_webinar

SMALL = 10
MORE = 490  # added on top of SMALL: the second measurement sees 500 rows of each kind


@pytest.fixture
def app_config():
    # The test settings use an https public URL (Secure cookies): the http test client
    # would drop the session cookie, and the logged-in pages with it.
    return {"SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False}


@dataclass
class World:
    """The objects each page is about; ``grow`` adds rows around them."""

    busy: User
    coordinator: User
    course: object = None
    session: object = None
    webinar: object = None
    testimony: object = None
    theme: object = None
    members: list = field(default_factory=list)
    n: int = 0


def _members(world: World, n: int) -> list[User]:
    start = len(world.members)
    users = [
        make_member(f"budget{start + i}@exemple.ca", name=f"Membre {start + i}", commit=False)
        for i in range(n)
    ]
    db.session.flush()
    world.members.extend(users)
    return users


def _submission(author: User, state: SubmissionState, i: int, **fields) -> Submission:
    now = utcnow()
    sub = Submission(
        author=author,
        title=f"Témoignage {i}",
        text="Mon père a été malade pendant trois ans.\n\nJe l'ai accompagné.",
        form=Form.testimony,
        perspective=Perspective.caregiver,
        language="fr",
        byline=Byline.pen_name if i % 2 else Byline.full_name,
        pen_name="Lilas" if i % 2 else None,
        state=state,
        submitted_at=now,
        state_changed_at=now - timedelta(days=i % 30),
        published_at=now - timedelta(hours=i) if state == SubmissionState.published else None,
        **fields,
    )
    db.session.add(sub)
    return sub


def grow(world: World, n: int) -> None:
    """Adds ``n`` rows of every kind, each attached to the objects the pages show."""
    people = _members(world, n)
    base = world.n
    for i, member in enumerate(people):
        k = base + i
        # Trainings: a course per row in the catalog (half of them in person, for the
        # filter), a session of the busy course, a registration in the busy session from
        # someone else, and the busy member in one more session (confirmed or waiting).
        fmt = CourseFormat.in_person if k % 2 else CourseFormat.online
        other = make_course(title=f"Partenariat {k}", format=fmt, commit=False)
        other_session = make_session(other, days=3 + k % 20, capacity=1, commit=False)
        make_session(world.course, days=2 + k % 40, capacity=30, commit=False)
        db.session.add(
            Registration(
                course=world.course,
                session=world.session,
                user=member,
                state=RegistrationState.confirmed if k % 3 else RegistrationState.waiting,
                waitlisted_at=None if k % 3 else utcnow() + timedelta(seconds=k),
                confirmed_at=utcnow(),
            )
        )
        db.session.add(
            Registration(
                course=other,
                session=other_session,
                user=world.busy,
                state=RegistrationState.confirmed,
                confirmed_at=utcnow(),
            )
        )
        # Webinars: one more in the series (with the busy member signed up), and two
        # sign-ups (a member and a guest) on the busy webinar.
        other_webinar = make_webinar(days=1 + k % 30 if k % 4 else -5 - k, commit=False)
        db.session.add(
            Signup(webinar=other_webinar, email=world.busy.email, name="Busy", user=world.busy)
        )
        db.session.add(
            Signup(webinar=world.webinar, email=member.email, name=member.display_name, user=member)
        )
        db.session.add(
            Signup(
                webinar=world.webinar,
                email=f"invite{k}@exemple.ca",
                name=f"Invité {k}",
                state=SignupState.cancelled if k % 7 == 0 else SignupState.confirmed,
                attended=bool(k % 2),
            )
        )
        # Magazine: a published testimony (with a theme), one submitted for review,
        # and one more text of the busy member.
        pub = _submission(member, SubmissionState.published, k)
        pub.themes.append(world.theme)
        _submission(member, SubmissionState.submitted, k)
        _submission(world.busy, SubmissionState.draft if k % 2 else SubmissionState.submitted, k)
    world.n += n
    db.session.commit()


@pytest.fixture
def world(app):
    busy = make_member("occupee@exemple.ca", name="Sylvie Occupée", commit=False)
    coordinator = make_coordinator("coordo@exemple.ca", commit=False)
    w = World(busy=busy, coordinator=coordinator)
    w.course = make_course(slug="cours-occupe", title="Cours occupé", commit=False)
    w.session = make_session(w.course, days=10, capacity=50, commit=False)
    w.webinar = make_webinar(capacity=5000, commit=False)
    w.theme = Theme(name="Proches aidants")
    db.session.add(w.theme)
    db.session.flush()
    w.testimony = _submission(busy, SubmissionState.published, 0)
    w.testimony.themes.append(w.theme)
    db.session.commit()
    grow(w, SMALL)
    return w


#: name -> (who is logged in, path, budget, xfail reason or None). The budget is an upper
#: bound measured with 10 rows; an N+1 page keeps its count at 10 rows as its budget, so a
#: fix must make it flat without making it heavier.
PAGES = {
    # News, courses, webinars and their speakers, portraits, texts with their signatures (6).
    "home": (None, lambda w: "/", 6, None),
    # The page of courses with their total, their next sessions and the seats taken, in one
    # statement (1).
    "catalog": (None, lambda w: "/trainings/", 1, None),
    "catalog_filtered": (None, lambda w: "/trainings/?q=partenariat&format=in_person", 1, None),
    # Course, its sessions, counts by session and state (3).
    "course": (None, lambda w: f"/trainings/{w.course.slug}", 5, None),
    # Past webinars with their total, the upcoming ones, the speakers of both (3).
    "series": (None, lambda w: "/webinars/", 3, None),
    "webinar": (None, lambda w: f"/webinars/{w.webinar.id}", 4, None),
    # The page of texts with their total and signatures, their themes, the themes and the
    # editions of the filters (4).
    "magazine": (None, lambda w: "/magazine/", 4, None),
    "testimony": (None, lambda w: f"/magazine/{w.testimony.id}", 4, None),
    # Member, registrations with sessions and courses, sign-ups with webinars, texts,
    # certificates, portraits (7): one query per section of "my space", whatever it holds.
    "me": ("busy", lambda w: "/me", 8, None),
    # Coordinator, courses, sessions by course, registrations by course and state (4).
    "trainings_manage": ("coordinator", lambda w: "/trainings/manage/", 6, None),
    # Coordinator, session, registrations with their users, waiting list, log, course (6).
    "roster": ("coordinator", lambda w: f"/trainings/manage/sessions/{w.session.id}", 8, None),
    "webinars_manage": ("coordinator", lambda w: "/webinars/manage/", 4, None),
    "attendance": ("coordinator", lambda w: f"/webinars/{w.webinar.id}/attendance", 5, None),
    "attendance_csv": (
        "coordinator",
        lambda w: f"/webinars/{w.webinar.id}/attendance.csv",
        4,
        None,
    ),
    "review_queue": ("coordinator", lambda w: "/magazine/review/", 6, None),
}


def _params():
    for name, (_who, _path, _budget, reason) in PAGES.items():
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        yield pytest.param(name, id=name, marks=marks)


@pytest.mark.parametrize("name", list(_params()))
def test_page_queries_do_not_grow_with_rows(app, client, world, name):
    who, path_of, budget, _reason = PAGES[name]
    if who:
        login(client, getattr(world, who))
    path = path_of(world)

    small = page_queries(client, path)
    grow(world, MORE)
    large = page_queries(client, path)

    assert small.count <= budget, f"{name}: budget {budget}, {small!r}"
    assert large.count <= small.count, (
        f"{name} grows with rows: {small.count} statements with {SMALL} rows, "
        f"{large.count} with {SMALL + MORE}\n{large!r}"
    )
