"""Resource forms: the shape of the input only."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from communaute.forms import BaseForm
from communaute.i18n import lazy_gettext as _l
from communaute.resources.models import (
    AUDIENCE_LABELS,
    DESCRIPTION_MAX,
    KIND_LABELS,
    LANGUAGE_LABELS,
    TITLE_MAX,
    TRANSCRIPT_MAX,
)
from communaute.webinars.forms import url_field


def _up_to(n: int):
    return Length(max=n, message=_l("Up to %(max)d characters.", max=n))


def _count(label, most: int, description=None):
    return IntegerField(
        label,
        description=description,
        validators=[
            Optional(),
            NumberRange(
                min=1, max=most, message=_l("Give a number between 1 and %(max)d.", max=most)
            ),
        ],
        render_kw={"inputmode": "numeric"},
    )


class ResourceForm(BaseForm):
    title = StringField(
        _l("Title in French"),
        validators=[DataRequired(_l("Enter a title.")), _up_to(TITLE_MAX)],
    )
    en_title = StringField(
        _l("Title in English"),
        description=_l("Optional. Without it, English readers see the French title."),
        validators=[Optional(), _up_to(TITLE_MAX)],
    )
    description = TextAreaField(
        _l("Description in French"),
        validators=[DataRequired(_l("Describe the resource in a few sentences.")),
                    _up_to(DESCRIPTION_MAX)],
        render_kw={"rows": 4},
    )  # fmt: skip
    en_description = TextAreaField(
        _l("Description in English"),
        description=_l("Optional."),
        validators=[Optional(), _up_to(DESCRIPTION_MAX)],
        render_kw={"rows": 4},
    )
    kind = SelectField(_l("Kind"), choices=list(KIND_LABELS.items()))
    content_language = SelectField(
        _l("Language of the content"), choices=list(LANGUAGE_LABELS.items())
    )
    subtitle_language = SelectField(
        _l("Subtitles"), choices=[("", _l("No subtitles")), *LANGUAGE_LABELS.items()]
    )
    duration_minutes = _count(_l("Duration in minutes"), 10_000, _l("For a video or a podcast."))
    page_count = _count(_l("Number of pages"), 100_000, _l("For a document."))
    audience = SelectField(_l("Audience"), choices=list(AUDIENCE_LABELS.items()))
    link_url = url_field(_l("Link"), _l("Where the resource is (a video host, a web page)."))
    file = FileField(
        _l("PDF document"),
        description=_l("Optional, instead of or beside the link. A PDF file of 15 MB at most."),
        render_kw={"accept": "application/pdf,.pdf"},
    )
    remove_file = BooleanField(_l("Remove the PDF document"))
    transcript = TextAreaField(
        _l("Transcript"),
        description=_l("For a video or a podcast: what is said, for people who read it."),
        validators=[Optional(), _up_to(TRANSCRIPT_MAX)],
        render_kw={"rows": 8},
    )
    published = BooleanField(_l("Shown on the website"), default=True)
