"""Our emails carry only our links: what a visitor typed never becomes a link or markup."""

import re

from sqlalchemy import select

from communaute.email import OutboxMessage, text_to_html
from communaute.extensions import db
from communaute.trainings.services import register_for_session
from communaute.webinars import services as webinar_services
from tests.factories import make_member
from tests.trainings.conftest import make_session
from tests.webinars.conftest import make_webinar

PHISH = "Votre compte expire: https://evil.example/login"


def hrefs(html: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)">', html)


def test_a_guest_named_like_a_link_gets_no_link_in_our_confirmation(app):
    """The name was typed before names were checked, or by a script calling the service."""
    webinar = make_webinar(join_url="https://zoom.example/j/42")
    with app.test_request_context("/"):
        webinar_services.sign_up_guest(
            webinar, email="victime@exemple.ca", name=PHISH, language="fr"
        )
    db.session.commit()
    msg = db.session.scalar(select(OutboxMessage))
    assert PHISH in msg.text_body, "the text part says what was typed, as text"
    links = hrefs(msg.html_body)
    assert "https://evil.example/login" not in links
    assert "evil.example/login</a>" not in msg.html_body
    assert "https://zoom.example/j/42" in links, "the coordinator's join link is ours"
    cancel = [u for u in links if u.startswith("https://communaute.example/webinars/cancel/")]
    assert len(cancel) == 1, links
    assert all(
        u.startswith(("https://communaute.example/", "https://zoom.example/")) for u in links
    ), links


def test_a_members_name_with_a_link_stays_text_in_a_training_email(app):
    member = make_member(name="Cliquez https://evil.example/x, vite")
    session = make_session(online_url="https://meet.example/abc")
    with app.test_request_context("/"):
        register_for_session(session, member=member)
    db.session.commit()
    html = db.session.scalar(select(OutboxMessage.html_body))
    assert "https://evil.example/x" not in hrefs(html)
    assert "https://meet.example/abc" in hrefs(html)
    assert "https://communaute.example/me" in hrefs(html)


def test_markup_in_a_name_is_escaped_in_the_html_part(app):
    webinar = make_webinar()
    with app.test_request_context("/"):
        webinar_services.sign_up_guest(
            webinar, email="x@exemple.ca", name='<a href="https://evil.example">ici</a>'
        )
    db.session.commit()
    html = db.session.scalar(select(OutboxMessage.html_body))
    assert '<a href="https://evil.example">' not in html
    assert "&lt;a href=&quot;https://evil.example&quot;&gt;ici&lt;/a&gt;" in html


def test_a_link_ends_before_the_punctuation_after_it():
    html = text_to_html("Voir https://communaute.example/a, puis (https://x.ca/b). Fin!")
    assert hrefs(html) == ["https://communaute.example/a", "https://x.ca/b"]
    assert '<a href="https://communaute.example/a">https://communaute.example/a</a>, puis' in html


def test_only_the_given_links_become_links():
    text = "Le vôtre : https://communaute.example/a?x=1&y=2\nUn autre : https://evil.example/"
    html = text_to_html(text, links={"https://communaute.example/a?x=1&y=2"})
    assert hrefs(html) == ["https://communaute.example/a?x=1&amp;y=2"]
    assert "Un autre : https://evil.example/" in html
