"""Account forms: the shape of the input only; the rules live in services.py."""

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from communaute.auth.models import ACCOMMODATIONS, PARTICIPATION_LABELS
from communaute.auth.passwords import MAX_LENGTH as PASSWORD_MAX
from communaute.auth.passwords import MIN_LENGTH as PASSWORD_MIN
from communaute.forms import BaseForm
from communaute.i18n import lazy_gettext as _l


def lower_email(value):
    return value.lower() if isinstance(value, str) else value


class EmailAddress:
    """One plain address: no list, no display name, no newline; checked by email-validator.

    An address with characters such as é before the @ can only be delivered by a server
    that speaks SMTPUTF8 (MAIL_SMTPUTF8=1): otherwise it is refused here, with a message,
    rather than accepted and never delivered. Accents in the domain are fine (café.ca).
    """

    def __call__(self, form, field):
        value = field.data or ""
        if any(c in value for c in ",;<>\r\n \t"):
            raise ValidationError(_l("Enter one email address, for example nom@exemple.ca."))
        smtputf8 = bool(current_app.config.get("MAIL_SMTPUTF8"))
        if not smtputf8 and not value.rpartition("@")[0].isascii():
            raise ValidationError(
                _l(
                    "We cannot send emails yet to an address with accents or other special "
                    "letters before the @. Please use another address."
                )
            )
        try:
            validate_email(value, check_deliverability=False, allow_smtputf8=smtputf8)
        except EmailNotValidError as exc:
            raise ValidationError(
                _l("Enter a valid email address, for example nom@exemple.ca.")
            ) from exc


def email_field(label=None):
    return EmailField(
        label or _l("Email address"),
        filters=[lower_email],
        validators=[
            DataRequired(_l("Enter your email address.")),
            Length(max=254, message=_l("The email address is too long (254 characters at most).")),
            EmailAddress(),
        ],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )


def new_password_fields():
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(_l("Choose a password.")),
            Length(
                min=PASSWORD_MIN,
                max=PASSWORD_MAX,
                message=_l("The password must have between 12 and 200 characters."),
            ),
        ],
        description=_l(
            "At least 12 characters. A passphrase is easiest: three or four ordinary words "
            "that mean something to you, with spaces, in French or in English."
        ),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Password again"),
        validators=[
            DataRequired(_l("Type the password a second time.")),
            EqualTo("password", _l("The two passwords are not the same.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


def display_name_field():
    return StringField(
        _l("Name shown on the site"),
        validators=[
            DataRequired(_l("Enter a name.")),
            Length(max=80, message=_l("The name is too long (80 characters at most).")),
        ],
        render_kw={"autocomplete": "name"},
    )


LANGUAGE_CHOICES = [("fr", "Français"), ("en", "English")]


def participation_choices():
    return [("", _l("I prefer not to say"))] + [
        (k.value, v) for k, v in PARTICIPATION_LABELS.items()
    ]


class RegisterForm(BaseForm):
    email = email_field()
    display_name = display_name_field()
    password, password_confirm = new_password_fields()
    language = SelectField(_l("Preferred language"), choices=LANGUAGE_CHOICES, default="fr")
    participation = SelectField(_l("I take part as"), choices=participation_choices, default="")
    accept_privacy = BooleanField(
        _l(
            "I have read the privacy policy and I agree that Expériences keeps my account information."
        ),
        validators=[InputRequired(_l("You must accept the privacy policy to create an account."))],
    )


class LoginForm(BaseForm):
    email = email_field()
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=PASSWORD_MAX)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(
        _l("Keep me logged in on this device"),
        description=_l(
            "You then stay logged in for 30 days on this device. Without it, you are logged "
            "out after 2 hours without activity, and after 12 hours in any case. For "
            "coordinators: after 30 minutes without activity, and after 12 hours in any case."
        ),
    )


class ResetRequestForm(BaseForm):
    email = email_field()


class ResetPasswordForm(BaseForm):
    password, password_confirm = new_password_fields()


class ProfileForm(BaseForm):
    display_name = display_name_field()
    full_name = StringField(
        _l("Full name for attestations (optional)"),
        description=_l(
            "Written on your attestations of attendance. Only the team sees it, never the public."
        ),
        validators=[Optional(), Length(max=120, message=_l("120 characters at most."))],
        render_kw={"autocomplete": "name"},
    )
    language = SelectField(_l("Preferred language"), choices=LANGUAGE_CHOICES)
    participation = SelectField(_l("I take part as"), choices=participation_choices)
    needs_captions = BooleanField(ACCOMMODATIONS["needs_captions"])
    needs_sign_language = BooleanField(ACCOMMODATIONS["needs_sign_language"])
    needs_large_print = BooleanField(ACCOMMODATIONS["needs_large_print"])
    needs_phone_only = BooleanField(ACCOMMODATIONS["needs_phone_only"])
    needs_helper = BooleanField(ACCOMMODATIONS["needs_helper"])
    needs_other = StringField(
        _l("Other needs"),
        validators=[Optional(), Length(max=500, message=_l("500 characters at most."))],
    )
    #: Shown to coordinators only; the view reads it for them only.
    coordinator_alerts = RadioField(
        _l("Emails about what needs the team"),
        choices=[
            ("each", _l("An email for each event")),
            ("digest", _l("One email a day, at 8:00")),
            ("none", _l("No email: I look at the coordination page")),
        ],
        default="each",
        validate_choice=False,
    )


class MailPreferencesForm(BaseForm):
    wants_reminders = BooleanField(
        _l("A reminder the day before each session or webinar I signed up for")
    )
    webinar_news = BooleanField(_l("News of the webinar series: an email for each new webinar"))
    language = SelectField(_l("Language of the emails"), choices=LANGUAGE_CHOICES)


class EmailChangeForm(BaseForm):
    new_email = email_field(_l("New email address"))
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password.")), Length(max=PASSWORD_MAX)],
        render_kw={"autocomplete": "current-password"},
    )


class PasswordChangeForm(BaseForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password.")), Length(max=PASSWORD_MAX)],
        render_kw={"autocomplete": "current-password"},
    )
    password, password_confirm = new_password_fields()


class DeleteAccountForm(BaseForm):
    password = PasswordField(
        _l("Your password"),
        validators=[DataRequired(_l("Enter your password to confirm.")), Length(max=PASSWORD_MAX)],
        render_kw={"autocomplete": "current-password"},
    )
    understand = BooleanField(
        _l("I understand that my account and my personal information will be deleted for good."),
        validators=[InputRequired(_l("Check this box to confirm."))],
    )


def text_only(value):
    """A file part sent in place of text becomes empty text (then: "type the code")."""
    return value if value is None or isinstance(value, str) else ""


class CodeForm(BaseForm):
    """The second factor's code: from the authentication app, or a recovery code."""

    code = StringField(
        _l("Code"),
        filters=[text_only],
        validators=[
            DataRequired(_l("Type the code.")),
            Length(max=40, message=_l("A code has 6 digits, or 10 for a recovery code.")),
        ],
        render_kw={
            "autocomplete": "one-time-code",
            "inputmode": "numeric",
            "autocapitalize": "off",
            "spellcheck": "false",
        },
    )


class RecoveryCodesForm(BaseForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password.")), Length(max=PASSWORD_MAX)],
        render_kw={"autocomplete": "current-password"},
    )
