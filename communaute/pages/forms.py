"""Page forms: the shape of the input only."""

from __future__ import annotations

from wtforms import BooleanField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from communaute.forms import BaseForm
from communaute.i18n import lazy_gettext as _l
from communaute.pages.models import BODY_MAX, SLUG_MAX, TITLE_MAX


def _up_to(n: int):
    return Length(max=n, message=_l("Up to %(max)d characters.", max=n))


class PageForm(BaseForm):
    title = StringField(
        _l("Title in French"), validators=[DataRequired(_l("Enter a title.")), _up_to(TITLE_MAX)]
    )
    en_title = StringField(
        _l("Title in English"),
        description=_l("Optional. Without it, English readers see the French title."),
        validators=[Optional(), _up_to(TITLE_MAX)],
    )
    slug = StringField(
        _l("Address"),
        description=_l("Lower-case letters, digits and hyphens: /pages/mandat"),
        validators=[
            DataRequired(_l("Give the page an address.")),
            _up_to(SLUG_MAX),
            Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
                   message=_l("Only lower-case letters, digits and hyphens.")),
        ],
        render_kw={"spellcheck": "false"},
    )  # fmt: skip
    body = TextAreaField(
        _l("Text in French"),
        description=_l("In Markdown."),
        validators=[DataRequired(_l("Write the text of the page.")), _up_to(BODY_MAX)],
        render_kw={"rows": 16},
    )
    en_body = TextAreaField(
        _l("Text in English"),
        description=_l("Optional."),
        validators=[Optional(), _up_to(BODY_MAX)],
        render_kw={"rows": 16},
    )
    position = IntegerField(
        _l("Order in the footer"),
        default=0,
        validators=[
            Optional(),
            NumberRange(min=0, max=1000, message=_l("Give a number between 0 and 1000.")),
        ],
    )
    published = BooleanField(_l("Shown on the website"), default=True)
