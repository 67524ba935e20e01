"""Close the class: every rule of ``app.url_map``, every method, as a visitor, a member and a
coordinator, with hostile values: never a 500 (issue 10).

Nothing here names a route. Ids come from the converters of each rule (a real id of the
right table, then hostile ones); query arguments are the ones each view actually reads,
recorded on a first pass; forms are what each POST view actually reads, recorded the same
way, then sent back as file parts, repeated fields, huge values, an empty body and a JSON
body. A route added tomorrow is walked without anyone writing a line.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from flask import Request
from werkzeug.datastructures import ImmutableMultiDict

from communaute.db import utcnow
from communaute.extensions import db
from tests.factories import CSRF_FIELD, login, make_coordinator, make_member
from tests.trainings.conftest import make_course, make_session
from tests.webinars.conftest import make_webinar

#: Values for an ``<id:...>`` part and for any number a view reads.
HOSTILE_NUMBERS = [
    "0",
    "-1",
    "2147483648",
    "9223372036854775808",
    "100000000000000000000",
    "²",
    "١٢",
    "%00",
    "1" * 5000,
]
#: Values for every other URL part (slugs, tokens) and for text a view reads.
HOSTILE_TEXT = [
    "",
    "x" * 5000,
    "%00",
    "\x00",
    "<script>alert(1)</script>",
    '=HYPERLINK("https://evil.example")',
    "ﷺ‮gnp.exe",
    "\u200b",
    "😀" * 50,
    "../../etc/passwd",
]
SKIP_ENDPOINTS = {"static"}


@pytest.fixture
def app_config():
    # Limits would answer 429 before the views are reached: the walk is about the views.
    return {
        "RATELIMIT_ENABLED": False,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
    }


class _Recorder:
    """Which query and form keys the views read (the first pass records them)."""

    def __init__(self):
        self.keys: dict[tuple[str, str], set[str]] = {}
        self.endpoint = None

    def storage(self, kind):
        recorder = self

        class Recording(ImmutableMultiDict):
            def _note(self, key):
                if recorder.endpoint:
                    recorder.keys.setdefault((recorder.endpoint, kind), set()).add(key)

            def get(self, key, *args, **kwargs):
                self._note(key)
                return super().get(key, *args, **kwargs)

            def getlist(self, key, *args, **kwargs):
                self._note(key)
                return super().getlist(key, *args, **kwargs)

            def __getitem__(self, key):
                self._note(key)
                return super().__getitem__(key)

            def __contains__(self, key):
                self._note(key)
                return super().__contains__(key)

        return Recording


@pytest.fixture
def world(app):
    """One real row behind each id converter name, so every route is reached for real."""
    from communaute.email import OutboxMessage, OutboxState
    from communaute.magazine import services as magazine
    from communaute.magazine.models import Edition, SubmissionState, Theme
    from communaute.trainings import services as trainings
    from communaute.webinars import services as webinars
    from tests.magazine.conftest import make_submission

    coordinator = make_coordinator("walker-coordo@exemple.ca")
    member = make_member("walker-membre@exemple.ca")
    course = make_course(slug="cours-marche")
    session = make_session(course, capacity=1)
    with app.test_request_context("/"):
        reg, _ = trainings.register_for_session(session, member=member)
        webinar = make_webinar(capacity=1)
        signup, _ = webinars.sign_up_guest(webinar, email="invite@exemple.ca", name="Invité")
        theme = Theme(name="Marche")
        edition = Edition(number=7, label="Numéro 7")
        db.session.add_all([theme, edition])
        db.session.commit()
        submission = make_submission(member, coordinator, SubmissionState.in_review)
        revision = magazine.coordinator_edit_text(submission, "Un autre texte.", actor=coordinator)
        db.session.add(
            OutboxMessage(
                kind="test",
                recipient="perdu@exemple.ca",
                language="fr",
                subject="Sujet",
                text_body="Corps",
                html_body="<p>Corps</p>",
                state=OutboxState.failed,
                created_at=utcnow(),
                next_attempt_at=utcnow() + timedelta(days=1),
            )
        )
        db.session.commit()
        token = webinars.make_cancel_token(signup)
    return {
        "coordinator": coordinator,
        "member": member,
        "ids": {
            "course_id": course.id,
            "session_id": session.id,
            "registration_id": reg.id,
            "webinar_id": webinar.id,
            "submission_id": submission.id,
            "revision_id": revision.id,
            "edition_id": edition.id,
            "theme_id": theme.id,
            "message_id": db.session.scalar(db.select(OutboxMessage.id)),
        },
        "strings": {"slug": course.slug, "token": token},
    }


def _real_value(name: str, world) -> str:
    if name in world["ids"]:
        return str(world["ids"][name])
    if name in world["strings"]:
        return world["strings"][name]
    return "1"


def _build(rule, values: dict) -> str:
    """The path of ``rule`` with raw (possibly hostile) values, not through the converters."""
    path = ""
    for is_dynamic, part in rule._trace:
        if is_dynamic:
            path += values[part]
        else:
            path += part
    return path.split("|", 1)[1]


def _paths(rule, world):
    """The rule with real values, then each argument hostile in turn."""
    real = {name: _real_value(name, world) for name in rule.arguments}
    yield _build(rule, real)
    for name, converter in rule._converters.items():
        hostile = HOSTILE_NUMBERS if converter.__class__.__name__ == "IdConverter" else HOSTILE_TEXT
        for value in hostile:
            yield _build(rule, {**real, name: value})


def _clients(app, world):
    visitor = app.test_client()
    member = app.test_client()
    login(member, world["member"])
    coordinator = app.test_client()
    login(coordinator, world["coordinator"])
    return {"visitor": visitor, "member": member, "coordinator": coordinator}


def _token(client) -> str:
    html = client.get("/auth/login", follow_redirects=True).get_data(as_text=True)
    match = CSRF_FIELD.search(html)
    return match.group(1) if match else ""


def _rules(app):
    return sorted(
        (r for r in app.url_map.iter_rules() if r.endpoint not in SKIP_ENDPOINTS),
        key=lambda r: r.rule,
    )


def test_every_route_with_hostile_values_never_answers_500(app, world):
    recorder = _Recorder()

    class RecordingRequest(Request):
        parameter_storage_class = recorder.storage("any")

    app.request_class = RecordingRequest

    @app.before_request
    def note_endpoint():
        from flask import request

        recorder.endpoint = request.endpoint

    clients = _clients(app, world)
    tokens = {role: _token(c) for role, c in clients.items()}
    failures = []

    def check(role, method, path, call):
        """Runs the request; a 5xx answer or an exception (the test app lets them through
        instead of answering 500) is a failure, listed with the others."""
        try:
            response = call()
        except Exception as exc:  # noqa: BLE001 - every failure is reported together
            db.session.rollback()
            failures.append(f"{role} {method} {path[:120]} -> {type(exc).__name__}: {exc}"[:300])
            return
        if response.status_code >= 500:
            failures.append(f"{role} {method} {path[:120]} -> {response.status_code}")

    def relogin(role):
        if role != "visitor":
            login(clients[role], world[role])
            tokens[role] = _token(clients[role])

    rules = _rules(app)
    # Pass 1: every rule, every method, real and hostile path values; records what is read.
    for rule in rules:
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        for role, client in clients.items():
            for path in _paths(rule, world):
                for method in methods:
                    if method == "GET":
                        check(role, method, path, lambda c=client, p=path: c.get(p))
                    else:
                        check(
                            role,
                            method,
                            path,
                            lambda c=client, p=path, m=method, r=role: c.open(
                                p, method=m, data={"csrf_token": tokens[r]}
                            ),
                        )
                    if rule.endpoint in ("auth.logout", "auth.delete") and method == "POST":
                        relogin(role)

    # Pass 2: each key a view read, with hostile values; POST forms in every hostile shape.
    read = {}
    for (endpoint, _kind), keys in recorder.keys.items():
        read.setdefault(endpoint, set()).update(keys)
    for rule in rules:
        keys = sorted(read.get(rule.endpoint, set()) - {"csrf_token"})
        if not keys:
            continue
        path = next(_paths(rule, world))
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        for role, client in clients.items():
            for method in methods:
                for value in HOSTILE_NUMBERS + HOSTILE_TEXT:
                    if method == "GET":
                        query = {k: value for k in keys}
                        check(
                            role,
                            method,
                            path + f"?{keys}={value[:20]!r}",
                            lambda c=client, p=path, q=query: c.get(p, query_string=q),
                        )
                        continue
                    shapes = {
                        "values": {"csrf_token": tokens[role], **{k: value for k in keys}},
                        "repeated": {"csrf_token": tokens[role], **{k: [value, "1"] for k in keys}},
                    }
                    for shape, data in shapes.items():
                        check(
                            role,
                            method,
                            f"{path} [{shape} {value[:20]!r}]",
                            lambda c=client, p=path, m=method, d=data: c.open(p, method=m, data=d),
                        )
                        if rule.endpoint in ("auth.logout", "auth.delete"):
                            relogin(role)
                if method != "GET":
                    files = {k: (io.BytesIO(b"%PDF-1.4 \x00\xff"), "a.txt") for k in keys}
                    for shape, kwargs in {
                        "files": {"data": {"csrf_token": tokens[role], **files}},
                        "empty": {"data": {"csrf_token": tokens[role]}},
                        "json": {
                            "json": {k: "x" for k in keys},
                            "headers": {"X-CSRFToken": tokens[role]},
                        },
                    }.items():
                        check(
                            role,
                            method,
                            f"{path} [{shape}]",
                            lambda c=client, p=path, m=method, kw=kwargs: c.open(p, method=m, **kw),
                        )
                        if rule.endpoint in ("auth.logout", "auth.delete"):
                            relogin(role)

    assert not failures, "\n".join(failures[:60])
    # The walk reached the views, not only the login page: the recorder saw forms read.
    assert read.get("webinars.signup"), "the walker never reached the sign-up form"
    assert read.get("trainings.catalog"), "the walker never reached the catalog's filters"
