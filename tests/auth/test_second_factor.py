"""Coordinators log in with a password and a code: enrolment, the two steps, recovery codes,
replays, limits, hostile input, and a reset by another coordinator."""

import io
import re
import time

import pyotp
import pytest
from sqlalchemy import func, select

from communaute.audit import EventKind, SecurityEvent
from communaute.auth import sessions
from communaute.auth.models import RecoveryCode, Role, User
from communaute.email import OutboxMessage
from communaute.extensions import db
from tests.factories import (
    PASSWORD,
    TOTP_SECRET,
    csrf_token,
    fresh_code,
    login,
    make_coordinator,
    make_member,
    post,
)


def password_step(client, user, *, remember: bool = False):
    data = {"email": user.email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    return post(client, "/auth/login", data, form_page="/auth/login")


def code_step(client, code):
    return post(client, "/auth/login/code", {"code": code})


def logged_in(client) -> bool:
    return client.get("/me").status_code == 200


def events(kind: EventKind) -> list[SecurityEvent]:
    return list(db.session.scalars(select(SecurityEvent).where(SecurityEvent.kind == kind)))


def enrol(client, user) -> tuple[str, list[str], str]:
    """Walks the enrolment after the password; returns (secret, recovery codes, page)."""
    response = password_step(client, user)
    assert response.headers["Location"] == "/auth/login/second-factor"
    page = client.get("/auth/login/second-factor").get_data(as_text=True)
    key = re.search(r'<code class="secret-key">([A-Z2-7 ]+)</code>', page).group(1)
    secret = key.replace(" ", "")
    done = post(client, "/auth/login/second-factor", {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200, done.get_data(as_text=True)[:3000]
    html = done.get_data(as_text=True)
    codes = re.findall(r"<li><code>(\d{5} \d{5})</code></li>", html)
    return secret, codes, html


# The two steps ---------------------------------------------------------------------------


def test_a_coordinator_is_not_logged_in_before_the_code_is_right(client):
    coordinator = make_coordinator()
    response = password_step(client, coordinator)
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login/code"
    assert not logged_in(client), "the password alone opens no session"
    assert client.get("/coordination").status_code == 302
    wrong = code_step(client, "000000" if pyotp.TOTP(TOTP_SECRET).now() != "000000" else "111111")
    assert wrong.status_code == 200
    assert "Ce code n’est pas le bon" in wrong.get_data(as_text=True)
    assert not logged_in(client)
    right = code_step(client, fresh_code(coordinator.id))
    assert right.status_code == 302
    assert right.headers["Location"] == "/coordination/", "a coordinator lands on coordination"
    assert client.get("/coordination").status_code == 200
    assert [e.user_id for e in events(EventKind.second_factor_used)] == [coordinator.id]
    assert [e.user_id for e in events(EventKind.second_factor_failed)] == [coordinator.id]


def test_the_code_page_is_labelled_for_people_and_password_managers(client):
    password_step(client, make_coordinator())
    html = client.get("/auth/login/code").get_data(as_text=True)
    assert html.count("<h1>") == 1
    field = re.search(r"<input[^>]*id=\"code\"[^>]*>", html).group(0)
    assert 'autocomplete="one-time-code"' in field
    assert 'inputmode="numeric"' in field
    assert re.search(r'<label for="code">Code', html), "the label says « code »"
    english = client.get("/auth/login/code?lang=en").get_data(as_text=True)
    assert re.search(r'<label for="code">Code', english)


def test_the_next_page_survives_the_second_step(client):
    coordinator = make_coordinator()
    token = csrf_token(client, "/auth/login")
    client.post(
        "/auth/login?next=/outbox/",
        data={"email": coordinator.email, "password": PASSWORD, "csrf_token": token},
    )
    response = code_step(client, fresh_code(coordinator.id))
    assert response.headers["Location"] == "/outbox/"


def test_a_code_cannot_be_replayed(client):
    coordinator = make_coordinator()
    code = fresh_code(coordinator.id)
    password_step(client, coordinator)
    assert code_step(client, code).status_code == 302
    post(client, "/auth/logout", form_page="/me")
    password_step(client, coordinator)
    again = code_step(client, code)
    assert again.status_code == 200
    assert "déjà servi" in again.get_data(as_text=True)
    assert not logged_in(client)


def test_a_code_from_the_previous_step_is_still_accepted_once(client):
    coordinator = make_coordinator()
    fresh_code(coordinator.id)
    # The previous step's code stops being accepted when the next step begins: start well
    # inside a step, so the request is checked in the step the code was taken from.
    left = 30 - time.time() % 30
    if left < 5:
        time.sleep(left + 0.2)
    earlier = pyotp.TOTP(TOTP_SECRET).at(time.time() - 30)
    password_step(client, coordinator)
    assert code_step(client, earlier).status_code == 302


def test_a_pending_login_expires(client):
    coordinator = make_coordinator()
    password_step(client, coordinator)
    with client.session_transaction() as session:
        pending = dict(session[sessions.PENDING])
        pending["since"] -= 16 * 60
        session[sessions.PENDING] = pending
    response = code_step(client, fresh_code(coordinator.id))
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"
    assert not logged_in(client)


def test_a_pending_login_dies_when_the_password_changes_meanwhile(client):
    coordinator = make_coordinator()
    password_step(client, coordinator)
    coordinator = db.session.get(User, coordinator.id)
    coordinator.rotate_session_token()
    db.session.commit()
    response = code_step(client, fresh_code(coordinator.id))
    assert response.headers["Location"] == "/auth/login"


def test_code_attempts_are_rate_limited_with_the_clear_page(client):
    password_step(client, make_coordinator())
    token = csrf_token(client, "/auth/login/code")
    codes = [
        client.post("/auth/login/code", data={"code": "000001", "csrf_token": token}).status_code
        for _ in range(8)
    ]
    assert codes[0] == 200
    assert codes[-1] == 429
    response = client.post("/auth/login/code", data={"code": "000001", "csrf_token": token})
    assert "Trop d’essais" in response.get_data(as_text=True)
    assert events(EventKind.rate_limited)


def test_code_attempts_are_counted_per_account_across_clients(app):
    coordinator = make_coordinator()
    codes = []
    for n in range(8):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"198.51.100.{n + 1}"
        password_step(client, coordinator)
        codes.append(code_step(client, "000001").status_code)
    assert codes[-1] == 429


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "Tapez le code."),
        ("9" * 5000, "6 chiffres"),
        ("²²²²²²", "chiffres de 0 à 9"),
        ("abcdef", "chiffres de 0 à 9"),
        ("12345", "Ce code n’est pas le bon"),
        ("\x00123456", "caractères invisibles"),
    ],
)
def test_bad_input_in_the_code_field_gets_a_message_not_a_500(client, code, message):
    password_step(client, make_coordinator())
    response = code_step(client, code)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'class="error-summary"' in html
    assert message in html


