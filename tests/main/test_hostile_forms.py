"""Strange bodies on every form: a clear message next to the field, nothing stored, never a 500.

communaute/forms.py BaseForm is where every form gets this; the walk at the end finds the
forms on the pages themselves, so a new form is covered without a new line here.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from communaute.auth.models import User
from communaute.email import OutboxMessage, queue_email
from communaute.extensions import db
from communaute.magazine.models import Edition, SubmissionState, Theme
from communaute.trainings.services import register_for_session
from communaute.webinars import services as webinar_services
from communaute.webinars.models import Signup, Webinar
from tests.factories import csrf_token, login, make_coordinator, make_member, token_in
from tests.magazine.conftest import make_submission
from tests.trainings.conftest import make_course, make_session
from tests.webinars.conftest import make_webinar

NOT_TEXT = "Ce champ attend du texte, pas un fichier."


def a_file():
    return (io.BytesIO(b"pas du texte\n"), "a.txt", "text/plain")


def error_of(html: str, field_id: str) -> str:
    match = re.search(rf'<p class="error" id="{re.escape(field_id)}-error">([^<]*)</p>', html)
    return match.group(1).strip() if match else ""


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# The forms the review named -----------------------------------------------------------


def test_a_file_for_the_email_at_login_is_a_message_not_a_500(client):
    make_member("present@exemple.ca")
    token = csrf_token(client, "/auth/login")
    response = client.post(
        "/auth/login",
        data={"csrf_token": token, "email": a_file(), "password": "une-longue-phrase-de-passe"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert error_of(html, "email") == NOT_TEXT
    assert client.get("/me").status_code == 302, "not logged in"


def test_a_file_for_the_email_of_a_reset_is_a_message(client):
    token = csrf_token(client, "/auth/reset")
    response = client.post(
        "/auth/reset",
        data={"csrf_token": token, "email": a_file()},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert error_of(response.get_data(as_text=True), "email") == NOT_TEXT
    assert count(OutboxMessage) == 0


@pytest.mark.parametrize(
    "field", ["email", "display_name", "password", "language", "accept_privacy"]
)
def test_a_file_in_any_field_of_register_stores_nothing(client, field):
    data = {
        "email": "alice@exemple.ca",
        "display_name": "Alice",
        "password": "une phrase de passe assez longue",
        "password_confirm": "une phrase de passe assez longue",
        "language": "fr",
        "participation": "",
        "accept_privacy": "y",
        field: a_file(),
    }
    data["csrf_token"] = csrf_token(client, "/auth/register")
    response = client.post("/auth/register", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    assert error_of(response.get_data(as_text=True), field) == NOT_TEXT
    assert count(User) == 0


@pytest.mark.parametrize("field", ["name", "email", "language", "news_consent", "how_heard"])
def test_a_file_in_the_guest_sign_up_stores_nothing(app, client, field):
    webinar = make_webinar()
    data = {"name": "Léa Côté", "email": "lea@exemple.ca", "language": "fr", field: a_file()}
    data["csrf_token"] = csrf_token(client, f"/webinars/{webinar.id}")
    response = client.post(
        f"/webinars/{webinar.id}/signup", data=data, content_type="multipart/form-data"
    )
    assert response.status_code in (200, 400)
    assert NOT_TEXT in response.get_data(as_text=True)
    assert count(Signup) == 0


@pytest.mark.parametrize(
    "field", ["title", "duration_minutes", "start_date", "start_time", "capacity", "language"]
)
def test_a_file_in_the_coordinators_webinar_form_stores_nothing(client, field):
    login(client, make_coordinator())
    data = {
        "title": "Vivre avec la douleur chronique",
        "description": "Témoignages et recherche.",
        "start_date": "2031-05-06",
        "start_time": "12:00",
        "duration_minutes": "60",
        "language": "fr",
        "capacity": "",
        "speaker1_name": "Luc Gagnon",
        field: a_file(),
    }
    data["csrf_token"] = csrf_token(client, "/webinars/manage/new")
    response = client.post("/webinars/manage/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    assert error_of(response.get_data(as_text=True), field) == NOT_TEXT
    assert count(Webinar) == 0


def test_repeated_fields_take_the_first_value(client):
    webinar = make_webinar()
    token = csrf_token(client, f"/webinars/{webinar.id}")
    response = client.post(
        f"/webinars/{webinar.id}/signup",
        data={
            "csrf_token": token,
            "name": ["Léa Côté", "Autre"],
            "email": ["lea@exemple.ca", "victime@exemple.ca"],
            "language": ["fr", "en"],
        },
    )
    assert response.status_code == 302
    assert db.session.execute(select(Signup.name, Signup.email, Signup.language)).all() == [
        ("Léa Côté", "lea@exemple.ca", "fr")
    ]


def test_an_empty_body_or_a_json_body_is_a_message_or_a_400(client):
    make_member("present@exemple.ca")
    assert client.post("/auth/login").status_code == 400, "no CSRF token"
    token = csrf_token(client, "/auth/login")
    empty = client.post("/auth/login", data={"csrf_token": token})
    assert empty.status_code == 200
    assert error_of(empty.get_data(as_text=True), "email") == "Inscrivez votre adresse courriel."
    as_json = client.post(
        "/auth/login",
        json={"email": ["present@exemple.ca"], "password": {"a": 1}},
        headers={"X-CSRFToken": token},
    )
    assert as_json.status_code == 200, "JSON is not read: the form comes back empty"
    assert client.get("/me").status_code == 302


# Every form on every page ---------------------------------------------------------------


class Forms(HTMLParser):
    """The POST forms of a page: action and fields (name -> a plausible value)."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._form = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._form = (a.get("action") or "", {})
        elif self._form is None:
            return
        elif tag in ("input", "textarea", "select") and a.get("name"):
            kind = (a.get("type") or tag).lower()
            if kind in ("submit", "button", "file"):
                return  # a file field takes files: its checks are tested with its feature
            value = a.get("value") or {"checkbox": "y", "number": "1"}.get(kind, "x")
            self._form[1].setdefault(a["name"], value)
            if tag == "select":
                self._select = a["name"]
        elif tag == "option" and self._select and a.get("value"):
            self._form[1][self._select] = a["value"]
            self._select = None

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None
        elif tag == "select":
            self._select = None


