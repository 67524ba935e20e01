import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from communaute.db import utcnow
from communaute.email import OutboxMessage
from communaute.extensions import db
from communaute.webinars import services
from communaute.webinars.models import Signup, SignupState, Webinar, WebinarStatus
from communaute.webinars.services import SignupError, TokenError, WebinarError
from tests.factories import make_member
from tests.webinars.conftest import make_webinar


def outbox(kind=None):
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return db.session.scalars(query).all()


def guest(webinar, email="Invitee@Exemple.ca", **kw):
    kw.setdefault("name", "Invitée Test")
    signup, created = services.sign_up_guest(webinar, email=email, **kw)
    db.session.commit()
    return signup, created


def test_guest_signup_is_confirmed_with_email_lowercased(webinar):
    signup, created = guest(webinar, email="  JOSÉE@Exemple.CA ", language="en")
    assert created and signup.state == SignupState.confirmed
    assert signup.email == "josée@exemple.ca" and signup.user_id is None
    assert signup.language == "en"
    [msg] = outbox("webinars.confirmed")
    assert msg.recipient == "josée@exemple.ca" and msg.language == "en"


def test_member_signup_takes_account_details(webinar):
    member = make_member("sylvie@exemple.ca", name="Sylvie", language="en")
    signup, created = services.sign_up_member(webinar, member)
    db.session.commit()
    assert created and signup.user_id == member.id and signup.name == "Sylvie"
    assert signup.language == "en"


def test_signing_up_twice_does_not_duplicate_and_resends(webinar):
    guest(webinar, email="a@exemple.ca")
    signup, created = guest(webinar, email="A@EXEMPLE.CA")
    assert not created
    assert db.session.scalar(select(func.count()).select_from(Signup)) == 1
    assert len(outbox("webinars.confirmed")) == 2


def test_news_consent_records_text_and_time(webinar):
    signup, _ = guest(webinar, news_consent=True, news_consent_text="J'accepte.")
    assert signup.news_consent and signup.news_consent_text == "J'accepte."
    assert signup.news_consent_at is not None
    other, _ = guest(webinar, email="b@exemple.ca")
    assert not other.news_consent and other.news_consent_at is None


def test_full_webinar_puts_people_on_waiting_list_and_cancel_promotes(app):
    webinar = make_webinar(capacity=1)
    first, _ = guest(webinar, email="a@exemple.ca")
    second, _ = guest(webinar, email="b@exemple.ca")
    assert second.state == SignupState.waiting
    assert outbox("webinars.waitlisted")
    [promoted] = services.cancel_signup(first)
    db.session.commit()
    assert promoted.id == second.id and second.state == SignupState.confirmed
    assert [m.recipient for m in outbox("webinars.promoted")] == ["b@exemple.ca"]


def test_no_signup_for_cancelled_or_started_webinar(app):
    past = make_webinar(days=-1)
    with pytest.raises(SignupError):
        services.sign_up_guest(past, email="a@exemple.ca", name="A")
    cancelled = make_webinar(status=WebinarStatus.cancelled)
    with pytest.raises(SignupError):
        services.sign_up_guest(cancelled, email="a@exemple.ca", name="A")


def test_cancelled_signup_can_sign_up_again(webinar):
    signup, _ = guest(webinar)
    services.cancel_signup(signup)
    db.session.commit()
    again, created = guest(webinar)
    assert again.id == signup.id and again.state == SignupState.confirmed
    assert again.cancelled_at is None


