"""Coordination forms: the shape of the input only; the rules are in services.py."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from communaute.coordination.models import AUDIENCE_LABELS, BODY_MAX, SUBJECT_MAX, Audience
from communaute.forms import BaseForm


class RosterMessageForm(BaseForm):
    audience = RadioField(
        _l("Who receives it"),
        choices=[(a.value, AUDIENCE_LABELS[a]) for a in Audience],
        default=Audience.confirmed.value,
        validators=[InputRequired(_l("Choose who receives it."))],
    )
    subject_fr = StringField(
        _l("Subject (French)"),
        validators=[
            InputRequired(_l("Write the subject.")),
            Length(max=SUBJECT_MAX, message=_l("%(max)d characters at most.")),
        ],
    )
    body_fr = TextAreaField(
        _l("Text (French)"),
        description=_l("{prénom} is replaced by each person’s name."),
        validators=[
            InputRequired(_l("Write the text.")),
            Length(max=BODY_MAX, message=_l("%(max)d characters at most.")),
        ],
    )
    subject_en = StringField(
        _l("Subject (English, optional)"),
        validators=[Length(max=SUBJECT_MAX, message=_l("%(max)d characters at most."))],
    )
    body_en = TextAreaField(
        _l("Text (English, optional)"),
        description=_l("For the people who chose English. {name} is replaced by their name."),
        validators=[Length(max=BODY_MAX, message=_l("%(max)d characters at most."))],
    )
    token = HiddenField()
