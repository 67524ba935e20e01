"""The base form every form inherits: hostile input gets a clear message, never a 500."""

import re
import unicodedata

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.form import SUBMIT_METHODS, _Auto  # Flask-WTF's "read the request" marker
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from wtforms import FileField, StringField, TextAreaField
from wtforms.validators import ValidationError

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


NOT_TEXT = _l("This field takes text, not a file.")


class BaseForm(FlaskForm):
    """Every form's base: what reaches a field is text, normalised and checked.

    - Only what an HTML form sends is read (fields and files, never a JSON body), and a
      field that is not a file field gets text only: a file part sent in its place
      (``curl -F email=@a.txt``) is dropped and the field says so, whatever its type
      (string, integer, date, select, boolean...). Repeated fields: the first value counts,
      as in WTForms, except for the fields made to hold several.
    - Text is NFC and trimmed; control characters, direction overrides and line breaks in
      one-line fields are refused with a message.
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