def test_cancel_token_round_trip_and_refusals(webinar, monkeypatch):
    signup, _ = guest(webinar)
    token = services.make_cancel_token(signup)
    assert services.signup_for_token(token).id == signup.id
    with pytest.raises(TokenError):
        services.signup_for_token(token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB"))
    with pytest.raises(TokenError):
        services.signup_for_token("garbage")
    with pytest.raises(TokenError, match="expired|expiré"):
        services.signup_for_token(token, max_age=-1)
    # A token for an address the sign-up no longer has is refused.
    signup.email = "autre@exemple.ca"
    db.session.commit()
    with pytest.raises(TokenError):
        services.signup_for_token(token)


def test_reminders_once_within_24h(app):
    soon = make_webinar(days=0.5)
    later = make_webinar(days=3)
    a, _ = guest(soon, email="a@exemple.ca")
    w, _ = guest(soon, email="w@exemple.ca")
    services.cancel_signup(w)
    guest(later, email="b@exemple.ca")
    assert services.send_reminders() == 1
    db.session.commit()
    assert services.send_reminders() == 0
    db.session.commit()
    [msg] = outbox("webinars.reminder")
    assert msg.recipient == "a@exemple.ca"
    assert "https://zoom.example/j/123456" in msg.text_body
    assert a.reminder_sent_at is not None


def test_reminders_cli(app, bare_app):
    soon = make_webinar(days=0.5)
    guest(soon)
    result = app.test_cli_runner().invoke(args=["webinars", "send-reminders"])
    assert result.exit_code == 0 and "1 rappel" in result.output
    result = app.test_cli_runner().invoke(args=["webinars", "send-reminders"])
    assert "0 rappel" in result.output
    [msg] = outbox("webinars.reminder")
    assert "https://communaute.example/webinars/cancel/" in msg.text_body


def test_reschedule_tells_everyone_and_resets_reminders(app):
    webinar = make_webinar(days=0.5)
    guest(webinar, email="a@exemple.ca")
    services.send_reminders()
    db.session.commit()
    told = services.reschedule_webinar(
        webinar, start_at=utcnow() + timedelta(days=10), duration_minutes=90
    )
    db.session.commit()
    assert told == 1 and webinar.sequence == 1 and webinar.duration_minutes == 90
    assert outbox("webinars.rescheduled")[0].attachments
    assert db.session.scalar(select(Signup.reminder_sent_at)) is None
    with pytest.raises(WebinarError):
        services.reschedule_webinar(
            webinar, start_at=utcnow() - timedelta(days=1), duration_minutes=60
        )


def test_cancel_webinar_tells_active_signups_only(webinar):
    guest(webinar, email="a@exemple.ca")
    gone, _ = guest(webinar, email="b@exemple.ca")
    services.cancel_signup(gone)
    assert services.cancel_webinar(webinar) == 1
    db.session.commit()
    assert [m.recipient for m in outbox("webinars.cancelled")] == ["a@exemple.ca"]
    with pytest.raises(WebinarError):
        services.cancel_webinar(webinar)


def test_create_webinar_rules(app):
    base = dict(title="T", description="D", speakers=[{"name": "X"}])
    with pytest.raises(WebinarError):
        services.create_webinar(start_at=utcnow() - timedelta(hours=1), **base)
    with pytest.raises(WebinarError):
        services.create_webinar(start_at=utcnow() + timedelta(days=1), duration_minutes=0, **base)
    with pytest.raises(WebinarError):
        services.create_webinar(
            start_at=utcnow() + timedelta(days=1), join_url="javascript:alert(1)", **base
        )
    webinar = services.create_webinar(start_at=utcnow() + timedelta(days=1), **base)
    assert webinar.speakers[0].name == "X" and webinar.duration_minutes == 60


def test_attendance_and_follow_up(app):
    webinar = make_webinar(days=-2, recording_url="https://video.example/r/1")
    came = services.Signup(
        webinar_id=webinar.id, email="a@exemple.ca", name="A", created_at=utcnow()
    )
    missed = services.Signup(
        webinar_id=webinar.id, email="b@exemple.ca", name="B", created_at=utcnow()
    )
    gone = services.Signup(
        webinar_id=webinar.id, email="c@exemple.ca", name="C", state=SignupState.cancelled
    )
    db.session.add_all([came, missed, gone])
    db.session.commit()
    db.session.refresh(webinar)
    assert services.record_attendance(webinar, {came.id, gone.id, 99999}) == 1
    counts = services.attendance_counts(webinar)
    assert counts == {
        "signups": 3,
        "active": 2,
        "waiting": 0,
        "cancelled": 1,
        "attended": 1,
        "rate": 50,
    }
    assert services.send_follow_up(webinar) == (1, 1)
    db.session.commit()
    [thanks] = outbox("webinars.thanks")
    [sorry] = outbox("webinars.missed")
    assert thanks.recipient == "a@exemple.ca" and sorry.recipient == "b@exemple.ca"
    assert (
        "https://video.example/r/1" in thanks.text_body
        and "https://video.example/r/1" in sorry.text_body
    )
    with pytest.raises(WebinarError):
        services.send_follow_up(webinar)


def test_follow_up_needs_the_end_and_a_recording(app):
    upcoming = make_webinar(recording_url="https://video.example/r/1")
    with pytest.raises(WebinarError):
        services.send_follow_up(upcoming)
    past = make_webinar(days=-2)
    with pytest.raises(WebinarError):
        services.send_follow_up(past)


# PostgreSQL concurrency --------------------------------------------------------------------


def _run_together(app, n, fn):
    barrier = threading.Barrier(n)
    errors = []

    def worker(i):
        with app.app_context():
            try:
                barrier.wait(5)
                fn(i)
                db.session.commit()
            except Exception as exc:  # collected and asserted below
                db.session.rollback()
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return errors


def test_capacity_holds_under_concurrent_signups(app, pg_only):
    webinar = make_webinar(capacity=3)
    webinar_id = webinar.id

    def sign(i):
        services.sign_up_guest(
            db.session.get(Webinar, webinar_id), email=f"p{i}@exemple.ca", name=f"P{i}"
        )

    errors = _run_together(app, 10, sign)
    assert not errors
    states = db.session.scalars(select(Signup.state)).all()
    assert states.count(SignupState.confirmed) == 3
    assert states.count(SignupState.waiting) == 7


def test_two_reminder_runs_at_once_send_each_reminder_once(app, pg_only):
    soon = make_webinar(days=0.5)
    for i in range(8):
        guest(soon, email=f"p{i}@exemple.ca")
    counts = []
    errors = _run_together(app, 2, lambda i: counts.append(services.send_reminders()))
    assert not errors
    assert sum(counts) == 8
    assert len(outbox("webinars.reminder")) == 8


def test_no_cancelling_once_the_webinar_started(app):
    webinar = make_webinar()
    signup, _ = guest(webinar)
    with pytest.raises(SignupError):
        services.cancel_signup(signup, now=webinar.start_at + timedelta(minutes=5))


def test_unconfirmed_account_does_not_see_guest_signups_of_its_address(webinar):
    guest(webinar, email="quelquun@exemple.ca")
    squatter = make_member("quelquun@exemple.ca", confirmed=False)
    assert services.signups_of(squatter) == []
    squatter.confirmed_at = utcnow()
    assert len(services.signups_of(squatter)) == 1


def test_more_places_move_the_waiting_list_up_in_order(app):
    webinar = make_webinar(capacity=1)
    for letter in "abcd":
        guest(webinar, email=f"{letter}@exemple.ca")
    promoted = services.update_webinar(webinar, capacity=3)
    db.session.commit()
    assert [s.email for s in promoted] == ["b@exemple.ca", "c@exemple.ca"]
    assert [m.recipient for m in outbox("webinars.promoted")] == ["b@exemple.ca", "c@exemple.ca"]
    promoted = services.update_webinar(webinar, capacity=None)
    assert [s.email for s in promoted] == ["d@exemple.ca"]


def _other_connection_holding(webinar_id: int, mode: str, insert_email: str | None = None):
    """Another transaction (another server's sign-up, say) holding the webinar row lock."""
    conn = db.engine.connect()
    conn.exec_driver_sql(f"SELECT id FROM webinars WHERE id = {int(webinar_id)} {mode}")
    if insert_email:
        conn.exec_driver_sql(
            "INSERT INTO webinar_signups (webinar_id, email, name, language, state, attended, "
            "news_consent, created_at, joined_at) VALUES (%s, %s, 'En vol', 'fr', 'confirmed', "
            "false, false, now(), now())",
            (webinar_id, insert_email),
        )
    return conn


def _in_thread(app, fn):
    result, done = {}, threading.Event()

    def run():
        with app.test_request_context("/"):
            try:
                result["value"] = fn()
                db.session.commit()
            except Exception as exc:  # asserted by the caller
                db.session.rollback()
                result["error"] = exc
            finally:
                db.session.remove()
                done.set()

    threading.Thread(target=run, daemon=True).start()
    return result, done


def test_signups_to_a_webinar_without_limit_do_not_wait_for_each_other(app, pg_only):
    webinar_id = make_webinar(capacity=None).id
    other = _other_connection_holding(webinar_id, "FOR SHARE")  # a sign-up in flight
    try:
        result, done = _in_thread(
            app,
            lambda: services.sign_up_guest(
                db.session.get(Webinar, webinar_id), email="vite@exemple.ca", name="Vite"
            ),
        )
        assert done.wait(5), "the sign-up waited for another sign-up of an unlimited webinar"
        assert "error" not in result
    finally:
        other.rollback()
        other.close()
    assert db.session.scalar(select(Signup.email)) == "vite@exemple.ca"


def test_a_limit_set_while_signups_wait_is_respected_without_deadlock(app, pg_only):
    webinar_id = make_webinar(capacity=None).id
    # A coordinator's change holds the row; two sign-ups, loaded without a limit, wait.
    editor = _other_connection_holding(webinar_id, "FOR UPDATE")
    waiting = [
        _in_thread(
            app,
            lambda i=i: services.sign_up_guest(
                db.session.get(Webinar, webinar_id), email=f"p{i}@exemple.ca", name=f"P{i}"
            ),
        )
        for i in range(2)
    ]
    time.sleep(0.5)  # both are now waiting for the lock
    editor.exec_driver_sql(f"UPDATE webinars SET capacity = 1 WHERE id = {webinar_id}")
    editor.commit()
    editor.close()
    for result, done in waiting:
        assert done.wait(10)
        assert "error" not in result, result.get("error")
    states = sorted(s.value for s in db.session.scalars(select(Signup.state)))
    assert states == ["confirmed", "waiting"]


@pytest.mark.parametrize("change", ["reschedule", "cancel"])
def test_a_change_waits_for_signups_in_flight_and_tells_them(app, pg_only, change):
    webinar = make_webinar(capacity=None)
    guest(webinar, email="deja@exemple.ca")
    db.session.commit()
    webinar_id = webinar.id
    # A sign-up in flight on another server: its row is written, not yet committed.
    other = _other_connection_holding(webinar_id, "FOR SHARE", insert_email="envol@exemple.ca")

    def act():
        w = db.session.get(Webinar, webinar_id)
        if change == "cancel":
            return services.cancel_webinar(w)
        return services.reschedule_webinar(
            w, start_at=w.start_at + timedelta(days=1), duration_minutes=60
        )

    result, done = _in_thread(app, act)
    assert not done.wait(1), "the change did not wait for the sign-up in flight"
    other.commit()
    other.close()
    assert done.wait(10)
    assert result.get("value") == 2, result
