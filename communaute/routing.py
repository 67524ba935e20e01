"""URL converters shared by every blueprint, registered in ``create_app``."""

import re

from werkzeug.routing import BaseConverter, ValidationError

#: The largest id an INTEGER column holds on PostgreSQL (SQLite's are wider, ours are not).
MAX_ID = 2**31 - 1


class IdConverter(BaseConverter):
    """``<id:name>``: a row id, 1 to 2^31 - 1, in ASCII digits.

    Anything else (0, a leading zero, 2^31, Unicode digits such as ``١٢`` or ``²``) does not
    match the rule, so the request is a 404 before the database is asked.
    """

    regex = r"[1-9][0-9]{0,9}"
    regex_compiled = re.compile(regex)
    part_isolating = True

    def to_python(self, value: str) -> int:
        try:
            return whole_number(value)
        except ValueError:
            raise ValidationError() from None

    def to_url(self, value) -> str:
        return str(int(value))


class SlugConverter(BaseConverter):
    """``<slug:name>``: an address made of lower-case ASCII letters, digits and hyphens
    (courses, pages). A NUL byte, a space or an accent does not match: a 404 before the
    database is asked (PostgreSQL refuses NUL in a query parameter)."""

    regex = r"[a-z0-9-]{1,120}"
    part_isolating = True


def register_converters(app) -> None:
    app.url_map.converters["id"] = IdConverter
    app.url_map.converters["slug"] = SlugConverter


def whole_number(value: str) -> int:
    """A row id or a page number typed in a query string or a form: 1 to 2^31 - 1 in ASCII
    digits, else ValueError. For ``request.args.get("page", 1, type=whole_number)`` and
    ``request.form.getlist("attended", type=whole_number)``, which then fall back to the
    default or skip the value: ``²``, ``①`` or ``١٢`` never reach ``int()`` unchecked."""
    if not isinstance(value, str) or not IdConverter.regex_compiled.fullmatch(value):
        raise ValueError(value)
    number = int(value)
    if number > MAX_ID:
        raise ValueError(value)
    return number
