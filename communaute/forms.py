"""The base form every form inherits: hostile input gets a clear message, never a 500."""

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import ValidationError

from communaute.i18n import NonexistentLocalTime, local_to_utc

#: Control characters (NUL included), kept out of every text field.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: Bidirectional overrides and isolates that can disguise a name (U+202A-202E, U+2066-2069).
BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
LINE_BREAK = re.compile(r"[\r\n\u2028\u2029\x85]")


def normalise(value):
    """NFC, trimmed. Runs on every text field before validation."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value).strip()
    return value


def check_text(field, *, multiline: bool) -> None:
    data = field.data
    if not isinstance(data, str) or not data:
        return
    if CONTROL.search(data):
        raise ValidationError(_l("This field contains invisible characters that are not allowed."))
    if BIDI.search(data):
        raise ValidationError(
            _l("This field contains text direction characters that are not allowed.")
        )
    if not multiline and LINE_BREAK.search(data):
        raise ValidationError(_l("This field must fit on one line."))


class BaseForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            if issubclass(unbound_field.field_class, StringField | TextAreaField):
                filters = tuple(unbound_field.kwargs.get("filters", ())) + tuple(
                    options.pop("filters", ())
                )
                options["filters"] = (normalise, *filters)
            return unbound_field.bind(form=form, **options)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for field in self:
            if isinstance(field, StringField) and not field.errors:
                try:
                    check_text(field, multiline=isinstance(field, TextAreaField))
                except ValidationError as exc:
                    field.errors = [*field.errors, str(exc)]
                    ok = False
        return ok

    @property
    def all_errors(self) -> list[tuple[str, str, str]]:
        """(field id, label, message) for the error summary at the top of the form."""
        out = []
        for field in self:
            for message in field.errors if isinstance(field.errors, list | tuple) else ():
                out.append((field.id, field.label.text, message))
        return out


class ButtonForm(BaseForm):
    """A form with only its CSRF token: a button that changes something, by POST."""


#: Dates a coordinator may type: beyond them a date is a typo (and 9999 overflows UTC).
YEARS = (2000, 2100)


def plausible_year(form, field) -> None:
    """A validator for a DateField: a year between 2000 and 2100."""
    if field.data and not YEARS[0] <= field.data.year <= YEARS[1]:
        raise ValidationError(
            _l(
                "Give a date between the years %(first)d and %(last)d.",
                first=YEARS[0],
                last=YEARS[1],
            )
        )


def check_local_time(date_field, time_field) -> bool:
    """Puts a message next to ``time_field`` when the Montreal clock skips that time on that
    date (the night of the change to daylight time). Returns whether the pair is usable."""
    if date_field.errors or time_field.errors or not date_field.data or not time_field.data:
        return not (date_field.errors or time_field.errors)
    try:
        local_to_utc(date_field.data, time_field.data)
    except NonexistentLocalTime:
        time_field.errors = [
            *time_field.errors,
            _l(
                "This time does not exist in Montreal: that night the clocks move forward "
                "one hour. Choose another time."
            ),
        ]
        return False
    return True
