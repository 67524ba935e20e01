"""Publication forms: the shape of the input only."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from communaute.forms import BaseForm, plausible_year
from communaute.i18n import lazy_gettext as _l
from communaute.publications.models import TEXT_MAX, TITLE_MAX
from communaute.webinars.forms import url_field


def _up_to(n: int):
    return Length(max=n, message=_l("Up to %(max)d characters.", max=n))


def _text(label, description=None, required=None, rows=6):
    validators = [DataRequired(required)] if required else [Optional()]
    return TextAreaField(
        label,
        description=description,
        validators=[*validators, _up_to(TEXT_MAX)],
        render_kw={"rows": rows},
    )


MARKDOWN = _l("In Markdown.")
SECTIONS = _l("In Markdown; start each section with a line such as: ## 1. Why partnership")
ONE_A_LINE = _l("One a line.")


class PublicationForm(BaseForm):
    title = StringField(
        _l("Title in French"), validators=[DataRequired(_l("Enter a title.")), _up_to(TITLE_MAX)]
    )
    en_title = StringField(
        _l("Title in English"),
        description=_l("Optional. Without it, English readers see the French title."),
        validators=[Optional(), _up_to(TITLE_MAX)],
    )
    issued_on = DateField(
        _l("Date"),
        validators=[DataRequired(_l("Enter a valid date.")), plausible_year],
    )
    summary = _text(_l("Summary in French"), MARKDOWN, _l("Write the summary."))
    en_summary = _text(_l("Summary in English"), _l("Optional."))
    sections = _text(_l("Sections in French"), SECTIONS, rows=14)
    en_sections = _text(_l("Sections in English"), _l("Optional."), rows=14)
    recommendations = _text(_l("Recommendations in French"), ONE_A_LINE)
    en_recommendations = _text(_l("Recommendations in English"), _l("Optional. One a line."))
    authors = _text(_l("Editorial committee"), _l("One person a line, with their role."), rows=4)
    contributors = _text(_l("Contributors"), ONE_A_LINE, rows=4)
    link_url = url_field(_l("Link"), _l("Optional: where the document is published."))
    file = FileField(
        _l("PDF document"),
        description=_l("Optional. A PDF file of 15 MB at most."),
        render_kw={"accept": "application/pdf,.pdf"},
    )
    remove_file = BooleanField(_l("Remove the PDF document"))
    published = BooleanField(_l("Shown on the website"), default=True)