def test_a_file_in_the_code_field_gets_a_message_not_a_500(client):
    password_step(client, make_coordinator())
    response = client.post(
        "/auth/login/code",
        data={
            "code": (io.BytesIO(b"123456"), "code.txt"),
            "csrf_token": csrf_token(client, "/auth/login/code"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "Ce champ attend du texte, pas un fichier." in response.get_data(as_text=True)


def test_digits_of_another_script_are_read_as_digits(client):
    coordinator = make_coordinator()
    password_step(client, coordinator)
    code = fresh_code(coordinator.id)
    arabic = "".join("٠١٢٣٤٥٦٧٨٩"[int(d)] for d in code)
    response = code_step(client, arabic[:3] + " " + arabic[3:])
    assert response.status_code == 302


# Enrolment ---------------------------------------------------------------------------------


def test_a_coordinator_without_a_second_factor_enrols_at_the_next_login(client, mailbox):
    coordinator = make_coordinator("nouvelle@exemple.ca", second_factor=False)
    response = password_step(client, coordinator)
    assert response.headers["Location"] == "/auth/login/second-factor"
    assert client.get("/coordination").status_code == 302, "no coordinator page before"
    assert client.get("/outbox/").status_code == 302
    page = client.get("/auth/login/second-factor").get_data(as_text=True)
    assert page.count("<h1>") == 1
    assert re.search(r'<img class="qr" src="data:image/svg\+xml[^"]+"[^>]+alt="[^"]+"', page)
    assert re.search(r'<code class="secret-key">([A-Z2-7]{4} ){7}[A-Z2-7]{4}</code>', page)
    assert 'autocomplete="one-time-code"' in page and 'inputmode="numeric"' in page
    again = client.get("/auth/login/second-factor").get_data(as_text=True)
    key = re.search(r'class="secret-key">([^<]+)<', page).group(1)
    assert key in again, "reloading the page keeps the same key"
    db.session.expire_all()
    assert db.session.get(User, coordinator.id).totp_secret is None, "nothing stored before"

    done = post(
        client, "/auth/login/second-factor", {"code": pyotp.TOTP(key.replace(" ", "")).now()}
    )
    html = done.get_data(as_text=True)
    codes = re.findall(r"<li><code>(\d{5} \d{5})</code></li>", html)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert "seule fois" in html
    assert client.get("/coordination").status_code == 200, "logged in once enrolled"
    user = db.session.get(User, coordinator.id)
    assert user.totp_secret == key.replace(" ", "")
    stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10
    assert not any(code.replace(" ", "") in h for code in codes for h in stored), "hashed"
    assert events(EventKind.second_factor_enabled)
    kinds = db.session.scalars(select(OutboxMessage.kind)).all()
    assert "auth.second_factor_enabled" in kinds
    assert client.get("/auth/login/second-factor").status_code == 302, "nothing more to set up"


def test_the_recovery_codes_page_carries_forms_of_the_new_session(client):
    """The page is the answer to the enrolment's POST, after the session was renewed: its
    logout button must work (it once carried the old session's CSRF token: a 400)."""
    from tests.factories import token_in

    _, _, html = enrol(client, make_coordinator(second_factor=False))
    response = client.post("/auth/logout", data={"csrf_token": token_in(html)})
    assert response.status_code == 302
    assert not logged_in(client)


def test_a_wrong_code_at_enrolment_keeps_the_same_key(client):
    coordinator = make_coordinator(second_factor=False)
    password_step(client, coordinator)
    page = client.get("/auth/login/second-factor").get_data(as_text=True)
    key = re.search(r'class="secret-key">([^<]+)<', page).group(1)
    response = post(client, "/auth/login/second-factor", {"code": "12345"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Ce code n’est pas le bon" in html
    assert key in html
    assert not logged_in(client)


def test_recovery_codes_work_once_each(client):
    coordinator = make_coordinator(second_factor=False)
    _, codes, _ = enrol(client, coordinator)
    post(client, "/auth/logout", form_page="/me")
    password_step(client, coordinator)
    response = code_step(client, codes[3])
    assert response.status_code == 302
    assert logged_in(client)
    assert events(EventKind.recovery_code_used)
    post(client, "/auth/logout", form_page="/me")
    password_step(client, coordinator)
    again = code_step(client, codes[3].replace(" ", "-"))
    assert again.status_code == 200, "a recovery code works once"
    assert code_step(client, codes[4].replace(" ", "")).status_code == 302


def test_a_coordinator_makes_new_recovery_codes_with_the_password(client):
    coordinator = make_coordinator(second_factor=False)
    _, old, _ = enrol(client, coordinator)
    page = client.get("/auth/profile").get_data(as_text=True)
    assert "Codes de récupération restants : 10." in page
    wrong = post(
        client,
        "/auth/profile/recovery-codes",
        {"codes-current_password": "pas le bon mot de passe"},
        form_page="/auth/profile",
    )
    assert wrong.status_code == 400
    assert "actuel n’est pas le bon" in wrong.get_data(as_text=True)
    ok = post(
        client,
        "/auth/profile/recovery-codes",
        {"codes-current_password": PASSWORD},
        form_page="/auth/profile",
    )
    new = re.findall(r"<li><code>(\d{5} \d{5})</code></li>", ok.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    assert events(EventKind.recovery_codes_renewed)
    post(client, "/auth/logout", form_page="/me")
    password_step(client, coordinator)
    assert code_step(client, old[0]).status_code == 200, "the old codes stopped working"
    assert code_step(client, new[0]).status_code == 302


def test_members_have_no_recovery_codes_to_renew(client):
    login(client, make_member())
    assert "Mon deuxième facteur" not in client.get("/auth/profile").get_data(as_text=True)
    response = post(
        client,
        "/auth/profile/recovery-codes",
        {"codes-current_password": PASSWORD},
        form_page="/auth/profile",
    )
    assert response.status_code == 404


def test_a_session_from_before_the_rule_is_sent_to_enrolment(client):
    """A member promoted while logged in (or a session opened before codes were required)
    reaches no coordinator page without the second step."""
    member = make_member()
    login(client, member)
    member = db.session.get(User, member.id)
    member.role = Role.coordinator
    db.session.commit()
    response = client.get("/coordination")
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login/second-factor"
    assert not logged_in(client)


def test_an_enrolled_coordinator_session_without_the_code_must_give_it(client):
    coordinator = make_coordinator()
    login(client, coordinator)
    with client.session_transaction() as session:
        session[sessions.SECOND_FACTOR] = False
    response = client.get("/outbox/?state=sent")
    assert response.headers["Location"] == "/auth/login/code"
    done = post(client, "/auth/login/code", {"code": fresh_code(coordinator.id)})
    assert done.headers["Location"] == "/outbox/?state=sent", "back where they were going"


def test_members_log_in_in_one_step(client):
    response = password_step(client, make_member())
    assert response.headers["Location"] == "/me"
    assert logged_in(client)


# Reset by another coordinator ----------------------------------------------------------------


def test_another_coordinator_resets_a_second_factor(app, client, mailbox):
    nadia = make_coordinator("nadia@exemple.ca", name="Nadia")
    lost = make_coordinator("perdu@exemple.ca", name="Jacques")
    lost_device = app.test_client()
    login(lost_device, lost)
    login(client, nadia)
    page = client.get("/security/second-factor").get_data(as_text=True)
    assert "Jacques" in page
    response = post(
        client, f"/security/second-factor/{lost.id}/reset", form_page="/security/second-factor"
    )
    assert response.status_code == 302
    assert "réinitialisé" in client.get("/security/second-factor").get_data(as_text=True)
    user = db.session.get(User, lost.id)
    assert user.totp_secret is None
    assert lost_device.get("/me").status_code == 302, "their sessions are over"
    (event,) = events(EventKind.second_factor_reset)
    assert (event.user_id, event.actor_id) == (lost.id, nadia.id)
    told = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.kind == "auth.second_factor_reset")
    )
    assert told.recipient == "perdu@exemple.ca" and "Nadia" in told.text_body
    assert password_step(app.test_client(), user).headers["Location"] == (
        "/auth/login/second-factor"
    ), "they enrol again"


def test_a_coordinator_cannot_reset_their_own_second_factor(client):
    nadia = make_coordinator()
    login(client, nadia)
    response = post(
        client, f"/security/second-factor/{nadia.id}/reset", form_page="/security/second-factor"
    )
    assert response.status_code == 302
    assert "Une autre personne" in client.get("/security/second-factor").get_data(as_text=True)
    assert db.session.get(User, nadia.id).totp_secret is not None


def test_reset_is_for_coordinators_only(app, client):
    target = make_coordinator()
    member = make_member()
    login(client, member)
    response = post(client, f"/security/second-factor/{target.id}/reset", form_page="/me")
    assert response.status_code == 403
    visitor = app.test_client()
    response = post(visitor, f"/security/second-factor/{target.id}/reset", form_page="/auth/login")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert db.session.get(User, target.id).totp_secret is not None


def test_reset_of_an_unknown_or_out_of_range_id_is_a_404(client):
    login(client, make_coordinator())
    for bad in ("999999", "2147483648", "0", "١٢"):
        response = post(
            client, f"/security/second-factor/{bad}/reset", form_page="/security/second-factor"
        )
        assert response.status_code == 404, bad
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(SecurityEvent)
            .where(SecurityEvent.kind == EventKind.second_factor_reset)
        )
        == 0
    )