def seed():
    """One of everything a page with a form can show."""
    coordinator = make_coordinator("coordo@exemple.ca")
    member = make_member("membre@exemple.ca")
    webinar = make_webinar(capacity=5)
    past = make_webinar(days=2)
    webinar_services.sign_up_member(webinar, member)
    webinar_services.sign_up_guest(past, email="invitee@exemple.ca", name="Invitée", language="fr")
    past.start_at -= timedelta(days=5)  # it took place: its attendance form is open
    course = make_course()
    session = make_session(course)
    registration, _ = register_for_session(session, member=member)
    submission = make_submission(member, coordinator, SubmissionState.submitted)
    theme = Theme(name="Proches aidants")
    edition = Edition(number=1, label="Numéro 1")
    db.session.add_all([theme, edition])
    queue_email(kind="test", to="x@exemple.ca", language="fr", template="auth/emails/deleted")
    db.session.commit()
    message = db.session.scalar(select(OutboxMessage.id))
    ids = {
        "webinar_id": [webinar.id, past.id],
        "course_id": [course.id],
        "session_id": [session.id],
        "registration_id": [registration.id],
        "submission_id": [submission.id],
        "edition_id": [edition.id],
        "theme_id": [theme.id],
        "message_id": [message],
        "slug": [course.slug],
    }
    return coordinator, member, ids


def pages(app, ids):
    """Every GET address the url_map has, with the seeded ids in its arguments."""
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static" or rule.rule.endswith(".csv"):
            continue
        if any(arg not in ids for arg in rule.arguments):
            continue  # a token made for one person (reset, confirm, cancel): tested elsewhere
        values = [{}]
        for arg in rule.arguments:
            values = [{**v, arg: one} for v in values for one in ids[arg]]
        for v in values:
            yield adapter.build(rule.endpoint, v)


