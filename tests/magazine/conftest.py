"""Magazine fixtures: an author, a coordinator, and texts in any state."""

from __future__ import annotations

import pytest

from communaute.extensions import db
from communaute.magazine import services
from communaute.magazine.models import Submission, SubmissionState, Theme
from tests.factories import make_coordinator, make_member

TEXT = "Mon père a été malade pendant trois ans.\n\nJe l'ai accompagné chaque jour."


def data(**overrides) -> services.SubmissionData:
    values = dict(
        title="Trois ans à ses côtés",
        text=TEXT,
        form="testimony",
        perspective="caregiver",
        language="fr",
        byline="pen_name",
        pen_name="Lilas",
        third_party="deceased",
        theme_ids=[],
        consents={"web": True, "print": False, "training": True, "contact": False},
    )
    values.update(overrides)
    return services.SubmissionData(**values)


@pytest.fixture
def author(app):
    return make_member("auteure@exemple.ca", name="Sylvie Gagnon")


@pytest.fixture
def coordinator(app):
    return make_coordinator("coordo@exemple.ca", name="Marie Coordination")


@pytest.fixture
def theme(app):
    t = Theme(name="Proches aidants")
    db.session.add(t)
    db.session.commit()
    return t


def make_submission(author, coordinator, state: SubmissionState, **overrides) -> Submission:
    """A text brought to ``state`` through the real services (so the audit trail is real)."""
    S = SubmissionState
    if state == S.draft:
        sub = services.save_draft(data(**overrides), author=author)
        db.session.commit()
        return sub
    sub = services.submit(data(**overrides), author=author)
    path = {
        S.submitted: [],
        S.in_review: [S.in_review],
        S.changes_requested: [S.changes_requested],
        S.accepted: [S.accepted],
        S.published: [S.accepted, S.published],
        S.declined: [S.declined],
        S.withdrawn: [],
    }[state]
    for step in path:
        if step == S.in_review:
            services.start_review(sub, actor=coordinator)
        elif step == S.changes_requested:
            services.request_changes(sub, actor=coordinator, message="Retirez le nom.")
        elif step == S.accepted:
            services.accept(sub, actor=coordinator)
        elif step == S.declined:
            services.decline(sub, actor=coordinator)
        elif step == S.published:
            services.publish(sub, actor=coordinator)
    if state == S.withdrawn:
        services.withdraw(sub, author=author)
    db.session.commit()
    return sub


@pytest.fixture
def rctx(app):
    """Services raise lazy messages; the foundation's locale selector needs a request."""
    with app.test_request_context("/"):
        yield
