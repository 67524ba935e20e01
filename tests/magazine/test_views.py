"""Magazine pages: access, forms with hostile input, escaping, anonymity, withdrawal."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

from communaute.email import OutboxMessage
from communaute.extensions import db
from communaute.i18n import format_local
from communaute.magazine import services
from communaute.magazine.models import (
    Submission,
    SubmissionConsent,
    SubmissionMessage,
    SubmissionState,
    TextRevision,
    Theme,
)
from tests.factories import PASSWORD, login, make_member, post
from tests.magazine.conftest import make_submission

S = SubmissionState

FORM = {
    "title": "Trois ans à ses côtés",
    "text": "Mon père a été malade.\n\nJe l'ai accompagné.",
    "form": "testimony",
    "perspective": "caregiver",
    "language": "fr",
    "byline": "pen_name",
    "pen_name": "Lilas",
    "third_party": "deceased",
    "consent_web": "y",
    "consent_training": "y",
}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def kinds() -> list[str]:
    return list(db.session.scalars(select(OutboxMessage.kind).order_by(OutboxMessage.id)))


@pytest.fixture
def published(app, rctx, author, coordinator):
    sub = make_submission(author, coordinator, S.published)
    return sub.id


# Access ------------------------------------------------------------------------------------


MEMBER_PAGES = ["/magazine/submit", "/magazine/submissions/{id}"]
REVIEW_PAGES = [
    "/magazine/review/",
    "/magazine/review/{id}",
    "/magazine/review/editions/",
    "/magazine/review/themes/",
]


@pytest.mark.parametrize("path", MEMBER_PAGES + REVIEW_PAGES)
def test_guest_is_sent_to_login(client, published, path):
    response = client.get(path.format(id=published))
    assert response.status_code == 302 and "/auth/login" in response.location


@pytest.mark.parametrize("path", REVIEW_PAGES)
def test_member_on_review_pages_gets_403(client, published, path):
    login(client, make_member())
    assert client.get(path.format(id=published)).status_code == 403


@pytest.mark.parametrize("path", REVIEW_PAGES)
def test_coordinator_sees_review_pages(client, published, coordinator, path):
    login(client, coordinator)
    assert client.get(path.format(id=published)).status_code == 200


def test_another_member_gets_404_on_a_submission_and_its_actions(client, app, rctx, author):
    sub = make_submission(author, None, S.draft)
    login(client, make_member())
    assert client.get(f"/magazine/submissions/{sub.id}").status_code == 404
    assert client.get(f"/magazine/submissions/{sub.id}/edit").status_code == 404
    token_page = "/magazine/submit"
    for action in ("withdraw", "message", "consents"):
        response = post(client, f"/magazine/submissions/{sub.id}/{action}", form_page=token_page)
        assert response.status_code == 404
    assert db.session.get(Submission, sub.id).state == S.draft


def test_unpublished_text_is_404_to_the_public(client, app, rctx, author, coordinator):
    sub = make_submission(author, coordinator, S.accepted)
    assert client.get(f"/magazine/{sub.id}").status_code == 404
    assert client.get("/magazine/999999").status_code == 404


def test_unconfirmed_member_cannot_submit(client, app):
    login(client, make_member(confirmed=False))
    response = client.get("/magazine/submit")
    assert response.status_code == 302 and response.location.endswith("/me")


# Submitting --------------------------------------------------------------------------------


def test_submit_a_text_and_get_a_receipt(client, app, author):
    login(client, author)
    response = post(client, "/magazine/submit", {**FORM, "send": "1"})
    assert response.status_code == 302
    sub = db.session.scalar(select(Submission))
    assert sub.state == S.submitted and sub.pen_name == "Lilas"
    assert sub.consent_granted("web") and not sub.consent_granted("print")
    assert kinds() == ["magazine.submitted"]
    page = client.get(response.location).get_data(as_text=True)
    assert "Envoyé" in page and "Lilas" in page
    assert "Trois ans à ses côtés" in client.get("/me").get_data(as_text=True)


def test_save_a_draft_without_consent_then_finish(client, app, author):
    login(client, author)
    response = post(client, "/magazine/submit", {"text": "Un début", "draft": "1", **_radios()})
    assert response.status_code == 302
    sub = db.session.scalar(select(Submission))
    assert sub.state == S.draft and kinds() == []
    page = client.get(f"/magazine/submissions/{sub.id}/edit").get_data(as_text=True)
    assert "Un début" in page
    post(client, f"/magazine/submissions/{sub.id}/edit", {**FORM, "send": "1"})
    db.session.expire_all()
    assert db.session.get(Submission, sub.id).state == S.submitted


def _radios():
    return {k: FORM[k] for k in ("form", "perspective", "byline", "pen_name", "third_party")}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"consent_web": ""}, "consent_web", "publication sur le site Web"),
        ({"text": "a" * 20_001}, "text", "Raccourcissez-le de 1 caractère."),
        ({"text": "a" * 20_005}, "text", "Raccourcissez-le de 5 caractères."),
        ({"text": "   "}, "text", "Écrivez votre texte"),
        ({"title": ""}, "title", "Donnez un titre"),
        ({"title": "x" * 201}, "title", "Jusqu’à 200 caractères"),
        ({"title": "Nul\x00"}, "title", ""),
        ({"text": "Texte\u202eà l'envers"}, "text", ""),
        ({"byline": "pen_name", "pen_name": ""}, "pen_name", "pseudonyme"),
        ({"form": "sonnet"}, "form", ""),
        ({"perspective": ""}, "perspective", "point de vue"),
        ({"third_party": "maybe"}, "third_party", ""),
        ({"themes": "99999"}, "themes", ""),
        ({"language": "de"}, "language", ""),
    ],
)
def test_bad_input_is_refused_next_to_the_field(client, app, author, changes, field, message):
    login(client, author)
    data = {**FORM, "send": "1", **changes}
    data = {k: v for k, v in data.items() if v != ""}
    response = post(client, "/magazine/submit", data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # The message is in the field's own error line, which the field points to.
    shown = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', html, re.S)
    assert shown, f"no message next to {field}"
    assert message.replace("'", "&#39;") in shown.group(1)
    # The summary's link leads to the field (its control, or its group).
    assert f'<a href="#{field}">' in html and f'id="{field}"' in html
    assert count(Submission) == 0 and count(SubmissionConsent) == 0
    assert kinds() == []


def test_emoji_and_html_are_kept_as_text(client, app, author):
    login(client, author)
    post(client, "/magazine/submit", {**FORM, "title": "Courage 💪 <b>", "send": "1"})
    sub = db.session.scalar(select(Submission))
    assert sub.title == "Courage 💪 <b>"
    page = client.get(f"/magazine/submissions/{sub.id}").get_data(as_text=True)
    assert "Courage 💪 &lt;b&gt;" in page


def test_text_page_shows_the_live_count_script_and_server_limit(client, app, author):
    login(client, author)
    html = client.get("/magazine/submit").get_data(as_text=True)
    assert "magazine.js" in html and 'data-max="20000"' in html
    assert "0 caractères sur 20\u00a0000" in html


# Public pages: escaping, anonymity, withdrawal ----------------------------------------------


HOSTILE = (
    "<script>alert('x')</script>\n\n"
    '<img src=x onerror="alert(1)">\n\n'
    "javascript:alert(1) et [lien](javascript:alert(2)) et https://exemple.ca/page"
)


def test_hostile_text_is_escaped_everywhere(client, app, rctx, author, coordinator):
    sub = make_submission(author, coordinator, S.published, text=HOSTILE, title="<i>Titre</i>")
    for path in (f"/magazine/{sub.id}", "/magazine/", "/magazine/feed.xml", "/"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>alert" not in html, path
        assert "<img src=x" not in html, path
        assert 'href="javascript:' not in html, path
        assert "<i>Titre</i>" not in html, path
    import xml.etree.ElementTree as ET

    feed = ET.fromstring(client.get("/magazine/feed.xml").data)  # noqa: S314 - our own output
    content = feed.find("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}content")
    assert "&lt;script&gt;" in content.text and "<script>" not in content.text
    page = client.get(f"/magazine/{sub.id}").get_data(as_text=True)
    assert "&lt;script&gt;" in page
    assert '<a href="https://exemple.ca/page">' in page


@pytest.mark.parametrize(
    ("byline", "pen_name", "shown"),
    [
        ("full_name", None, "Sylvie Gagnon"),
        ("pen_name", "Lilas", "Lilas"),
        ("anonymous", None, None),
    ],
)
def test_byline_as_chosen_and_anonymous_shows_no_name_anywhere(
    client, app, rctx, author, coordinator, byline, pen_name, shown
):
    edition = services.save_edition(number=12, label="Numéro 12, automne 2026", editorial="")
    sub = make_submission(author, coordinator, S.published, byline=byline, pen_name=pen_name)
    services.assign_edition(sub, edition, actor=coordinator)
    db.session.commit()
    pages = {
        "page": client.get(f"/magazine/{sub.id}").get_data(as_text=True),
        "list": client.get("/magazine/").get_data(as_text=True),
        "feed": client.get("/magazine/feed.xml").get_data(as_text=True),
        "home": client.get("/").get_data(as_text=True),
    }
    login(client, coordinator)
    pages["csv"] = client.get(f"/magazine/review/editions/{edition.id}.csv").get_data(as_text=True)
    for where, html in pages.items():
        if shown:
            assert shown in html, where
        else:
            assert "Sylvie" not in html and "Gagnon" not in html, where
            assert "Lilas" not in html and "auteure@" not in html, where
            assert "Anonyme" in html, where
    if shown:
        assert f'<meta name="author" content="{shown}">' in pages["page"]
    else:
        assert 'name="author"' not in pages["page"]


def test_filters_by_theme_form_and_edition(client, app, rctx, author, coordinator, theme):
    a = make_submission(author, coordinator, S.published, title="Alpha", theme_ids=[theme.id])
    make_submission(author, coordinator, S.published, title="Bêta", form="poem")
    html = client.get(f"/magazine/?theme={theme.id}").get_data(as_text=True)
    assert "Alpha" in html and "Bêta" not in html
    html = client.get("/magazine/?form=poem").get_data(as_text=True)
    assert "Bêta" in html and "Alpha" not in html
    html = client.get("/magazine/?form=<script>&theme=-1&edition=abc&page=99999999999").get_data(
        as_text=True
    )
    assert client.get("/magazine/?page=-3").status_code == 200
    assert a.title in client.get("/magazine/").get_data(as_text=True)


def test_newest_first(client, app, rctx, author, coordinator):
    make_submission(author, coordinator, S.published, title="Premier")
    make_submission(author, coordinator, S.published, title="Second")
    html = client.get("/magazine/").get_data(as_text=True)
    assert html.index("Second") < html.index("Premier")


def test_withdraw_a_published_text_removes_it_at_once(client, app, published, author):
    login(client, author)
    response = post(
        client, f"/magazine/submissions/{published}/withdraw", form_page="/magazine/submit"
    )
    assert response.status_code == 302
    public = client.get(f"/magazine/{published}")
    assert public.status_code == 410
    html = public.get_data(as_text=True)
    assert "retiré par son auteur" in html and "Mon père" not in html
    assert "Trois ans" not in client.get("/magazine/").get_data(as_text=True)
    assert "Trois ans" not in client.get("/magazine/feed.xml").get_data(as_text=True)
    assert "magazine.withdrawn_team" in kinds()


def test_withdraw_before_publication(client, app, rctx, author, coordinator):
    sub = make_submission(author, coordinator, S.in_review)
    login(client, author)
    post(client, f"/magazine/submissions/{sub.id}/withdraw", form_page="/magazine/submit")
    db.session.expire_all()
    assert db.session.get(Submission, sub.id).state == S.withdrawn
    assert client.get(f"/magazine/{sub.id}").status_code == 404


def test_change_consents_from_the_page(client, app, rctx, author, coordinator):
    sub = make_submission(author, coordinator, S.accepted)
    login(client, author)
    post(
        client,
        f"/magazine/submissions/{sub.id}/consents",
        {"consent_web": "y", "consent_print": "y"},
        form_page=f"/magazine/submissions/{sub.id}",
    )
    db.session.expire_all()
    sub = db.session.get(Submission, sub.id)
    assert sub.consent_granted("print") and not sub.consent_granted("training")
    assert kinds().count("magazine.consent_changed") == 2  # print given, training taken back


# The author and the team talk --------------------------------------------------------------


def test_author_approves_the_team_edit_from_a_side_by_side_diff(
    client, app, rctx, author, coordinator
):
    sub = make_submission(author, coordinator, S.accepted)
    login(client, coordinator)
    response = post(
        client,
        f"/magazine/review/{sub.id}/text",
        {"text": "Mon proche a été malade pendant trois ans.\n\nJe l'ai accompagné chaque jour."},
        form_page=f"/magazine/review/{sub.id}",
    )
    assert response.status_code == 302
    revision = db.session.scalar(select(TextRevision))
    client.post("/auth/logout", data={"csrf_token": ""})
    client2 = app.test_client()
    login(client2, author)
    html = client2.get(f"/magazine/submissions/{sub.id}").get_data(as_text=True)
    assert "<del>" in html and "<ins>" in html and "Mon proche" in html
    post(
        client2,
        f"/magazine/revisions/{revision.id}/approve",
        form_page=f"/magazine/submissions/{sub.id}",
    )
    db.session.expire_all()
    assert db.session.get(Submission, sub.id).text.startswith("Mon proche")


def test_coordinator_requests_changes_and_author_sees_the_thread(
    client, app, rctx, author, coordinator
):
    sub = make_submission(author, coordinator, S.submitted)
    login(client, coordinator)
    page = f"/magazine/review/{sub.id}"
    response = post(client, f"{page}/action", {"action": "changes_requested"}, form_page=page)
    assert response.status_code == 400
    assert "quoi changer" in response.get_data(as_text=True)
    response = post(
        client,
        f"{page}/action",
        {"action": "changes_requested", "message": "Retirez le nom <b>de la ville</b>."},
        form_page=page,
    )
    assert response.status_code == 200, "first the email the author will get"
    preview = response.get_data(as_text=True)
    assert "Retirez le nom &lt;b&gt;de la ville&lt;/b&gt;." in preview
    assert db.session.get(Submission, sub.id).state == S.submitted, "nothing done yet"
    response = post(
        client,
        f"{page}/action",
        {
            "action": "changes_requested",
            "message": "Retirez le nom <b>de la ville</b>.",
            "confirm": "1",
        },
        form_page=page,
    )
    assert response.status_code == 302
    response = post(client, f"{page}/action", {"action": "published"}, form_page=page)
    assert response.status_code == 400  # not an allowed move now
    db.session.expire_all()
    assert db.session.get(Submission, sub.id).state == S.changes_requested
    other = app.test_client()
    login(other, author)
    html = other.get(f"/magazine/submissions/{sub.id}").get_data(as_text=True)
    assert "Retirez le nom &lt;b&gt;de la ville&lt;/b&gt;." in html
    assert "Modifier et renvoyer" in html


def test_review_page_shows_flag_and_audit_trail(client, app, rctx, author, coordinator):
    sub = make_submission(author, coordinator, S.accepted)
    login(client, coordinator)
    html = client.get(f"/magazine/review/{sub.id}").get_data(as_text=True)
    assert "La personne est décédée" in html
    assert "Marie Coordination" in html and "Accepté" in html
    queue = client.get("/magazine/review/?state=accepted").get_data(as_text=True)
    assert "Trois ans" in queue and "Autre personne" in queue


def test_coordinator_cannot_open_a_draft(client, app, rctx, author, coordinator):
    sub = make_submission(author, coordinator, S.draft)
    login(client, coordinator)
    assert client.get(f"/magazine/review/{sub.id}").status_code == 404


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ({"number": "-1", "label": "X"}, "entre 1 et 100\u00a0000"),
        ({"number": "abc", "label": "X"}, ""),
        ({"number": "99999999999999999999", "label": "X"}, ""),
        ({"number": "3", "label": ""}, "Donnez un nom"),
        ({"number": "3", "label": "x" * 121}, "120"),
    ],
)
def test_edition_form_refuses_bad_input(client, app, coordinator, data, text):
    login(client, coordinator)
    response = post(client, "/magazine/review/editions/", data)
    assert response.status_code == 200 and text in response.get_data(as_text=True)
    assert "error-summary" in response.get_data(as_text=True)


def test_themes_are_managed(client, app, coordinator):
    login(client, coordinator)
    post(client, "/magazine/review/themes/", {"name": "Santé mentale"})
    response = post(client, "/magazine/review/themes/", {"name": "Santé mentale"})
    assert "existe déjà" in response.get_data(as_text=True)
    response = post(client, "/magazine/review/themes/", {"name": ""})
    assert "Donnez un nom" in response.get_data(as_text=True)


def test_edition_csv_neutralises_formulas_and_has_a_bom(client, app, rctx, author, coordinator):
    edition = services.save_edition(number=1, label="Numéro 1", editorial="")
    sub = make_submission(author, coordinator, S.accepted, title="=HYPERLINK(1)")
    services.assign_edition(sub, edition, actor=coordinator)
    db.session.commit()
    login(client, coordinator)
    body = client.get(f"/magazine/review/editions/{edition.id}.csv").data.decode("utf-8")
    assert body.startswith("\ufeffNuméro;Titre;Signature")
    assert "'=HYPERLINK(1)" in body


# Law 25 --------------------------------------------------------------------------------------


def test_export_has_every_submission_with_consents_thread_and_edits(
    client, app, rctx, author, coordinator
):
    sub = make_submission(author, coordinator, S.changes_requested)
    make_submission(author, coordinator, S.draft, title="Brouillon")
    login(client, author)
    data = json.loads(client.get("/auth/export").data)
    items = data["magazine"]
    assert {i["title"] for i in items} == {sub.title, "Brouillon"}
    sent = next(i for i in items if i["id"] == sub.id)
    assert {c["purpose"] for c in sent["consents"]} == {"web", "print", "training", "contact"}
    assert sent["messages"][0]["body"] == "Retirez le nom." and sent["history"]


def test_account_deletion_removes_every_text_and_published_ones_leave(
    client, app, rctx, author, coordinator
):
    pub = make_submission(author, coordinator, S.published)
    make_submission(author, coordinator, S.draft)
    login(client, author)
    response = post(
        client, "/auth/delete", {"password": PASSWORD, "understand": "y"}, form_page="/auth/delete"
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert count(Submission) == 0 and count(SubmissionMessage) == 0
    assert count(SubmissionConsent) == 0
    assert client.get(f"/magazine/{pub.id}").status_code == 404
    assert "magazine.withdrawn_team" in kinds()


def test_me_section_lists_my_texts_and_drafts(client, app, rctx, author, coordinator):
    make_submission(author, coordinator, S.draft, title="Mon brouillon")
    login(client, author)
    html = client.get("/me").get_data(as_text=True)
    assert "Mes textes pour le magazine" in html and "Mon brouillon" in html
    assert "Brouillon" in html


def test_a_coordinator_leaving_keeps_their_moves_unsigned(client, app, rctx, author, coordinator):
    sub = make_submission(author, coordinator, S.changes_requested)
    login(client, coordinator)
    response = post(
        client, "/auth/delete", {"password": PASSWORD, "understand": "y"}, form_page="/auth/delete"
    )
    assert response.status_code == 302
    db.session.expire_all()
    sub = db.session.get(Submission, sub.id)
    assert sub.state == S.changes_requested and len(sub.messages) == 1
    assert sub.messages[0].sender_id is None and sub.messages[0].from_team
    assert all(c.by_id != coordinator.id for c in sub.changes)


@pytest.mark.parametrize(
    ("message", "expected"),
    [("", "Écrivez votre message"), ("x" * 5001, "5000"), ("Bonjour\x00", ""), ("   ", "Écrivez")],
)
def test_author_message_bad_input(client, app, rctx, author, coordinator, message, expected):
    sub = make_submission(author, coordinator, S.submitted)
    login(client, author)
    page = f"/magazine/submissions/{sub.id}"
    response = post(client, f"{page}/message", {"message": message}, form_page=page)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="message-error"' in html and expected in html
    assert count(SubmissionMessage) == 0


def test_author_message_reaches_the_thread_with_emoji(client, app, rctx, author, coordinator):
    sub = make_submission(author, coordinator, S.submitted)
    login(client, author)
    page = f"/magazine/submissions/{sub.id}"
    assert (
        post(client, f"{page}/message", {"message": "Merci 🌷"}, form_page=page).status_code == 302
    )
    assert db.session.scalar(select(SubmissionMessage.body)) == "Merci 🌷"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "Écrivez le texte"),
        ("a" * 20_001, "20\u00a0000"),
        ("Texte\x07", ""),
        (None, "pas changé"),
    ],
)
def test_coordinator_edit_bad_input(client, app, rctx, author, coordinator, text, expected):
    sub = make_submission(author, coordinator, S.in_review)
    login(client, coordinator)
    page = f"/magazine/review/{sub.id}"
    response = post(
        client, f"{page}/text", {"text": sub.text if text is None else text}, form_page=page
    )
    assert response.status_code == 400
    assert expected.replace("'", "&#39;") in response.get_data(as_text=True)
    assert count(TextRevision) == 0


def test_tampered_review_action_and_edition_are_refused(client, app, rctx, author, coordinator):
    sub = make_submission(author, coordinator, S.accepted)
    login(client, coordinator)
    page = f"/magazine/review/{sub.id}"
    for data in (
        {"action": "withdrawn"},
        {"action": "published", "edition": "999"},
        {"action": "x"},
    ):
        data = {**data, "confirm": "1"}
        assert post(client, f"{page}/action", data, form_page=page).status_code == 400
    assert post(client, f"{page}/edition", {"edition": "-5"}, form_page=page).status_code == 400
    assert db.session.get(Submission, sub.id).state == S.accepted
    assert (
        post(
            client, "/magazine/review/99999/action", {"action": "accepted"}, form_page=page
        ).status_code
        == 404
    )


@pytest.mark.parametrize(
    "path",
    [
        "/magazine/",
        "/magazine/{id}",
        "/magazine/submit",
        "/magazine/submissions/{id}",
        "/magazine/review/?state=published",
        "/magazine/review/{id}",
        "/magazine/review/editions/",
        "/magazine/review/themes/",
    ],
)
def test_pages_answer_in_english_too(client, app, rctx, published, coordinator, path):
    login(client, coordinator)
    url = path.format(id=published)
    html = client.get(url + ("&" if "?" in url else "?") + "lang=en").get_data(as_text=True)
    assert '<html lang="en">' in html


def test_queue_shows_how_long_a_text_waits(client, app, rctx, author, coordinator):
    from datetime import timedelta

    sub = make_submission(author, coordinator, S.submitted)
    sub.state_changed_at = sub.state_changed_at - timedelta(days=3)
    db.session.commit()
    login(client, coordinator)
    assert "3 jours" in client.get("/magazine/review/").get_data(as_text=True)


def test_queue_comes_a_page_at_a_time_oldest_first(client, app, rctx, author, coordinator):
    from datetime import timedelta

    from communaute.magazine.services import QUEUE_PAGE

    subs = [
        make_submission(author, coordinator, S.submitted, title=f"Texte numéro {i}")
        for i in range(QUEUE_PAGE + 2)
    ]
    for i, sub in enumerate(subs):  # the first made waits the longest
        sub.state_changed_at = sub.state_changed_at - timedelta(hours=len(subs) - i)
    db.session.commit()
    login(client, coordinator)
    first = client.get("/magazine/review/").get_data(as_text=True)
    assert "Texte numéro 0<" in first and f"Texte numéro {QUEUE_PAGE - 1}<" in first
    assert f"Texte numéro {QUEUE_PAGE}<" not in first
    assert "Page suivante" in first and "Page précédente" not in first
    second = client.get("/magazine/review/?state=submitted&page=2").get_data(as_text=True)
    assert f"Texte numéro {QUEUE_PAGE}<" in second and f"Texte numéro {QUEUE_PAGE + 1}<" in second
    assert "Page précédente" in second and "Page suivante" not in second
    # Tampered page numbers: the first page, never an error.
    for bad in ("0", "-3", "abc", "99999999999", "%00"):
        response = client.get(f"/magazine/review/?page={bad}")
        assert response.status_code == 200
        assert "Texte numéro 0<" in response.get_data(as_text=True)


def test_a_decision_first_shows_the_authors_email_in_her_language(client, app, rctx, coordinator):
    author = make_member("author-en@exemple.ca", name="Jane", language="en")
    sub = make_submission(author, coordinator, S.in_review)
    before = count(OutboxMessage)
    login(client, coordinator)
    page = f"/magazine/review/{sub.id}"
    html = client.get(page).get_data(as_text=True)
    buttons = re.findall(r'<button type="submit" name="action" value="(\w+)"', html)
    assert buttons == ["message", "changes_requested", "accepted", "declined"]
    response = post(
        client, f"{page}/action", {"action": "declined", "message": "Merci."}, form_page=page
    )
    preview = response.get_data(as_text=True)
    subject = preview[preview.index("<dt>Objet</dt>") :].split("</dd>")[0]
    assert "<dd>About your text: Trois ans à ses côtés" in subject
    assert "Hello Jane" in preview and "Merci." in preview
    assert count(OutboxMessage) == before, "a preview sends nothing"
    assert db.session.get(Submission, sub.id).state == S.in_review
    confirm = post(
        client,
        f"{page}/action",
        {"action": "declined", "message": "Merci.", "confirm": "1"},
        form_page=page,
    )
    assert confirm.status_code == 302
    assert db.session.get(Submission, sub.id).state == S.declined
    assert count(OutboxMessage) == before + 1


def test_withdrawing_asks_first_and_nothing_changes_until_confirmed(client, app, published, author):
    login(client, author)
    page = client.get(f"/magazine/submissions/{published}").get_data(as_text=True)
    assert f'href="/magazine/submissions/{published}/withdraw"' in page
    ask = client.get(f"/magazine/submissions/{published}/withdraw")
    html = ask.get_data(as_text=True)
    assert ask.status_code == 200
    assert "Cette action est définitive." in html
    assert "Oui, retirer mon texte" in html
    assert db.session.get(Submission, published).state == S.published
    assert client.get(f"/magazine/{published}").status_code == 200, "still public"
    post(
        client,
        f"/magazine/submissions/{published}/withdraw",
        form_page=f"/magazine/submissions/{published}/withdraw",
    )
    assert db.session.get(Submission, published).state == S.withdrawn


def test_another_member_cannot_see_the_withdraw_page(client, app, published):
    login(client, make_member())
    assert client.get(f"/magazine/submissions/{published}/withdraw").status_code == 404


def test_a_card_says_who_what_when_in_which_edition_and_its_themes(
    client, app, rctx, author, coordinator
):
    # An edition not yet published still names itself on the card of a text it holds.
    edition = services.save_edition(number=13, label="Numéro 13, hiver 2027", editorial="")
    themes = [Theme(name="Soins palliatifs"), Theme(name="Deuil"), Theme(name="Aînés")]
    db.session.add_all(themes)
    db.session.commit()
    sub = make_submission(
        author,
        coordinator,
        S.published,
        title="Les dernières semaines",
        form="letter",
        byline="pen_name",
        pen_name="Lilas",
        theme_ids=[t.id for t in themes[:2]],
    )
    services.assign_edition(sub, edition, actor=coordinator)
    db.session.commit()
    html = client.get("/magazine/").get_data(as_text=True)
    card = html[html.index("Les dernières semaines") :]
    card = card[: card.index("</li>")]
    day = format_local(sub.published_at, "date", "fr")
    assert f'<p class="meta">Lilas · Lettre · {day} · Numéro 13, hiver 2027</p>' in card
    # Its own themes only, in alphabetical order.
    assert (
        '<p class="meta"><span class="badge">Deuil</span> <span class="badge">Soins palliatifs'
        in card
    )
    assert "Aînés" not in card


def test_a_page_past_the_end_leads_back_to_the_last_one(client, app, rctx, author, coordinator):
    for n in range(3):
        make_submission(author, coordinator, S.published, title=f"Texte {n}")
    html = client.get("/magazine/?form=testimony&page=9").get_data(as_text=True)
    assert "Aucun témoignage sur cette page." in html
    assert '<a href="/magazine/?page=1&amp;form=testimony" rel="prev">' in html


def card_titles(html: str) -> list[str]:
    return re.findall(r'<li class="card">\s*<h2[^>]*><a href="/magazine/\d+">([^<]*)</a>', html)


def test_the_pages_of_a_filter_count_only_what_it_keeps(client, app, rctx, author, coordinator):
    """The total comes from a count of its own (``count_apart``): it must follow the filter
    and leave out what is not published."""
    for n in range(21):
        make_submission(author, coordinator, S.published, title=f"Témoignage {n:02d}")
    for n in range(2):
        make_submission(author, coordinator, S.published, title=f"Poème {n}", form="poem")
    make_submission(author, coordinator, S.submitted, title="Pas encore")
    first = client.get("/magazine/?form=testimony").get_data(as_text=True)
    assert '<li aria-current="page">Page 1 de 2</li>' in first
    assert len(card_titles(first)) == 20
    second = client.get("/magazine/?form=testimony&page=2").get_data(as_text=True)
    assert card_titles(second) == ["Témoignage 00"]
    assert '<li aria-current="page">Page 2 de 2</li>' in second
    everything = client.get("/magazine/?page=2").get_data(as_text=True)
    assert card_titles(everything) == ["Témoignage 02", "Témoignage 01", "Témoignage 00"]
    poems = client.get("/magazine/?form=poem").get_data(as_text=True)
    assert card_titles(poems) == ["Poème 1", "Poème 0"]
    assert 'aria-current="page">Page' not in poems
