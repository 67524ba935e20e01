"""The editorial workflow, consents, text edits and withdrawal, at the service layer."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from communaute.email import OutboxMessage
from communaute.extensions import db
from communaute.magazine import services
from communaute.magazine.models import (
    ConsentPurpose,
    Edition,
    RevisionState,
    Submission,
    SubmissionConsent,
    SubmissionState,
)
from communaute.magazine.services import AUTHOR, TEAM, TRANSITIONS, MagazineError
from tests.factories import make_coordinator
from tests.magazine.conftest import data, make_submission

S = SubmissionState


def outbox(kind: str | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return list(db.session.scalars(query))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# The transition table, walked exhaustively ------------------------------------------------


@pytest.mark.parametrize("start", list(S))
def test_every_move_is_allowed_or_refused_as_the_table_says(app, rctx, author, coordinator, start):
    sub = make_submission(author, coordinator, start)
    sub_id = sub.id
    for target in S:
        for actor, role in ((author, AUTHOR), (coordinator, TEAM)):
            sub = db.session.get(Submission, sub_id)
            allowed = TRANSITIONS[start].get(target) == role
            before = len(sub.changes)
            if allowed:
                services._move(sub, target, actor=actor)
                assert sub.state == target
                assert len(sub.changes) == before + 1
                change = sub.changes[-1]
                assert (change.from_state, change.to_state, change.by_id) == (
                    start,
                    target,
                    actor.id,
                )
            else:
                with pytest.raises(MagazineError):
                    services._move(sub, target, actor=actor)
                assert sub.state == start
            db.session.rollback()


def test_table_rules_that_matter():
    assert S.published not in TRANSITIONS[S.declined]
    assert TRANSITIONS[S.withdrawn] == {}
    # The author can withdraw from every state but the frozen one.
    for state in S:
        if state != S.withdrawn:
            assert TRANSITIONS[state][S.withdrawn] == AUTHOR
    # Only an accepted text is published.
    assert [s for s in S if S.published in TRANSITIONS[s]] == [S.accepted]


def test_another_member_cannot_move_a_text(app, rctx, author, coordinator):
    from tests.factories import make_member

    other = make_member()
    sub = make_submission(author, coordinator, S.draft)
    with pytest.raises(MagazineError):
        services.withdraw(sub, author=other)
    with pytest.raises(MagazineError):
        services.submit(data(), author=other, submission=sub)


def test_declined_cannot_be_published(app, rctx, author, coordinator):
    sub = make_submission(author, coordinator, S.declined)
    with pytest.raises(MagazineError):
        services.publish(sub, actor=coordinator)
    db.session.rollback()
    assert db.session.get(Submission, sub.id).state == S.declined


def test_withdrawn_is_frozen(app, rctx, author, coordinator):
    sub = make_submission(author, coordinator, S.withdrawn)
    for call in (
        lambda: services.publish(sub, actor=coordinator),
        lambda: services.accept(sub, actor=coordinator),
        lambda: services.post_message(sub, "Bonjour", sender=coordinator),
        lambda: services.change_consent(sub, ConsentPurpose.print, True, author=author),
        lambda: services.coordinator_edit_text(sub, "autre", actor=coordinator),
        lambda: services.submit(data(), author=author, submission=sub),
        lambda: services.withdraw(sub, author=author),
    ):
        with pytest.raises(MagazineError):
            call()
        db.session.rollback()
    assert db.session.get(Submission, sub.id).state == S.withdrawn


# Submitting and consents ---------------------------------------------------------------


def test_submit_requires_the_web_consent_and_stores_nothing_without_it(app, rctx, author):
    with pytest.raises(MagazineError) as exc:
        services.submit(data(consents={"web": False, "print": True}), author=author)
    assert exc.value.field == "consent_web"
    db.session.rollback()
    assert count(Submission) == 0
    assert count(SubmissionConsent) == 0


def test_submit_records_each_consent_with_its_words_and_sends_a_receipt(app, rctx, author):
    sub = services.submit(data(), author=author)
    db.session.commit()
    assert sub.state == S.submitted and sub.submitted_at is not None
    current = sub.current_consents()
    assert set(current) == set(ConsentPurpose)
    assert current[ConsentPurpose.web].granted is True
    assert current[ConsentPurpose.print].granted is False
    assert current[ConsentPurpose.web].version == services.CONSENT_VERSION
    assert "site" in current[ConsentPurpose.web].text  # the French words shown
    [receipt] = outbox("magazine.submitted")
    assert receipt.recipient == author.email and receipt.language == "fr"
    assert "Trois ans à ses côtés" in receipt.subject
    assert "Publication sur le site Web : oui" in receipt.text_body
    assert "Édition imprimée du magazine : non" in receipt.text_body
    assert "2026" in receipt.text_body  # dated


def test_draft_saves_without_consent_and_is_finished_later(app, rctx, author):
    sub = services.save_draft(data(title="", text="Début", consents={}), author=author)
    db.session.commit()
    assert sub.state == S.draft
    assert outbox() == []
    services.submit(data(), author=author, submission=sub)
    db.session.commit()
    assert sub.state == S.submitted
    assert [c.to_state for c in sub.changes] == [S.submitted]


def test_text_over_the_limit_is_refused_with_how_much_to_cut(app, rctx, author):
    with pytest.raises(MagazineError) as exc:
        services.save_draft(data(text="a" * 20_005), author=author)
    assert exc.value.field == "text"
    assert str(exc.value.message).endswith("Raccourcissez-le de 5 caractères.")


def test_pen_name_required_when_chosen(app, rctx, author):
    with pytest.raises(MagazineError) as exc:
        services.submit(data(byline="pen_name", pen_name="  "), author=author)
    assert exc.value.field == "pen_name"


def test_consent_change_is_appended_latest_wins_and_acknowledged(app, rctx, author, coordinator):
    sub = make_submission(author, coordinator, S.accepted)
    rows_before = len(sub.consents)
    services.change_consent(sub, ConsentPurpose.print, True, author=author)
    db.session.commit()
    assert len(sub.consents) == rows_before + 1
    assert sub.consent_granted(ConsentPurpose.print)
    # The first answer is kept: rows are only added.
    print_rows = [c for c in sub.consents if c.purpose == ConsentPurpose.print]
    assert [c.granted for c in print_rows] == [False, True]
    [ack] = outbox("magazine.consent_changed")
    assert "Édition imprimée du magazine : oui" in ack.text_body
    # Same answer again: nothing recorded, no email.
    assert services.change_consent(sub, ConsentPurpose.print, True, author=author) is None
    assert len(outbox("magazine.consent_changed")) == 1


def test_taking_back_web_consent_withdraws_a_published_text(app, rctx, author, coordinator):
    sub = make_submission(author, coordinator, S.published)
    services.change_consent(sub, ConsentPurpose.web, False, author=author)
    db.session.commit()
    assert sub.state == S.withdrawn
    assert outbox("magazine.withdrawn_team")


# Editorial moves -------------------------------------------------------------------------


def test_request_changes_needs_a_message_and_emails_it(app, rctx, author, coordinator):
    sub = make_submission(author, coordinator, S.submitted)
    with pytest.raises(MagazineError):
        services.request_changes(sub, actor=coordinator, message="  ")
    services.request_changes(sub, actor=coordinator, message="Pouvez-vous retirer la ville ?")
    db.session.commit()
    assert sub.state == S.changes_requested
    assert sub.messages[-1].from_team and "ville" in sub.messages[-1].body
    [mail] = outbox("magazine.decision.changes_requested")
    assert "Pouvez-vous retirer la ville ?" in mail.text_body
    assert "https://communaute.example/magazine/submissions/" in mail.text_body


def test_resubmit_after_changes(app, rctx, author, coordinator):
    sub = make_submission(author, coordinator, S.changes_requested)
    services.submit(data(text="Version corrigée."), author=author, submission=sub)
    db.session.commit()
    assert sub.state == S.submitted and sub.text == "Version corrigée."
    assert "nouvelle version" in outbox("magazine.submitted")[-1].subject


@pytest.mark.parametrize(
    ("move", "kind"),
    [
        (lambda s, c: services.start_review(s, actor=c, message="Bravo"), "in_review"),
        (lambda s, c: services.accept(s, actor=c, message="Bravo"), "accepted"),
        (lambda s, c: services.decline(s, actor=c, message="Merci"), "declined"),
    ],
)
def test_each_move_emails_the_author_in_their_language(app, rctx, coordinator, move, kind):
    from tests.factories import make_member

    english = make_member(language="en", name="Ann")
    sub = make_submission(english, coordinator, S.submitted)
    move(sub, coordinator)
    db.session.commit()
    [mail] = outbox(f"magazine.decision.{kind}")
    assert mail.language == "en" and "Hello Ann" in mail.text_body
    assert ("Merci" if kind == "declined" else "Bravo") in mail.text_body


def test_publish_alone_or_with_an_edition(app, rctx, author, coordinator):
    edition = services.save_edition(number=12, label="Numéro 12, automne 2026", editorial="")
    sub = make_submission(author, coordinator, S.accepted)
    services.publish(sub, actor=coordinator, edition=edition)
    db.session.commit()
    assert sub.state == S.published and sub.edition == edition and sub.published_at
    assert outbox("magazine.decision.published")
    other = make_submission(author, coordinator, S.accepted)
    services.assign_edition(other, edition, actor=coordinator)
    done = services.publish_edition(edition, actor=coordinator)
    db.session.commit()
    assert done == [other] and other.state == S.published
    assert edition.published_at is not None


def test_edition_number_is_unique(app, rctx):
    services.save_edition(number=1, label="Numéro 1", editorial="")
    with pytest.raises(MagazineError):
        services.save_edition(number=1, label="Autre", editorial="")
    with pytest.raises(MagazineError):
        services.save_edition(number=-3, label="Négatif", editorial="")
    assert count(Edition) == 1


# Coordinator edits go back to the author -----------------------------------------------


def test_edited_text_waits_for_the_author_before_publication(app, rctx, author, coordinator):
    sub = make_submission(author, coordinator, S.accepted)
    old = sub.text
    revision = services.coordinator_edit_text(
        sub, old.replace("Mon père", "Mon proche"), actor=coordinator
    )
    db.session.commit()
    assert sub.text == old  # unchanged until approved
    assert outbox("magazine.text_edited")
    with pytest.raises(MagazineError):
        services.publish(sub, actor=coordinator)
    db.session.rollback()
    rows = services.side_by_side(revision.old_text, revision.new_text)
    assert ("changed", old.splitlines()[0], "Mon proche a été malade pendant trois ans.") in rows
    services.approve_revision(revision, author=author)
    db.session.commit()
    assert sub.text.startswith("Mon proche") and revision.state == RevisionState.approved
    services.publish(sub, actor=coordinator)
    db.session.commit()
    assert sub.state == S.published


def test_author_may_answer_instead_and_keep_the_text(app, rctx, author, coordinator):
    sub = make_submission(author, coordinator, S.in_review)
    old = sub.text
    revision = services.coordinator_edit_text(sub, "Tout autre texte", actor=coordinator)
    with pytest.raises(MagazineError):
        services.answer_revision(revision, "", author=author)
    services.answer_revision(revision, "Je préfère garder le nom de ma ville.", author=author)
    db.session.commit()
    assert sub.text == old and revision.state == RevisionState.answered
    assert sub.messages[-1].body == "Je préfère garder le nom de ma ville."
    with pytest.raises(MagazineError):
        services.approve_revision(revision, author=author)


def test_only_the_author_approves_an_edit(app, rctx, author, coordinator):
    sub = make_submission(author, coordinator, S.submitted)
    revision = services.coordinator_edit_text(sub, "Autre", actor=coordinator)
    with pytest.raises(MagazineError):
        services.approve_revision(revision, author=coordinator)


# Withdrawal ------------------------------------------------------------------------------


def test_withdraw_published_tells_every_coordinator_in_their_language(
    app, rctx, author, coordinator
):
    english = make_coordinator("team-en@exemple.ca", language="en")
    sub = make_submission(author, coordinator, S.published)
    services.withdraw(sub, author=author)
    db.session.commit()
    assert sub.state == S.withdrawn and sub.withdrawn_at is not None
    mails = {m.recipient: m for m in outbox("magazine.withdrawn_team")}
    assert set(mails) == {coordinator.email, english.email}
    assert mails[english.email].language == "en" and "withdrew" in mails[english.email].text_body
    assert "retiré" in mails[coordinator.email].text_body
    assert "website" in mails[english.email].text_body


def test_withdraw_a_draft_tells_nobody(app, rctx, author, coordinator):
    sub = make_submission(author, coordinator, S.draft)
    services.withdraw(sub, author=author)
    db.session.commit()
    assert outbox("magazine.withdrawn_team") == []
