"""Portrait forms: the shape of the input only."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from communaute.auth.forms import EmailAddress, lower_email
from communaute.forms import BaseForm, plausible_year
from communaute.i18n import lazy_gettext as _l
from communaute.portraits.models import ALT_MAX, NAME_MAX, QUOTE_MAX, ROLE_MAX


def _up_to(n: int):
    return Length(max=n, message=_l("Up to %(max)d characters.", max=n))


class PortraitForm(BaseForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Enter the name.")), _up_to(NAME_MAX)]
    )
    role = StringField(
        _l("Role in French"),
        default="Patiente partenaire",
        validators=[DataRequired(_l("Enter the role, for example patient partner.")),
                    _up_to(ROLE_MAX)],
    )  # fmt: skip
    en_role = StringField(_l("Role in English"), validators=[Optional(), _up_to(ROLE_MAX)])
    quote = TextAreaField(
        _l("Quote in French"),
        validators=[DataRequired(_l("Write the quote.")), _up_to(QUOTE_MAX)],
        render_kw={"rows": 3},
    )
    en_quote = TextAreaField(
        _l("Quote in English"), validators=[Optional(), _up_to(QUOTE_MAX)], render_kw={"rows": 3}
    )
    photo = FileField(
        _l("Photo"),
        description=_l("Optional. A JPEG, PNG or WebP image of 5 MB at most."),
        render_kw={"accept": "image/jpeg,image/png,image/webp"},
    )
    photo_alt = StringField(
        _l("Text alternative of the photo, in French"),
        description=_l("Required with a photo: what it shows."),
        validators=[Optional(), _up_to(ALT_MAX)],
    )
    en_photo_alt = StringField(
        _l("Text alternative of the photo, in English"), validators=[Optional(), _up_to(ALT_MAX)]
    )
    remove_photo = BooleanField(_l("Remove the photo"))
    account_email = StringField(
        _l("Email of the person's account"),
        description=_l("Optional. With it, the person sees the portrait in their space and can "
                       "withdraw their consent themselves."),
        filters=[lower_email],
        validators=[Optional(), Length(max=254), EmailAddress()],
    )  # fmt: skip
    consent = BooleanField(_l("The person agreed to this portrait being published"))
    consent_on = DateField(_l("Date of the consent"), validators=[Optional(), plausible_year])
    consent_note = StringField(
        _l("How the consent was given"),
        description=_l("For example: signed form, email of 3 March kept in the file."),
        validators=[Optional(), _up_to(500)],
    )
    published = BooleanField(_l("Shown on the website (once consent is recorded)"), default=True)
