"""Language done right: French content on an English page says so (lang="fr" and a note),
the French interface writes one apostrophe (’) and no masculine-only "inscrit", a favicon."""

import glob
import re

import pytest
from babel.messages.pofile import read_po

from tests.trainings.conftest import make_course
from tests.webinars.conftest import make_webinar

CATALOGS = glob.glob("communaute/**/translations/fr/LC_MESSAGES/messages.po", recursive=True)


def french_strings():
    for path in CATALOGS:
        with open(path, "rb") as f:
            for message in read_po(f, locale="fr_CA"):
                if message.id:
                    strings = (
                        message.string if isinstance(message.string, tuple) else (message.string,)
                    )
                    for text in strings:
                        yield path, message.id, text


def test_french_interface_uses_one_kind_of_apostrophe():
    straight = [(p, i) for p, i, t in french_strings() if re.search(r"(?<=\w)'(?=\w)", t)]
    assert straight == []


def test_french_interface_has_no_masculine_only_inscrit():
    """ "Vous êtes inscrit" reads as a man's form to Nathalie: both forms, or a neutral one."""
    found = [
        (p, t)
        for p, _, t in french_strings()
        if re.search(r"\binscrit\b", t)
        and not re.search(r"inscrite ou inscrit|inscrit ou inscrite", t)
    ]
    assert found == []


@pytest.mark.parametrize("path", ["course", "webinar"])
def test_french_content_on_an_english_page_is_marked_french(app, client, path):
    if path == "course":
        item = make_course(title="Devenir patient partenaire", language="fr")
        url = f"/trainings/{item.slug}"
    else:
        item = make_webinar(title="Le partenariat en recherche", language="fr")
        url = f"/webinars/{item.id}"
    english = client.get(url + "?lang=en").get_data(as_text=True)
    assert f'<h1 lang="fr">{item.title}</h1>' in english
    assert '<p class="content-note">Content offered in French</p>' in english
    french = client.get(url + "?lang=fr").get_data(as_text=True)
    assert f"<h1>{item.title}</h1>" in french
    assert "content-note" not in french


def test_english_content_on_a_french_page_is_marked_english(app, client):
    webinar = make_webinar(title="Research partnership", language="en")
    html = client.get(f"/webinars/{webinar.id}?lang=fr").get_data(as_text=True)
    assert '<h1 lang="en">Research partnership</h1>' in html
    assert '<p class="content-note">Contenu offert en anglais</p>' in html


def test_a_favicon_for_the_tab_and_for_those_who_ask_for_favicon_ico(app, client):
    html = client.get("/").get_data(as_text=True)
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/static/favicon.svg")
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert icon.get_data(as_text=True).startswith("<svg ")


def test_numbers_read_as_each_language_writes_them(app, client):
    from tests.factories import login, make_member

    login(client, make_member())
    english = client.get("/magazine/submit?lang=en").get_data(as_text=True)
    assert "Up to 20,000 characters." in english
    french = client.get("/magazine/submit?lang=fr").get_data(as_text=True)
    assert "Jusqu’à 20\u00a0000 caractères." in french
    assert "20000 caractères" not in french


def test_template_messages_translate_escape_and_format(app):
    """The templates' messages (our translations through Jinja's gettext callables):
    translated in the page's language, variables escaped in HTML and not in plain-text
    emails, ``%%`` read as one %, plurals and contexts."""
    from flask import render_template_string
    from flask_babel import force_locale

    page = (
        '{{ _("Skip to main content") }}|{{ _("Attendance: %(title)s", title=t) }}|'
        '{{ ngettext("%(num)d minute", "%(num)d minutes", 1) }}|'
        '{{ ngettext("%(num)d minute", "%(num)d minutes", 45) }}|'
        '{{ pgettext("feminine", "Cancelled") }}|{{ _("Attendance rate: %(rate)d %%", rate=50) }}'
    )
    with app.test_request_context("/"), force_locale("fr_CA"):
        html = render_template_string(page, t="<b>Été</b>")
        text = app.jinja_env.overlay(autoescape=False).from_string(page).render(t="<b>Été</b>")
    assert html == (
        "Aller au contenu principal|Présences : &lt;b&gt;Été&lt;/b&gt;|1 minute|45 minutes|"
        "Annulée|Taux de présence : 50 %"
    )
    assert text.split("|")[1] == "Présences : <b>Été</b>"
    with app.test_request_context("/?lang=en"), force_locale("en_CA"):
        assert render_template_string('{{ _("Skip to main content") }}') == "Skip to main content"
