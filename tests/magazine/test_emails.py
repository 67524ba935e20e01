"""Magazine emails arrive, each in its reader's language, with what the reader needs."""

from __future__ import annotations

from communaute.email import deliver_due
from communaute.extensions import db
from communaute.magazine import services
from communaute.magazine.models import ConsentPurpose, SubmissionState
from tests.factories import make_coordinator, make_member
from tests.magazine.conftest import data, make_submission

S = SubmissionState


def body(msg) -> str:
    return msg.get_body(("plain",)).get_content()


def test_receipt_and_every_move_reach_the_author(app, rctx, mailbox, author, coordinator):
    sub = services.submit(data(), author=author)
    services.request_changes(sub, actor=coordinator, message="Retirez le nom de l'hôpital.")
    services.submit(data(text="Nouvelle version"), author=author, submission=sub)
    services.accept(sub, actor=coordinator, message="Merci, c'est très beau.")
    services.publish(sub, actor=coordinator)
    db.session.commit()
    deliver_due()
    msgs = mailbox.wait_for(5)
    assert [m["Subject"].split(" :")[0] for m in msgs] == [
        "Nous avons reçu votre texte",
        "Changements demandés pour votre texte",
        "Nous avons reçu votre nouvelle version",
        "Votre texte est accepté",
        "Votre texte est publié",
    ]
    assert all(m["To"] == author.email for m in msgs)
    assert "Reçu de vos consentements" in body(msgs[0])
    assert "J’accepte qu’Expériences publie mon texte" in body(msgs[0])
    assert "Retirez le nom de l'hôpital." in body(msgs[1])
    assert "Merci, c'est très beau." in body(msgs[3])
    assert f"/magazine/{sub.id}" in body(msgs[4])
    assert msgs[0].get_body(("html",)) is not None


def test_english_author_gets_english_emails(app, rctx, mailbox, coordinator):
    ann = make_member("ann@example.ca", name="Ann", language="en")
    sub = make_submission(ann, coordinator, S.accepted)
    services.change_consent(sub, ConsentPurpose.print, True, author=ann)
    db.session.commit()
    deliver_due()
    msgs = mailbox.wait_for(3)
    assert msgs[0]["Subject"].startswith("We received your text")
    assert msgs[1]["Subject"].startswith("Your text is accepted")
    assert msgs[2]["Subject"].startswith("Your choice is recorded")
    assert "Printed edition of the magazine: yes" in body(msgs[2]).replace(" :", ":")


def test_team_notice_on_withdrawal_goes_to_each_coordinator_in_their_language(
    app, rctx, mailbox, author, coordinator
):
    english = make_coordinator("lead@example.ca", language="en")
    sub = make_submission(author, coordinator, S.published)
    mailbox.clear()
    services.withdraw(sub, author=author)
    db.session.commit()
    deliver_due()
    msgs = [
        m for m in mailbox.wait_for(4) if "retiré" in m["Subject"] or "withdrawn" in m["Subject"]
    ]
    by_to = {m["To"]: m for m in msgs}
    assert set(by_to) == {coordinator.email, english.email}
    assert "retiré par son auteur" in by_to[coordinator.email]["Subject"]
    assert "withdrawn by its author" in by_to[english.email]["Subject"]
    assert "Sylvie" not in body(by_to[english.email])
