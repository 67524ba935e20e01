"""Mail people control: the news of the series is a real consent, announced once, stopped in
one click (RFC 8058), and members choose reminders, news and language on one page."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from communaute import subscriptions
from communaute.auth.models import ConsentRecord, User
from communaute.db import utcnow
from communaute.email import OutboxMessage, deliver_due
from communaute.extensions import db
from communaute.subscriptions import Purpose, Subscription, SubscriptionSend
from communaute.webinars import services
from communaute.webinars.models import Signup
from tests.conftest import PG_URL
from tests.factories import PASSWORD, csrf_token, login, make_coordinator, make_member, post
from tests.webinars.conftest import make_webinar


def text_of(msg) -> str:
    return msg.get_body(preferencelist=("plain",)).get_content()


def guest_signup(client, webinar, email, *, news: bool, language="fr", name="Nadia"):
    data = {"name": name, "email": email, "language": language}
    if news:
        data["news_consent"] = "y"
    response = post(
        client, f"/webinars/{webinar.id}/signup", data, form_page=f"/webinars/{webinar.id}"
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]


def deliver_all(mailbox, n):
    db.session.commit()
    deliver_due()
    return mailbox.wait_for(n)


@pytest.fixture
def coordinator_client(app):
    client = app.test_client()
    login(client, make_coordinator())
    return client


def test_guest_news_consent_is_a_subscription_with_its_words(app, client):
    webinar = make_webinar()
    guest_signup(client, webinar, "Nadia@Exemple.ca", news=True)
    guest_signup(client, webinar, "paul@exemple.ca", news=False, name="Paul")
    [sub] = db.session.scalars(select(Subscription)).all()
    assert sub.email == "nadia@exemple.ca"
    assert sub.purpose == Purpose.webinar_news
    assert sub.active and sub.source == "webinar_signup"
    assert sub.consent_text.startswith("J’accepte de recevoir des courriels")


def test_announcement_reaches_those_who_agreed_once_in_their_language_with_unsubscribe(
    app, client, coordinator_client, mailbox
):
    earlier = make_webinar(days=3)
    guest_signup(client, earlier, "nadia@exemple.ca", news=True)
    guest_signup(client, earlier, "jo@exemple.ca", news=True, language="en", name="Jo")
    guest_signup(client, earlier, "paul@exemple.ca", news=False, name="Paul")
    deliver_all(mailbox, 3)
    mailbox.clear()

    new = make_webinar(days=20, title="Les données en santé")
    page = coordinator_client.get(f"/webinars/manage/{new.id}/announce")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "2 personnes ont demandé les nouvelles" in html
    assert "Nouveau webinaire : Les données en santé" in html  # the email shown before sending

    response = post(coordinator_client, f"/webinars/manage/{new.id}/announce")
    assert response.status_code == 302
    messages = deliver_all(mailbox, 2)
    by_to = {m["To"]: m for m in messages}
    assert set(by_to) == {"nadia@exemple.ca", "jo@exemple.ca"}
    fr, en = by_to["nadia@exemple.ca"], by_to["jo@exemple.ca"]
    assert fr["Subject"] == "Nouveau webinaire : Les données en santé"
    assert en["Subject"] == "New webinar: Les données en santé"
    nadia = db.session.scalar(select(Subscription).where(Subscription.email == "nadia@exemple.ca"))
    link = f"https://communaute.example/mail/unsubscribe/{nadia.token}"
    assert fr["List-Unsubscribe"] == f"<{link}>"
    assert fr["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"Pour ne plus la recevoir, en un clic : {link}" in text_of(fr)
    assert "To stop receiving it, in one click: https://communaute.example/mail/" in text_of(en)

    # Pressing again sends nothing more: nobody gets it twice.
    mailbox.clear()
    post(coordinator_client, f"/webinars/manage/{new.id}/announce")
    db.session.commit()
    deliver_due()
    assert mailbox.messages == []
    assert db.session.query(OutboxMessage).filter_by(kind="webinars.announcement").count() == 2


def test_confirmations_stay_transactional_without_unsubscribe(app, client, mailbox):
    webinar = make_webinar()
    guest_signup(client, webinar, "nadia@exemple.ca", news=True)
    [msg] = deliver_all(mailbox, 1)
    assert msg["List-Unsubscribe"] is None
    assert "/mail/unsubscribe/" not in text_of(msg)


def test_one_click_unsubscribe_from_the_mail_program_without_cookie_or_form(app, client):
    webinar = make_webinar()
    guest_signup(client, webinar, "nadia@exemple.ca", news=True)
    sub = db.session.scalar(select(Subscription))
    token = sub.token
    stranger = app.test_client()  # a mail program: no session, no CSRF token
    response = stranger.post(
        f"/mail/unsubscribe/{token}",
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert "Vous ne recevrez plus ces courriels" in response.get_data(as_text=True)
    sub = db.session.scalar(select(Subscription))
    assert sub.withdrawn_at is not None
    # The next announcement skips the address.
    with app.test_request_context("/"):
        assert services.announce(make_webinar(days=30)) == 0


def test_unsubscribe_link_opened_by_a_scanner_changes_nothing(app, client):
    webinar = make_webinar()
    guest_signup(client, webinar, "nadia@exemple.ca", news=True)
    token = db.session.scalar(select(Subscription.token))
    response = client.get(f"/mail/unsubscribe/{token}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Arrêter ces courriels?" in html
    assert db.session.scalar(select(Subscription.withdrawn_at)) is None


@pytest.mark.parametrize("token", ["nope", "x" * 200, "%00", "'; DROP TABLE x; --"])
def test_a_wrong_unsubscribe_link_says_so(app, client, token):
    response = client.post(f"/mail/unsubscribe/{token}")
    assert response.status_code == 404
    assert "Ce lien ne fonctionne pas" in response.get_data(as_text=True)


def test_member_chooses_reminders_news_and_language(app, client, mailbox):
    member = make_member(email="lea@exemple.ca")
    login(client, member)
    page = client.get("/auth/mail")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<input checked id="wants_reminders" name="wants_reminders"' in html

    response = post(client, "/auth/mail", {"webinar_news": "y", "language": "en"})
    assert response.status_code == 302
    user = db.session.get(User, member.id)
    assert user.wants_reminders is False and user.language == "en"
    sub = db.session.scalar(select(Subscription))
    assert (sub.email, sub.user_id, sub.language, sub.source) == (
        "lea@exemple.ca",
        member.id,
        "en",
        "preferences",
    )
    [granted] = db.session.scalars(
        select(ConsentRecord).where(ConsentRecord.purpose == "webinar_news")
    ).all()
    assert granted.granted is True
    assert granted.text.startswith("J’accepte de recevoir des courriels")  # the words shown

    post(client, "/auth/mail", {"wants_reminders": "y", "language": "fr"})
    assert db.session.scalar(select(Subscription.withdrawn_at)) is not None
    records = db.session.scalars(
        select(ConsentRecord)
        .where(ConsentRecord.purpose == "webinar_news")
        .order_by(ConsentRecord.id)
    ).all()
    assert [r.granted for r in records] == [True, False]
    assert db.session.get(User, member.id).wants_reminders is True


def test_reminders_off_means_no_reminder(app, mailbox):
    quiet = make_member(email="quiet@exemple.ca", wants_reminders=False)
    keen = make_member(email="keen@exemple.ca")
    webinar = make_webinar(days=0.5)
    with app.test_request_context("/"):
        services.sign_up_member(webinar, quiet)
        services.sign_up_member(webinar, keen)
    deliver_all(mailbox, 2)
    mailbox.clear()
    with app.test_request_context("/"):
        assert services.send_reminders() == 1
    [msg] = deliver_all(mailbox, 1)
    assert msg["To"] == "keen@exemple.ca"
    quiet_signup = db.session.scalar(select(Signup).where(Signup.user_id == quiet.id))
    assert quiet_signup.reminder_sent_at is None


def test_announce_is_for_coordinators_and_for_webinars_to_come(app, client, coordinator_client):
    past = make_webinar(days=-2)
    member = make_member()
    login(client, member)
    assert client.get(f"/webinars/manage/{past.id}/announce").status_code == 403
    page = coordinator_client.get(f"/webinars/manage/{past.id}/announce")
    assert "Seul un webinaire à venir peut être annoncé." in page.get_data(as_text=True)
    response = post(
        coordinator_client,
        f"/webinars/manage/{past.id}/announce",
        form_page=f"/webinars/manage/{past.id}/announce",
    )
    assert response.status_code in (200, 422)
    assert db.session.scalar(select(SubscriptionSend.id)) is None


def test_export_and_deletion_cover_subscriptions(app, client):
    member = make_member(email="lea@exemple.ca")
    login(client, member)
    post(client, "/auth/mail", {"webinar_news": "y", "wants_reminders": "y", "language": "fr"})
    webinar = make_webinar(days=10)
    with app.test_request_context("/"):
        services.announce(webinar)
    db.session.commit()
    data = client.get("/auth/export").get_json()
    [exported] = data["mail_subscriptions"]
    assert exported["purpose"] == "webinar_news" and exported["withdrawn_at"] is None
    response = post(client, "/auth/delete", {"password": PASSWORD, "understand": "y"})
    assert response.status_code == 302
    assert db.session.scalar(select(Subscription.id)) is None
    assert db.session.scalar(select(SubscriptionSend.id)) is None


def test_a_confirmed_new_address_takes_its_consents_along(app):
    member = make_member(email="old@exemple.ca")
    with app.test_request_context("/"):
        subscriptions.subscribe(
            Purpose.webinar_news, "old@exemple.ca", language="fr", source="x", user_id=member.id
        )
        subscriptions.follow_address(member, "New@Exemple.ca")
    db.session.commit()
    assert db.session.scalar(select(Subscription.email)) == "new@exemple.ca"


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL only: concurrent requests")
def test_two_coordinators_announcing_at_once_send_it_once(app, client, mailbox):
    webinar = make_webinar()
    for i in range(30):
        guest_signup(client, webinar, f"p{i}@exemple.ca", news=True, name=f"P{i}")
    new = make_webinar(days=15)
    new_id = new.id
    page = f"/webinars/manage/{new_id}/announce"
    pairs = []
    for i in range(2):
        coordinator = make_coordinator(f"coord{i}@exemple.ca")
        c = app.test_client()
        with app.app_context():
            login(c, coordinator)
        with app.app_context():
            pairs.append((c, csrf_token(c, page)))
    db.session.commit()
    db.session.remove()
    barrier = threading.Barrier(2)
    codes, errors = [], []

    def press(c, token):
        try:
            barrier.wait(timeout=30)
            codes.append(c.post(page, data={"csrf_token": token}).status_code)
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=press, args=pair) for pair in pairs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert codes == [302, 302]
    recipients = db.session.scalars(
        select(OutboxMessage.recipient).where(OutboxMessage.kind == "webinars.announcement")
    ).all()
    assert sorted(recipients) == sorted(f"p{i}@exemple.ca" for i in range(30))
    assert utcnow() - timedelta(minutes=5) < db.session.scalar(select(SubscriptionSend.sent_at))
