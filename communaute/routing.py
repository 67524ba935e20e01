"""URL converters shared by every blueprint, registered in ``create_app``."""

from werkzeug.routing import BaseConverter, ValidationError

#: The largest id an INTEGER column holds on PostgreSQL (SQLite's are wider, ours are not).
MAX_ID = 2**31 - 1


class IdConverter(BaseConverter):
    """``<id:name>``: a row id, 1 to 2^31 - 1, in ASCII digits.

    Anything else (0, a leading zero, 2^31, Unicode digits such as ``١٢`` or ``²``) does not
    match the rule, so the request is a 404 before the database is asked.
    """

    regex = r"[1-9][0-9]{0,9}"
    part_isolating = True

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValidationError()
        return number

    def to_url(self, value) -> str:
        return str(int(value))


def register_converters(app) -> None:
    app.url_map.converters["id"] = IdConverter
