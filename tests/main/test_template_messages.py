"""The templates' ``_()``, ``ngettext()`` and ``pgettext()``: translated in the reader's
language, variables escaped in HTML and left as typed in plain-text emails."""

import pytest
from flask_babel import force_locale


def render(app, source: str, lang: str = "fr", **context) -> str:
    with app.test_request_context("/"), force_locale(lang):
        return app.jinja_env.from_string(source).render(**context)


def test_a_message_comes_in_the_readers_language(app):
    source = '{{ _("Trainings") }}'
    assert (render(app, source, "fr"), render(app, source, "en")) == ("Formations", "Trainings")


def test_a_variable_is_escaped_in_a_page(app):
    html = render(app, '{{ _("Next session: %(date)s", date=when) }}', when="<b>demain</b>")
    assert html == "Prochaine séance : &lt;b&gt;demain&lt;/b&gt;"


def test_a_variable_stays_as_typed_in_a_plain_text_email(app):
    text = render(
        app,
        '{% autoescape false %}{{ _("Next session: %(date)s", date=when) }}{% endautoescape %}',
        when="Marie-Ève & Zoé <l'équipe>",
    )
    assert text == "Prochaine séance : Marie-Ève & Zoé <l'équipe>"


@pytest.mark.parametrize(("num", "expected"), [(1, "1 place restante"), (2, "2 places restantes")])
def test_ngettext_picks_the_form_and_shows_the_number(app, num, expected):
    source = '{{ ngettext("%(num)d place left", "%(num)d places left", n) }}'
    assert render(app, source, n=num) == expected


def test_pgettext_reads_the_context(app):
    assert render(app, '{{ pgettext("feminine", "Published") }}') == "Publiée"


def test_a_percent_sign_is_formatted_as_jinja_does(app):
    """Newstyle gettext always formats: ``%%`` in a message is one ``%``."""
    assert render(app, '{{ _("100%% free") }}', "en") == "100% free"
    assert render(app, '{{ _("%(n)s%% free", n=50) }}', "en") == "50% free"
