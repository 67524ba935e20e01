"""Webinar forms: the shape of the input only; the rules live in services.py."""

from datetime import datetime, time
from urllib.parse import urlsplit

from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from communaute.auth.forms import email_field
from communaute.forms import BaseForm, check_local_time, plausible_year
from communaute.i18n import lazy_gettext as _l
from communaute.i18n import local_to_utc, utc_to_local
from communaute.subscriptions import PURPOSE_TEXTS, Purpose

MAX_SPEAKERS = 3
LANGUAGE_CHOICES = [("fr", _l("French")), ("en", _l("English"))]

#: The words a guest ticks to hear about the series; stored with the sign-up.
#: The words a guest ticks to hear about the series; kept with the consent
#: (communaute.subscriptions), which the link in every announcement withdraws.
NEWS_CONSENT_TEXT = PURPOSE_TEXTS[Purpose.webinar_news]


class HttpUrl:
    """An absolute http(s) link with a host, no spaces."""

    def __call__(self, form, field):
        value = field.data or ""
        if not value:
            return
        parts = urlsplit(value)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc or " " in value:
            raise ValidationError(_l("Enter a full link that starts with https://."))


def url_field(label, description=None):
    return StringField(
        label,
        description=description,
        validators=[
            Optional(),
            Length(max=500, message=_l("The link is too long (500 characters at most).")),
            HttpUrl(),
        ],
        render_kw={"inputmode": "url", "spellcheck": "false"},
    )


class WebinarEditForm(BaseForm):
    title = StringField(
        _l("Title"),
        validators=[
            DataRequired(_l("Enter a title.")),
            Length(max=200, message=_l("The title is too long (200 characters at most).")),
        ],
    )
    description = TextAreaField(
        _l("Description"),
        validators=[
            DataRequired(_l("Describe the webinar in a few sentences.")),
            Length(max=5000, message=_l("The description is too long (5000 characters at most).")),
        ],
    )
    en_title = StringField(
        _l("Title in English"),
        description=_l("Optional. Without it, English readers see the French title."),
        validators=[
            Optional(),
            Length(max=200, message=_l("The title is too long (200 characters at most).")),
        ],
    )
    en_description = TextAreaField(
        _l("Description in English"),
        description=_l("Optional."),
        validators=[
            Optional(),
            Length(max=5000, message=_l("The description is too long (5000 characters at most).")),
        ],
    )
    tags = StringField(
        _l("Topics"),
        description=_l("Separate them with commas, for example: santé mentale, recherche."),
        validators=[Length(max=300, message=_l("Too long (300 characters at most)."))],
    )
    duration_minutes = IntegerField(
        _l("Duration in minutes"),
        default=60,
        validators=[
            InputRequired(_l("Enter the duration in minutes.")),
            NumberRange(
                min=1, max=600, message=_l("The duration must be between 1 and 600 minutes.")
            ),
        ],
    )
    language = SelectField(_l("Language of the webinar"), choices=LANGUAGE_CHOICES, default="fr")
    join_url = url_field(
        _l("Join link"), _l("Given only to people who signed up, never on the public page.")
    )
    phone_dial_in = StringField(
        _l("Phone dial-in"),
        description=_l("Number and code, for people who join by phone."),
        validators=[Length(max=300, message=_l("Too long (300 characters at most)."))],
    )
    captioning = StringField(
        _l("Captions"),
        description=_l("For example: live French captions in the video window."),
        validators=[Length(max=500, message=_l("Too long (500 characters at most)."))],
    )
    capacity = IntegerField(
        _l("Number of places"),
        description=_l("Leave empty for no limit. When it is full, people join a waiting list."),
        validators=[
            Optional(),
            NumberRange(
                min=1,
                max=100000,
                message=_l("Enter a number between 1 and 100000, or leave empty."),
            ),
        ],
    )
    recording_url = url_field(_l("Recording link"), _l("After the webinar."))
    resources = TextAreaField(
        _l("Resources"),
        description=_l("Links and documents shared after the webinar."),
        validators=[Length(max=5000, message=_l("Too long (5000 characters at most)."))],
    )

    def speakers(self) -> list[dict]:
        out = []
        for n in range(1, MAX_SPEAKERS + 1):
            name = self[f"speaker{n}_name"].data
            if name:
                out.append(
                    {
                        "name": name,
                        "bio": self[f"speaker{n}_bio"].data or "",
                        "is_patient_partner": self[f"speaker{n}_partner"].data,
                    }
                )
        return out

    def fill_speakers(self, speakers) -> None:
        for n, s in enumerate(speakers[:MAX_SPEAKERS], start=1):
            self[f"speaker{n}_name"].data = s.name
            self[f"speaker{n}_bio"].data = s.bio
            self[f"speaker{n}_partner"].data = s.is_patient_partner

    def validate_speaker1_name(self, field):
        if not self.speakers():
            raise ValidationError(_l("Enter at least one speaker."))

    def values(self) -> dict:
        return {
            "title": self.title.data,
            "description": self.description.data,
            "tags": self.tags.data or "",
            "duration_minutes": self.duration_minutes.data,
            "language": self.language.data,
            "join_url": self.join_url.data or "",
            "phone_dial_in": self.phone_dial_in.data or "",
            "captioning": self.captioning.data or "",
            "capacity": self.capacity.data,
            "recording_url": self.recording_url.data or "",
            "resources": self.resources.data or "",
            "title_en": self.en_title.data or None,
            "description_en": self.en_description.data or None,
        }


