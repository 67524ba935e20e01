"""News forms: the shape of the input only."""

from __future__ import annotations

from flask import g
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, RadioField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Length, Optional

from communaute.forms import BaseForm, check_local_time, plausible_year
from communaute.i18n import lazy_gettext as _l
from communaute.news.models import ALT_MAX, BODY_MAX, TITLE_MAX

PUBLISH_CHOICES = [
    ("draft", _l("Keep as a draft")),
    ("now", _l("Publish now")),
    ("later", _l("Publish on a date")),
]


def _up_to(n: int):
    return Length(max=n, message=_l("Up to %(max)d characters.", max=n))


class NewsForm(BaseForm):
    title = StringField(
        _l("Title in French"), validators=[DataRequired(_l("Enter a title.")), _up_to(TITLE_MAX)]
    )
    en_title = StringField(
        _l("Title in English"),
        description=_l("Optional. Without it, English readers see the French title."),
        validators=[Optional(), _up_to(TITLE_MAX)],
    )
    body = TextAreaField(
        _l("Text in French"),
        description=_l(
            "In Markdown: **bold**, *italics*, [a link](https://exemple.ca), "
            "a line starting with - for a list, ## for a heading."
        ),
        validators=[DataRequired(_l("Write the text of the news.")), _up_to(BODY_MAX)],
        render_kw={"rows": 12},
    )
    en_body = TextAreaField(
        _l("Text in English"),
        description=_l("Optional."),
        validators=[Optional(), _up_to(BODY_MAX)],
        render_kw={"rows": 12},
    )
    picture = FileField(
        _l("Picture"),
        description=_l("Optional. A JPEG, PNG or WebP image of 5 MB at most."),
        render_kw={"accept": "image/jpeg,image/png,image/webp"},
    )
    picture_alt = StringField(
        _l("Text alternative of the picture, in French"),
        description=_l(
            "Required with a picture: what it shows, for people who do not see it "
            "(for example: Three patient partners around a table, laughing)."
        ),
        validators=[Optional(), _up_to(ALT_MAX)],
    )
    en_picture_alt = StringField(
        _l("Text alternative of the picture, in English"),
        description=_l("Optional."),
        validators=[Optional(), _up_to(ALT_MAX)],
    )
    remove_picture = BooleanField(_l("Remove the picture"))
    publish = RadioField(_l("Publication"), choices=PUBLISH_CHOICES, default="draft")
    publish_date = DateField(
        _l("Publication date"),
        description=_l("Montreal time."),
        validators=[Optional(), plausible_year],
    )
    publish_time = TimeField(_l("Publication time"), validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.publish.data != "later":
            return ok
        # Optional() stops at an empty field: "later" needs both, said next to each.
        for field, message in (
            (self.publish_date, _l("Give the date of publication.")),
            (self.publish_time, _l("Give the time of publication, for example 09:00.")),
        ):
            if not field.data and not field.errors:
                field.errors = [*field.errors, message]
                ok = False
        ok = check_local_time(self.publish_date, self.publish_time) and ok
        if not ok:
            g.form_errors = True
        return ok
