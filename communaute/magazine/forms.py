"""Magazine forms: the shape of the input only; the rules are in services."""

from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from communaute.forms import BaseForm
from communaute.i18n import LocalNumber
from communaute.i18n import lazy_gettext as _l
from communaute.magazine.models import (
    BYLINE_LABELS,
    FORM_LABELS,
    MESSAGE_MAX,
    PEN_NAME_MAX,
    PERSPECTIVE_LABELS,
    TEXT_MAX,
    THIRD_PARTY_LABELS,
    TITLE_MAX,
)
from communaute.magazine.services import CONSENT_TEXTS

LANGUAGE_CHOICES = [("fr", _l("French")), ("en", _l("English"))]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SubmissionForm(BaseForm):
    title = StringField(
        _l("Title"),
        validators=[
            Length(
                max=TITLE_MAX, message=_l("Up to %(max)s characters.", max=LocalNumber(TITLE_MAX))
            )
        ],
    )
    # The length is checked by the service, with a message saying by how much to shorten.
    text = TextAreaField(_l("Your text"))
    form = RadioField(
        _l("Form of the text"),
        choices=list(FORM_LABELS.items()),
        default="testimony",
        validators=[InputRequired(_l("Choose the form of your text."))],
    )
    perspective = RadioField(
        _l("You write"),
        choices=list(PERSPECTIVE_LABELS.items()),
        validators=[InputRequired(_l("Choose from which point of view you write."))],
    )
    themes = MultiCheckboxField(_l("Themes"), coerce=int, validators=[Optional()])
    language = SelectField(_l("Language of the text"), choices=LANGUAGE_CHOICES, default="fr")
    byline = RadioField(
        _l("How your text is signed"),
        choices=list(BYLINE_LABELS.items()),
        default="pen_name",
        validators=[InputRequired(_l("Choose how your text is signed."))],
    )
    pen_name = StringField(
        _l("Pen name"),
        validators=[
            Length(
                max=PEN_NAME_MAX,
                message=_l("Up to %(max)s characters.", max=LocalNumber(PEN_NAME_MAX)),
            )
        ],
    )
    third_party = RadioField(
        _l("Does your text speak of another person (a parent, a child, a partner)?"),
        choices=list(THIRD_PARTY_LABELS.items()),
        default="none",
        validators=[InputRequired(_l("Answer this question."))],
    )
    consent_web = BooleanField(CONSENT_TEXTS["web"])
    consent_print = BooleanField(CONSENT_TEXTS["print"])
    consent_training = BooleanField(CONSENT_TEXTS["training"])
    consent_contact = BooleanField(CONSENT_TEXTS["contact"])
    #: "draft" or "send": which button was pressed.
    action = HiddenField()


class ConsentsForm(BaseForm):
    consent_web = BooleanField(CONSENT_TEXTS["web"])
    consent_print = BooleanField(CONSENT_TEXTS["print"])
    consent_training = BooleanField(CONSENT_TEXTS["training"])
    consent_contact = BooleanField(CONSENT_TEXTS["contact"])


class MessageForm(BaseForm):
    message = TextAreaField(
        _l("Message"),
        render_kw={"rows": 5},
        validators=[
            Length(
                max=MESSAGE_MAX,
                message=_l("Up to %(max)s characters.", max=LocalNumber(MESSAGE_MAX)),
            )
        ],
    )


class ReviewActionForm(MessageForm):
    action = SelectField(
        _l("Action"),
        choices=[
            ("message", _l("Only send the message")),
            ("in_review", _l("Start the review")),
            ("changes_requested", _l("Ask for changes")),
            ("accepted", _l("Accept")),
            ("declined", _l("Decline")),
            ("published", _l("Publish on the website")),
        ],
    )
    edition = SelectField(_l("Edition"), coerce=int, validators=[Optional()])


class EditTextForm(BaseForm):
    text = TextAreaField(
        _l("Edited text"),
        validators=[InputRequired(_l("Write the text."))],
        render_kw={"rows": 16},
    )


class AssignEditionForm(BaseForm):
    edition = SelectField(_l("Edition"), coerce=int)


class EditionForm(BaseForm):
    number = IntegerField(
        _l("Number"),
        validators=[
            InputRequired(_l("Give the number of the edition.")),
            NumberRange(
                min=1,
                max=100_000,
                message=_l("Give a number between 1 and %(max)s.", max=LocalNumber(100_000)),
            ),
        ],
    )
    label = StringField(
        _l("Name shown to readers"),
        validators=[
            InputRequired(_l("Give the edition a name.")),
            Length(max=120, message=_l("Up to %(max)s characters.", max=LocalNumber(120))),
        ],
    )
    editorial = TextAreaField(
        _l("Editorial"),
        render_kw={"rows": 8},
        validators=[
            Length(max=TEXT_MAX, message=_l("Up to %(max)s characters.", max=LocalNumber(TEXT_MAX)))
        ],
    )


class ThemeForm(BaseForm):
    name = StringField(
        _l("New theme"),
        validators=[
            InputRequired(_l("Give the theme a name.")),
            Length(max=80, message=_l("Up to %(max)s characters.", max=LocalNumber(80))),
        ],
    )