def bodies(fields: dict[str, str]):
    names = [n for n in fields if n != "csrf_token"]
    yield "a file in every field", {n: a_file() for n in names}
    for n in names:
        yield f"a file in {n}", {**fields, n: a_file()}
    yield "every field twice", {n: [fields[n], fields[n] + "2"] for n in names}
    yield "nothing but the token", {}


def test_no_form_answers_500_to_files_repeats_empty_or_json(app):
    coordinator, member, ids = seed()
    failures = []
    seen = set()
    for who in ("visitor", "member", "coordinator"):
        client = app.test_client()
        if who != "visitor":
            login(client, coordinator if who == "coordinator" else member)
        for path in pages(app, ids):
            page = client.get(path)
            if page.status_code != 200 or page.mimetype != "text/html":
                continue
            html = page.get_data(as_text=True)
            parser = Forms()
            parser.feed(html)
            for action, fields in parser.forms:
                key = (who, re.sub(r"\d+", "N", action), tuple(sorted(fields)))
                if set(fields) <= {"csrf_token"} or key in seen:
                    continue  # a button: no field to fill
                seen.add(key)
                token = token_in(html)
                for what, body in bodies(fields):
                    r = client.post(
                        action or path,
                        data={**body, "csrf_token": token},
                        content_type="multipart/form-data",
                    )
                    if r.status_code >= 500:
                        failures.append(f"{who} {action} {what}: {r.status_code}")
                    elif (
                        what.startswith("a file")
                        and r.status_code == 200
                        and NOT_TEXT not in r.get_data(as_text=True)
                    ):
                        failures.append(f"{who} {action} {what}: no message")
                r = client.post(action or path, json=dict(fields), headers={"X-CSRFToken": token})
                if r.status_code >= 500:
                    failures.append(f"{who} {action} JSON: {r.status_code}")
    assert len(seen) >= 25, f"the walk found only {len(seen)} forms"
    assert not failures, "\n".join(failures)


# Names and titles: something to read, nothing invisible, no link --------------------------

INVISIBLE = ["\u200b", "\u200e", "\u200f", "\u061c", "\u2060", "\ufeff", "\u00ad"]
REGISTER = {
    "email": "alice@exemple.ca",
    "password": "les lilas fleurissent en mai",
    "password_confirm": "les lilas fleurissent en mai",
    "language": "fr",
    "participation": "",
    "accept_privacy": "y",
}


def register(client, name):
    data = {**REGISTER, "display_name": name, "csrf_token": csrf_token(client, "/auth/register")}
    return client.post("/auth/register", data=data)


@pytest.mark.parametrize("char", INVISIBLE)
@pytest.mark.parametrize("shape", ["{c}", "{c}{c}{c}", "Ali{c}ce", "{c}Alice"])
def test_a_name_with_an_invisible_character_is_refused(client, char, shape):
    response = register(client, shape.format(c=char))
    assert response.status_code == 200
    assert error_of(response.get_data(as_text=True), "display_name") == (
        "Ce champ contient des caractères invisibles qui ne sont pas permis."
    )
    assert count(User) == 0


@pytest.mark.parametrize("name", ["...", "—", "\u3164", "\u3164\u3164", "🌻"])
def test_a_name_needs_a_letter_or_a_digit(client, name):
    response = register(client, name)
    assert error_of(response.get_data(as_text=True), "display_name") == (
        "Écrivez au moins une lettre ou un chiffre."
    )
    assert count(User) == 0


@pytest.mark.parametrize(
    "name",
    [
        "علی\u200cرضا",  # Persian: the ZWNJ belongs inside the word
        "Sam 👩\u200d🔬",  # an emoji sequence joined by ZWJ
        "Eilidh 🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",  # flag of Scotland
        "J.-P. Côté",
        "Marie-Ève St-Pierre",
        "Nguyễn Thị Minh Khai",
    ],
)
def test_names_of_every_script_are_welcome(client, name):
    assert register(client, name).status_code == 302
    assert db.session.scalar(select(User.display_name)) == name


