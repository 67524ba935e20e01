"""The base form every form inherits: hostile input gets a clear message, never a 500."""

import re
import unicodedata

from flask import g, has_request_context, request
from flask_wtf import FlaskForm
from flask_wtf.form import SUBMIT_METHODS, _Auto  # Flask-WTF's "read the request" marker
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from wtforms import FileField, PasswordField, StringField, TextAreaField
from wtforms.validators import ValidationError

from communaute.i18n import NonexistentLocalTime, local_to_utc
from communaute.i18n import lazy_gettext as _l

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


#: Fields whose name says they hold the name of a person or a thing (``name``,
#: ``display_name``, ``pen_name``, ``speaker1_name``...) or a title (``title``, ``label``).
#: tests/main/test_hostile_forms.py checks that every field labelled as a name or a title
#: is named so, so a new form cannot slip past the rule.
NAME = re.compile(r"^(?:\w+_)?name$")
NAME_OR_TITLE = re.compile(r"^(?:\w+_)?(?:name|title|label)$")
#: Joiners that are letters' business: U+200C (ZWNJ) inside Persian, Kurdish or Indic words
#: (می‌خواهم), U+200D (ZWJ) inside emoji sequences (👩‍🔬) and some scripts. Kept between
#: two visible characters; alone, doubled, at either end or beside a space they only hide.
JOINERS = "\u200c\u200d"
#: Tag characters spell the flags of Scotland or Wales after U+1F3F4 (🏴󠁧󠁢󠁳󠁣󠁴󠁿).
TAGS = range(0xE0020, 0xE0080)
#: Letters (category Lo) that draw nothing: Hangul fillers.
BLANK_LETTERS = "\u115f\u1160\u3164\uffa0"
#: What makes a mail client (or our own HTML) turn text into a link: a scheme, www., an
#: email address, a domain with a path or with a common ending.
LINK_LIKE = re.compile(
    r"[a-z][a-z0-9+.-]*://|\bwww\.|@|[\w-]\.[a-z]{2,}/"
    r"|\b[\w-]+\.(?:com|net|org|ca|qc|fr|info|biz|io|co|me|app|xyz|link|site|online|top|ru|cn)\b",
    re.IGNORECASE,
)


def _shows(char: str) -> bool:
    """A character that draws something (not a space, a control or a format character)."""
    return unicodedata.category(char) not in ("Zs", "Zl", "Zp", "Cc", "Cf") and not char.isspace()


def _needed_here(text: str, i: int) -> bool:
    """Whether the format character at ``i`` is one a script or an emoji needs there."""
    char = text[i]
    if char in JOINERS:
        return 0 < i < len(text) - 1 and _shows(text[i - 1]) and _shows(text[i + 1])
    if ord(char) in TAGS:
        return i > 0 and (text[i - 1] == "\U0001f3f4" or ord(text[i - 1]) in TAGS)
    return False


def hidden_format_character(text: str) -> bool:
    """An invisible format character (category Cf: U+200B, U+200E, U+200F, U+061C, U+2060,
    U+FEFF, U+00AD...) outside the places where a script needs one (JOINERS, TAGS)."""
    return any(
        unicodedata.category(char) == "Cf" and not _needed_here(text, i)
        for i, char in enumerate(text)
    )


def has_letter_or_digit(text: str) -> bool:
    return any(unicodedata.category(c)[0] in "LN" and c not in BLANK_LETTERS for c in text)


def check_text(field) -> None:
    """Raises ValidationError with the message for what is wrong in a text field, if any."""
    data = field.data
    if not isinstance(data, str) or not data:
        return
    multiline = isinstance(field, TextAreaField)
    if CONTROL.search(data):
        raise ValidationError(_l("This field contains invisible characters that are not allowed."))
    if BIDI.search(data):
        raise ValidationError(
            _l("This field contains text direction characters that are not allowed.")
        )
    if multiline:
        return  # long texts are pasted from anywhere, format characters and all
    if LINE_BREAK.search(data):
        raise ValidationError(_l("This field must fit on one line."))
    if isinstance(field, PasswordField):
        return  # nobody else reads it
    if hidden_format_character(data):
        raise ValidationError(_l("This field contains invisible characters that are not allowed."))
    short_name = field.short_name
    if NAME_OR_TITLE.match(short_name) and not has_letter_or_digit(data):
        raise ValidationError(_l("Write at least one letter or digit."))
    if NAME.match(short_name) and LINK_LIKE.search(data):
        raise ValidationError(_l("A name cannot contain a web address or an email address."))


NOT_TEXT = _l("This field takes text, not a file.")


class BaseForm(FlaskForm):
    """Every form's base: what reaches a field is text, normalised and checked.

    - Only what an HTML form sends is read (fields and files, never a JSON body), and a
      field that is not a file field gets text only: a file part sent in its place
      (``curl -F email=@a.txt``) is dropped and the field says so, whatever its type
      (string, integer, date, select, boolean...). Repeated fields: the first value counts,
      as in WTForms, except for the fields made to hold several.
    - Text is NFC and trimmed; control characters and direction overrides are refused with
      a message; so are, in one-line fields, line breaks and invisible format characters.
    - Names and titles (NAME_OR_TITLE) need a visible letter or digit; a name holds no link
      and no email address (our emails show names to other people: "Votre compte expire :
      https://..." as a guest's name would be a link in our confirmation).
    """

    class Meta:
        def wrap_formdata(self, form, formdata):
            if formdata is _Auto:
                if not (request and request.method in SUBMIT_METHODS):
                    return None
                formdata = CombinedMultiDict((request.files, request.form))
            form._not_text = set()
            if formdata is None or not hasattr(formdata, "items"):
                return super().wrap_formdata(form, formdata)
            files = {f.name for f in form._fields.values() if isinstance(f, FileField)}
            text = MultiDict()
            for key, value in formdata.items(multi=True):
                if isinstance(value, str) or key in files:
                    text.add(key, value)
                else:
                    form._not_text.add(key)
            return text

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
            if field.name in getattr(self, "_not_text", ()):
                field.errors = [NOT_TEXT]  # the "required" message would only confuse
                ok = False
            elif isinstance(field, StringField) and not field.errors:
                try:
                    check_text(field)
                except ValidationError as exc:
                    field.errors = [*field.errors, str(exc)]
                    ok = False
        if not ok and has_request_context():
            g.form_errors = True  # the page's title says so (templates/base.html)
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
