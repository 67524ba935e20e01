"""The author gets a receipt for what they do themselves: withdrawing a text, approving the
team's edit; through the real SMTP server, in their language."""

from __future__ import annotations

from communaute.email import deliver_due
from communaute.extensions import db
from communaute.magazine import services
from communaute.magazine.models import SubmissionState
from tests.factories import make_member
from tests.magazine.conftest import make_submission

S = SubmissionState


def body(msg) -> str:
    return msg.get_body(("plain",)).get_content()


def delivered(mailbox, address):
    db.session.commit()
    deliver_due()
    mailbox.wait_for(1)
    return mailbox.to(address)


def test_withdrawal_receipt_to_the_author_in_french(app, rctx, mailbox, author, coordinator):
    sub = make_submission(author, coordinator, S.published)
    db.session.commit()
    deliver_due()
    mailbox.wait_for(1)
    mailbox.clear()
    services.withdraw(sub, author=author)
    [receipt] = [m for m in delivered(mailbox, author.email) if "Retrait" in m["Subject"]]
    assert receipt["Subject"] == f"Retrait confirmé : {sub.title}"
    assert "a quitté le site" in body(receipt) and f"/magazine/submissions/{sub.id}" in body(
        receipt
    )


def test_withdrawal_receipt_in_english(app, rctx, mailbox, coordinator):
    ann = make_member("ann@example.ca", name="Ann", language="en")
    sub = make_submission(ann, coordinator, S.submitted)
    db.session.commit()
    deliver_due()
    mailbox.wait_for(1)
    mailbox.clear()
    services.withdraw(sub, author=ann)
    [receipt] = delivered(mailbox, ann.email)
    assert receipt["Subject"] == f"Withdrawal confirmed: {sub.title}"
    assert "The team will not use it." in body(receipt)


def test_approval_receipt_to_the_author(app, rctx, mailbox, author, coordinator):
    sub = make_submission(author, coordinator, S.accepted)
    revision = services.coordinator_edit_text(sub, "Un texte revu.", actor=coordinator)
    db.session.commit()
    deliver_due()
    mailbox.wait_for(1)
    mailbox.clear()
    services.approve_revision(revision, author=author)
    [receipt] = delivered(mailbox, author.email)
    assert receipt["Subject"] == f"Vous avez approuvé le texte revu : {sub.title}"
    assert "la version revue est maintenant votre texte" in body(receipt)
