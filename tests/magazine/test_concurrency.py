"""Two coordinators accepting at the same moment: one move is made, the other is told."""

from __future__ import annotations

import threading

from sqlalchemy import select

from communaute.auth.models import User
from communaute.email import OutboxMessage
from communaute.extensions import db
from communaute.magazine.models import StateChange, Submission, SubmissionState
from tests.factories import csrf_token, login, make_coordinator
from tests.magazine.conftest import make_submission


def test_two_coordinators_accepting_at_once_make_one_move(app, rctx, pg_only, author, coordinator):
    other = make_coordinator("deux@exemple.ca")
    sub = make_submission(author, coordinator, SubmissionState.submitted)
    sub_id = sub.id
    db.session.commit()
    barrier = threading.Barrier(2)
    codes = []

    def act(email, action):
        with app.app_context():
            client = app.test_client()
            login(client, db.session.scalar(select(User).where(User.email == email)))
            page = f"/magazine/review/{sub_id}"
            token = csrf_token(client, page)
            barrier.wait()
            response = client.post(
                f"{page}/action",
                data={"csrf_token": token, "action": action, "message": "Oui", "confirm": "1"},
            )
            codes.append(response.status_code)
            db.session.remove()

    threads = [
        threading.Thread(target=act, args=(coordinator.email, "accepted")),
        threading.Thread(target=act, args=(other.email, "accepted")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(codes) == [302, 400]
    db.session.expire_all()
    moves = db.session.scalars(
        select(StateChange.to_state).where(StateChange.submission_id == sub_id)
    ).all()
    assert len(moves) == 2  # submitted, then exactly one decision
    final = db.session.get(Submission, sub_id).state
    assert final == SubmissionState.accepted
    decisions = db.session.scalars(
        select(OutboxMessage.kind).where(OutboxMessage.kind.like("magazine.decision.%"))
    ).all()
    assert decisions == [f"magazine.decision.{final.value}"]
