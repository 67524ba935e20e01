"""Forms of "Make a request" and of the queue: the shape of the input only."""

from __future__ import annotations

import re

from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from communaute.auth.forms import email_field
from communaute.forms import BaseForm
from communaute.i18n import lazy_gettext as _l
from communaute.requests.models import (
    KIND_LABELS,
    LANGUAGE_LABELS,
    MESSAGE_MAX,
    NAME_MAX,
    SHORT_MAX,
    STATE_LABELS,
    TEXT_MAX,
)

PHONE = re.compile(r"^[0-9+().\- ]{7,25}(?:\s*(?:ext\.?|poste|#)\s*[0-9]{1,6})?$", re.IGNORECASE)


def _up_to(n: int):
    return Length(max=n, message=_l("Up to %(max)d characters.", max=n))


def _line(label, required_message, *, max_=SHORT_MAX, required=True, **kw):
    validators = [DataRequired(required_message)] if required else [Optional()]
    return StringField(label, validators=[*validators, _up_to(max_)], **kw)


def _text(label, required_message=None, *, description=None, rows=5):
    validators = [DataRequired(required_message)] if required_message else [Optional()]
    return TextAreaField(
        label,
        description=description,
        validators=[*validators, _up_to(TEXT_MAX)],
        render_kw={"rows": rows},
    )


def phone_number(form, field) -> None:
    if field.data and not PHONE.match(field.data):
        raise ValidationError(_l("Enter a phone number, for example 514 555-0123."))


class RequestForm(BaseForm):
    name = _line(
        _l("Your name"),
        _l("Enter your name."),
        max_=NAME_MAX,
        render_kw={"autocomplete": "name"},
    )
    organisation = _line(
        _l("Organisation"),
        _l("Enter your organisation (a university, a hospital, an association...)."),
        render_kw={"autocomplete": "organization"},
    )
    position = _line(
        _l("Your role"),
        _l("Enter your role, for example researcher or project coordinator."),
        render_kw={"autocomplete": "organization-title"},
    )
    email = email_field()
    phone = StringField(
        _l("Phone number"),
        description=_l("Optional."),
        validators=[Optional(), Length(max=40, message=_l("Up to %(max)d characters.", max=40)),
                    phone_number],
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )  # fmt: skip
    kind = RadioField(
        _l("What are you looking for?"),
        choices=list(KIND_LABELS.items()),
        validators=[InputRequired(_l("Choose what you are looking for."))],
    )
    project = _text(
        _l("Your project in plain words"),
        _l("Describe your project in a few sentences."),
        description=_l("Who it is for, what you want to find out or to change, and why."),
        rows=7,
    )
    involvement = _text(
        _l("Expected involvement"),
        _l("Describe what the patient partners would do."),
        description=_l("For example: four meetings of two hours, reading documents."),
    )
    dates = _line(
        _l("Dates or period"),
        _l("Give the dates or the period, even approximate."),
    )
    compensation = _text(
        _l("Compensation offered"),
        _l("Say what compensation is offered, or that none is planned."),
        description=_l("Fees, expenses paid, gift cards... or none."),
        rows=3,
    )
    meeting_languages = RadioField(
        _l("Language of the meetings"),
        choices=list(LANGUAGE_LABELS.items()),
        validators=[InputRequired(_l("Choose the language of the meetings."))],
    )
    accessibility = _text(
        _l("Accessibility of the meetings"),
        description=_l(
            "Optional. For example: online with captions, a place accessible by wheelchair, "
            "times that suit people who work."
        ),
        rows=3,
    )
    #: Left empty by people; robots fill every field they find (hidden from people and
    #: assistive technologies alike).
    website = StringField(_l("Leave this field empty"))
    #: When the form was shown, signed (communaute.requests.services.started_token).
    started = HiddenField()


class MessageForm(BaseForm):
    message = TextAreaField(
        _l("Message"),
        render_kw={"rows": 6},
        validators=[DataRequired(_l("Write your message.")), _up_to(MESSAGE_MAX)],
    )


class NoteForm(BaseForm):
    note = TextAreaField(
        _l("Note for the team"),
        render_kw={"rows": 3},
        validators=[DataRequired(_l("Write the note.")), _up_to(MESSAGE_MAX)],
    )


class StateForm(BaseForm):
    state = SelectField(_l("State"), choices=list(STATE_LABELS.items()))


class AssignForm(BaseForm):
    assignee = SelectField(_l("Coordinator in charge"), coerce=str)