@pytest.mark.parametrize("joiner", ["\u200c", "\u200d"])
@pytest.mark.parametrize("shape", ["{j}", "Alice{j}", "{j}Alice", "Ali{j}{j}ce", "Alice {j}Côté"])
def test_a_joiner_that_joins_nothing_is_refused(client, joiner, shape):
    response = register(client, shape.format(j=joiner))
    assert "caractères invisibles" in error_of(response.get_data(as_text=True), "display_name")
    assert count(User) == 0


@pytest.mark.parametrize(
    "name",
    [
        "Votre compte expire: https://evil.example/login",
        "evil.example/login",
        "Allez sur www.evil.example",
        "Écrivez à moi@evil.example",
        "Gagnez sur prix.com",
        "HTTPS://EVIL.EXAMPLE",
    ],
)
def test_a_name_cannot_carry_a_link_or_an_address(client, name):
    response = register(client, name)
    assert error_of(response.get_data(as_text=True), "display_name") == (
        "Un nom ne peut pas contenir d’adresse web ni d’adresse courriel."
    )
    assert count(User) == 0


def test_a_guest_named_like_a_phishing_link_is_refused(client):
    webinar = make_webinar()
    token = csrf_token(client, f"/webinars/{webinar.id}")
    response = client.post(
        f"/webinars/{webinar.id}/signup",
        data={
            "csrf_token": token,
            "name": "Votre compte expire: https://evil.example/login",
            "email": "victime@exemple.ca",
            "language": "fr",
        },
    )
    assert "Un nom ne peut pas contenir d’adresse web" in response.get_data(as_text=True)
    assert count(Signup) == 0
    assert count(OutboxMessage) == 0, "no email to the victim"


def test_a_webinar_title_of_a_zero_width_space_is_refused(client):
    login(client, make_coordinator())
    data = {
        "title": "\u200b",
        "description": "Témoignages et recherche.",
        "start_date": "2031-05-06",
        "start_time": "12:00",
        "duration_minutes": "60",
        "language": "fr",
        "speaker1_name": "\u2060",
    }
    data["csrf_token"] = csrf_token(client, "/webinars/manage/new")
    html = client.post("/webinars/manage/new", data=data).get_data(as_text=True)
    assert "caractères invisibles" in error_of(html, "title")
    assert "caractères invisibles" in error_of(html, "speaker1_name")
    assert count(Webinar) == 0


def all_forms():
    from communaute.forms import BaseForm

    found, todo = [], list(BaseForm.__subclasses__())
    while todo:
        form = todo.pop()
        found.append(form)
        todo.extend(form.__subclasses__())
    return found


def test_every_field_labelled_as_a_name_or_a_title_gets_the_rule(app):
    """A new form's "Title" or "Name" field is checked whatever its author called it."""
    from flask_babel import force_locale
    from wtforms import PasswordField, StringField, TextAreaField
    from wtforms.validators import ValidationError

    from communaute.forms import NAME_OR_TITLE, check_text

    checked = []
    with app.test_request_context("/"), force_locale("en"):
        for form_class in all_forms():
            form = form_class(formdata=None, meta={"csrf": False})
            for field in form:
                label = str(field.label.text).lower()
                one_line = isinstance(field, StringField) and not isinstance(
                    field, TextAreaField | PasswordField
                )
                if not one_line or not re.search(r"\b(name|title)\b", label):
                    continue
                assert NAME_OR_TITLE.match(field.short_name), (form_class.__name__, field.name)
                field.data = "\u200b"
                with pytest.raises(ValidationError):
                    check_text(field)
                checked.append(f"{form_class.__name__}.{field.short_name}")
    assert {"RegisterForm.display_name", "GuestSignupForm.name", "SubmissionForm.pen_name"} <= set(
        checked
    )
    assert {"WebinarEditForm.title", "CourseForm.title", "EditionForm.label"} <= set(checked)
