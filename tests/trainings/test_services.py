"""Registration rules, waiting list and coordinator changes, at the service layer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from communaute.db import utcnow
from communaute.email import OutboxMessage
from communaute.extensions import db
from communaute.trainings import services
from communaute.trainings.models import (
    CourseFormat,
    Registration,
    RegistrationMove,
    RegistrationState,
    SessionState,
)
from communaute.trainings.services import RegistrationError, SessionError
from tests.factories import make_coordinator, make_member
from tests.trainings.conftest import make_course, make_session

pytestmark = pytest.mark.usefixtures("request_context")


def kinds():
    return [m.kind for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]


def register(session, member):
    reg, created = services.register_for_session(session, member=member)
    db.session.commit()
    return reg, created


def test_confirmed_while_seats_remain_then_waiting_list(training_session):
    a, b, c, d = (make_member() for _ in range(4))
    assert register(training_session, a)[0].state == RegistrationState.confirmed
    assert register(training_session, b)[0].state == RegistrationState.confirmed
    rc, _ = register(training_session, c)
    rd, _ = register(training_session, d)
    assert rc.state == rd.state == RegistrationState.waiting
    assert services.waitlist_position(rc) == 1
    assert services.waitlist_position(rd) == 2
    assert services.seats_left(training_session) == 0
    assert kinds() == ["trainings.confirmed"] * 2 + ["trainings.waitlisted"] * 2


def test_registering_twice_gives_the_same_registration(training_session):
    member = make_member()
    first, created = register(training_session, member)
    again, created_again = register(training_session, member)
    assert created and not created_again
    assert first.id == again.id
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 1
    assert kinds() == ["trainings.confirmed"]


def test_unlimited_capacity_confirms_everyone(course):
    session = make_session(course, capacity=None)
    for _ in range(5):
        assert register(session, make_member())[0].state == RegistrationState.confirmed
    assert services.seats_left(session) is None


@pytest.mark.parametrize(
    "change, message",
    [
        ({"state": SessionState.closed}, "fermée"),
        ({"state": SessionState.cancelled}, "annulée"),
        ({"days": -1}, "déjà eu lieu"),
        ({"registration_deadline": utcnow() - timedelta(hours=1)}, "date limite"),
    ],
)
def test_closed_cancelled_past_or_late_sessions_refuse(course, change, message):
    session = make_session(course, **change)
    with pytest.raises(RegistrationError) as exc:
        services.register_for_session(session, member=make_member(language="en"))
    assert message in str(exc.value.message)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0
    assert kinds() == []


def test_unconfirmed_member_and_draft_course_refused(app):
    session = make_session(make_course())
    with pytest.raises(RegistrationError):
        services.register_for_session(session, member=make_member(confirmed=False))
    draft = make_session(make_course(published=False))
    with pytest.raises(RegistrationError):
        services.register_for_session(draft, member=make_member())
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_cancel_promotes_first_waiting_and_emails_give_back_link(training_session):
    a, b, c, d = (make_member() for _ in range(4))
    ra, _ = register(training_session, a)
    register(training_session, b)
    rc, _ = register(training_session, c)
    rd, _ = register(training_session, d)
    promoted = services.cancel_registration(ra, actor=a)
    db.session.commit()
    assert [p.id for p in promoted] == [rc.id]
    assert rc.state == RegistrationState.confirmed and rc.promotion_token
    assert services.waitlist_position(rd) == 1
    msg = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "trainings.promoted")
    ).one()
    assert msg.recipient == c.email
    assert "/trainings/give-back/" + rc.promotion_token in msg.text_body
    # Giving the seat back promotes the next one.
    services.give_back_seat(rc)
    db.session.commit()
    assert rc.state == RegistrationState.cancelled and rc.promotion_token is None
    assert rd.state == RegistrationState.confirmed
    assert services.registration_for_token("nope") is None


def test_cancelled_entry_cannot_be_used_again(training_session):
    member = make_member()
    reg, _ = register(training_session, member)
    services.cancel_registration(reg, actor=member)
    db.session.commit()
    with pytest.raises(RegistrationError):
        services.cancel_registration(reg, actor=member)
    db.session.rollback()
    # Registering again makes a new active registration; the old one stays cancelled.
    again, created = register(training_session, member)
    assert created and again.id != reg.id


def test_cannot_cancel_after_start(course):
    session = make_session(course, days=1)
    member = make_member()
    reg, _ = register(session, member)
    session.starts_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    with pytest.raises(RegistrationError):
        services.cancel_registration(reg, actor=member)


def test_raising_capacity_promotes_as_many_as_it_frees(course):
    session = make_session(course, capacity=1)
    regs = [register(session, make_member())[0] for _ in range(4)]
    values = {
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "place": session.place,
        "online_url": session.online_url,
        "capacity": 3,
        "registration_deadline": None,
    }
    promoted = services.update_session(session, **values)
    db.session.commit()
    assert [p.id for p in promoted] == [regs[1].id, regs[2].id]
    assert regs[3].state == RegistrationState.waiting
    assert services.waitlist_position(regs[3]) == 1


def test_lowering_capacity_below_confirmed_is_refused(course):
    session = make_session(course, capacity=5)
    for _ in range(3):
        register(session, make_member())
    with pytest.raises(SessionError) as exc:
        services.update_session(
            session,
            starts_at=session.starts_at,
            ends_at=session.ends_at,
            place="",
            online_url=session.online_url,
            capacity=2,
            registration_deadline=None,
        )
    assert exc.value.field == "capacity"
    assert str(exc.value).startswith("3 personnes sont déjà confirmées : le nombre de places")


@pytest.mark.parametrize(
    "change, field",
    [
        ({"ends_at": -1}, "end_time"),
        ({"capacity": 0}, "capacity"),
        ({"registration_deadline": +1}, "deadline_date"),
    ],
)
def test_session_values_checked(course, change, field):
    start = utcnow() + timedelta(days=3)
    values = {
        "starts_at": start,
        "ends_at": start + timedelta(hours=1),
        "capacity": 5,
        "registration_deadline": None,
    }
    if "ends_at" in change:
        values["ends_at"] = start - timedelta(hours=1)
    if "capacity" in change:
        values["capacity"] = 0
    if "registration_deadline" in change:
        values["registration_deadline"] = start + timedelta(hours=1)
    with pytest.raises(SessionError) as exc:
        services.create_session(course, **values)
    assert exc.value.field == field


def test_session_change_tells_registrants(training_session):
    member = make_member(language="en")
    register(training_session, member)
    services.update_session(
        training_session,
        starts_at=training_session.starts_at + timedelta(hours=1),
        ends_at=training_session.ends_at + timedelta(hours=1),
        place="",
        online_url=training_session.online_url,
        capacity=2,
        registration_deadline=None,
    )
    db.session.commit()
    msg = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "trainings.session_changed")
    ).one()
    assert msg.language == "en" and msg.subject.startswith("Change to your session")


def test_coordinator_move_with_reason_is_logged(training_session):
    coordinator = make_coordinator()
    a, b, c = (make_member() for _ in range(3))
    ra, _ = register(training_session, a)
    register(training_session, b)
    rc, _ = register(training_session, c)
    with pytest.raises(RegistrationError) as exc:
        services.move_registration(
            rc, to_state=RegistrationState.confirmed, actor=coordinator, reason=""
        )
    assert exc.value.field == "reason"
    with pytest.raises(RegistrationError):  # full
        services.move_registration(
            rc, to_state=RegistrationState.confirmed, actor=coordinator, reason="Besoin prioritaire"
        )
    db.session.rollback()
    services.move_registration(
        ra,
        to_state=RegistrationState.waiting,
        actor=coordinator,
        reason="A demandé de céder sa place",
    )
    db.session.commit()
    # A's seat went to the head of the queue (C); A is now at the end.
    assert rc.state == RegistrationState.confirmed
    assert ra.state == RegistrationState.waiting
    move = db.session.scalars(
        select(RegistrationMove)
        .where(RegistrationMove.registration_id == ra.id)
        .order_by(RegistrationMove.id.desc())
    ).first()
    assert move.actor_id == coordinator.id and move.reason == "A demandé de céder sa place"


def test_cancel_whole_session_tells_everyone(training_session):
    coordinator = make_coordinator()
    members = [make_member() for _ in range(3)]
    for m in members:
        register(training_session, m)
    told = services.cancel_session(training_session, actor=coordinator, reason="Formatrice malade")
    db.session.commit()
    assert told == 3
    assert training_session.state == SessionState.cancelled
    assert all(r.state == RegistrationState.cancelled for r in training_session.registrations)
    assert kinds().count("trainings.session_cancelled") == 3
    with pytest.raises(RegistrationError):
        services.register_for_session(training_session, member=make_member())


def test_self_paced_gives_material_at_once(app):
    course = make_course(format=CourseFormat.self_paced, material_url="https://capsules.example/1")
    member = make_member()
    reg, created = services.register_for_self_paced(course, member=member)
    db.session.commit()
    again, created_again = services.register_for_self_paced(course, member=member)
    assert created and not created_again and again.id == reg.id
    msg = db.session.scalars(select(OutboxMessage)).one()
    assert msg.kind == "trainings.material" and "https://capsules.example/1" in msg.text_body


def test_attendance_and_summary(training_session):
    a, b, c = (make_member() for _ in range(3))
    ra, _ = register(training_session, a)
    rb, _ = register(training_session, b)
    register(training_session, c)
    with pytest.raises(SessionError):
        services.mark_attendance(training_session, {ra.id})
    assert ra.attended is None
    training_session.starts_at = utcnow() - timedelta(minutes=5)
    services.mark_attendance(training_session, {ra.id})
    db.session.commit()
    assert ra.attended is True and rb.attended is False
    summary = services.course_summary(training_session.course)
    assert (summary.confirmed, summary.waiting, summary.attendance_rate) == (2, 1, 50)


def test_reminders_sent_once(course):
    soon = make_session(
        course,
        days=0,
        starts_at=utcnow() + timedelta(hours=20),
        ends_at=utcnow() + timedelta(hours=22),
    )
    later = make_session(course, days=5)
    m = make_member()
    register(soon, m)
    register(later, make_member())  # one seat per course: another member
    db.session.execute(OutboxMessage.__table__.delete())
    db.session.commit()
    assert services.send_reminders() == 1
    assert services.send_reminders() == 0
    assert kinds() == ["trainings.reminder"]


def test_erase_member_frees_seat_and_keeps_no_trace(training_session):
    a, b, c = (make_member() for _ in range(3))
    ra, _ = register(training_session, a)
    register(training_session, b)
    rc, _ = register(training_session, c)
    exported = services.export_member(a)
    assert exported[0]["state"] == "confirmed" and exported[0]["history"]
    services.erase_member(a)
    db.session.commit()
    assert (
        db.session.scalar(
            select(func.count()).select_from(Registration).where(Registration.user_id == a.id)
        )
        == 0
    )
    assert db.session.get(Registration, rc.id).state == RegistrationState.confirmed