for _n in range(1, MAX_SPEAKERS + 1):
    setattr(
        WebinarEditForm,
        f"speaker{_n}_name",
        StringField(
            _l("Speaker %(n)d: name", n=_n),
            validators=[Length(max=120, message=_l("Too long (120 characters at most)."))],
        ),
    )
    setattr(
        WebinarEditForm,
        f"speaker{_n}_bio",
        TextAreaField(
            _l("Speaker %(n)d: short biography", n=_n),
            validators=[Length(max=600, message=_l("Too long (600 characters at most)."))],
        ),
    )
    setattr(
        WebinarEditForm,
        f"speaker{_n}_partner",
        BooleanField(_l("Speaker %(n)d is a patient partner", n=_n)),
    )


class StartFields(BaseForm):
    start_date = DateField(
        _l("Date"),
        validators=[DataRequired(_l("Enter a valid date.")), plausible_year],
        description=_l("Montreal time."),
    )
    start_time = TimeField(
        _l("Time"),
        default=time(12, 0),
        validators=[DataRequired(_l("Enter a valid time, for example 12:00."))],
    )

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        return check_local_time(self.start_date, self.start_time) and ok

    def start_at(self) -> datetime:
        return local_to_utc(self.start_date.data, self.start_time.data)


class WebinarCreateForm(WebinarEditForm, StartFields):
    repeat_weeks = IntegerField(
        _l("Every week, how many times"),
        description=_l("1: this date only. 8: the same day and time for 8 weeks."),
        default=1,
        validators=[
            Optional(),
            NumberRange(min=1, max=52, message=_l("Between 1 and %(max)d weeks.", max=52)),
        ],
    )
    skip_dates = StringField(
        _l("Dates to skip (optional)"),
        description=_l("Dates of the series with no webinar, for example: 2027-03-03, 2027-04-14."),
        validators=[Length(max=600, message=_l("Too long (600 characters at most)."))],
    )


class RescheduleForm(StartFields):
    duration_minutes = WebinarEditForm.duration_minutes

    def fill(self, webinar) -> None:
        self.start_date.data, self.start_time.data = utc_to_local(webinar.start_at)
        self.duration_minutes.data = webinar.duration_minutes


class GuestSignupForm(BaseForm):
    name = StringField(
        _l("Your name"),
        validators=[
            DataRequired(_l("Enter your name.")),
            Length(max=80, message=_l("The name is too long (80 characters at most).")),
        ],
        render_kw={"autocomplete": "name"},
    )
    full_name = StringField(
        _l("Full name for the attestation (optional)"),
        description=_l("Only the team sees it, never the public."),
        validators=[Length(max=120, message=_l("120 characters at most."))],
    )
    email = email_field(_l("Your email address"))
    language = RadioField(
        _l("Emails in"),
        choices=LANGUAGE_CHOICES,
        default="fr",
        validators=[InputRequired(_l("Choose a language."))],
    )
    how_heard = StringField(
        _l("How did you hear about the webinars? (optional)"),
        validators=[Length(max=200, message=_l("Too long (200 characters at most)."))],
    )
    news_consent = BooleanField(NEWS_CONSENT_TEXT, default=False)
    accessibility_needs = TextAreaField(
        _l("Accessibility needs (optional)"),
        description=_l(
            "For example: captions, a sign language interpreter, joining by phone only. "
            "Only the coordinators see it."
        ),
        validators=[
            Length(max=500, message=_l("Too long (500 characters at most).")),
        ],
        render_kw={"rows": 3},
    )


class SignupManageForm(BaseForm):
    """What a guest may change on their sign-up, from the link in their email."""

    name = GuestSignupForm.name
    language = GuestSignupForm.language
    accessibility_needs = GuestSignupForm.accessibility_needs


class AttendanceForm(BaseForm):
    """Only the CSRF token: the ticked boxes are read as a list of sign-up ids."""
