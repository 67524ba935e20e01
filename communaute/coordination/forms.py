"""Coordination forms: the shape of the input only; the rules are in services.py."""

from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from communaute.coordination.models import AUDIENCE_LABELS, BODY_MAX, SUBJECT_MAX, Audience
from communaute.forms import BaseForm
from communaute.i18n import lazy_gettext as _l


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


class ReportImportForm(BaseForm):
    report = FileField(
        _l("Participant report (CSV)"),
        description=_l(
            "From Zoom (Reports, Usage, Participants), Microsoft Teams (Attendance report) "
            "or Google Meet (attendance tracking). 5 MB at most."
        ),
        validators=[FileRequired(_l("Choose the file."))],
    )
    threshold = IntegerField(
        _l("Minutes needed to count as present"),
        default=30,
        validators=[
            InputRequired(_l("Enter a number of minutes.")),
            NumberRange(min=0, max=1440, message=_l("Between 0 and 1440 minutes.")),
        ],
    )


class PersonNameForm(BaseForm):
    display_name = StringField(
        _l("Name shown"),
        validators=[
            InputRequired(_l("Enter a name.")),
            Length(max=80, message=_l("80 characters at most.")),
        ],
    )
    full_name = StringField(
        _l("Full name for attestations (optional)"),
        validators=[Length(max=120, message=_l("120 characters at most."))],
    )


class HandRegistrationForm(BaseForm):
    """Which session or webinar: ``session-12`` or ``webinar-7`` (checked by the view)."""

    target = StringField(_l("Session or webinar"), validators=[InputRequired(_l("Choose one."))])
