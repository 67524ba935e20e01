"""Reading the participant report of a videoconference tool (Zoom, Microsoft Teams, Google
Meet): their usual column names, French or English headers, the time each person attended.

What comes in is a file anyone could have made: it is read as data only. Bytes first (an
image, a PDF or a spreadsheet is refused by its signature), then the encoding (UTF-8 with or
without BOM, UTF-16 with BOM as Teams writes it, else Windows-1252/Latin-1), the separator
(``,`` ``;`` or a tab), the header row (the first with an email column: Zoom and Teams put a
summary above it), then one row per line. Names are only shown, escaped, never stored.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from communaute.errors import DomainError
from communaute.i18n import fold
from communaute.i18n import lazy_gettext as _l

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000

#: Signatures of files that are surely not a CSV.
NOT_TEXT = (
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"%PDF",
    b"PK\x03\x04",
    b"\xd0\xcf\x11\xe0",
    b"RIFF",
    b"BM",
)


class ReportError(DomainError):
    pass


@dataclass
class ReportRow:
    line: int
    name: str
    email: str
    minutes: float


@dataclass
class Report:
    rows: list[ReportRow] = field(default_factory=list)
    tool: str = ""
    #: Identical lines met again (counted once).
    duplicates: int = 0
    #: Lines without an email address (nobody to match).
    without_email: list[ReportRow] = field(default_factory=list)


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if len(data) > 3 and data[1:2] == b"\x00" and data[3:4] == b"\x00":
        return data.decode("utf-16-le")  # UTF-16 without BOM
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _key(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", fold(header)).strip()


EMAIL_KEYS = ("email", "e mail", "courriel", "adresse e mail", "adresse courriel", "user email")
DURATION_KEYS = (
    "duration",
    "duree",
    "in meeting duration",
    "duree de la reunion",
    "duree dans la reunion",
    "temps",
    "attendance duration",
    "time in call",
)


def _find(headers: list[str], wanted, *, avoid=()) -> int | None:
    keys = [_key(h) for h in headers]
    for i, k in enumerate(keys):
        if k in wanted:
            return i
    for i, k in enumerate(keys):
        if any(w in k for w in wanted) and not any(a in k for a in avoid):
            return i
    return None


_HMS = re.compile(r"^(\d+):(\d{1,2})(?::(\d{1,2}))?$")
_PARTS = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(h|hr|hrs|hour|hours|heure|heures|m|min|mins|minute|minutes|s|sec|secs|second|seconds|seconde|secondes)\b"
)


def parse_minutes(text: str, *, in_minutes: bool) -> float | None:
    """« 45 », « 45,5 », « 1:02:03 », « 1h 2m 3s », « 1 hr 5 min », « 52 min » -> minutes."""
    value = (text or "").strip().lower()
    if not value:
        return None
    if re.fullmatch(r"\d+(?:[.,]\d+)?", value):
        number = float(value.replace(",", "."))
        return number if in_minutes else number / 60  # a bare number in a seconds column
    if m := _HMS.match(value):
        h, mi, s = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
        return h * 60 + mi + s / 60 if m.group(3) is not None else h * 60 + mi
    total, found = 0.0, False
    for number, unit in _PARTS.findall(value):
        n = float(number.replace(",", "."))
        found = True
        if unit.startswith("h"):
            total += n * 60
        elif unit.startswith("s"):
            total += n / 60
        else:
            total += n
    return total if found else None


NAME_HEADERS = (
    "name",
    "nom",
    "first name",
    "prenom",
    "full name",
    "nom complet",
    "participant name",
)


def _is_people_header(cells: list[str]) -> bool:
    """The header of the list of people (not Zoom's meeting summary above it): it names a
    name column."""
    return any(
        k in NAME_HEADERS or k.startswith(("name ", "nom ")) for k in (_key(c) for c in cells)
    )


def _tool(headers: list[str]) -> str:
    keys = " | ".join(_key(h) for h in headers)
    if "user email" in keys or "e mail de l utilisateur" in keys or "nom nom original" in keys:
        return "Zoom"
    if "upn" in keys or "in meeting duration" in keys or "premiere participation" in keys:
        return "Microsoft Teams"
    if "first name" in keys or "prenom" in keys:
        return "Google Meet"
    return ""


def read_report(data: bytes) -> Report:
    """The rows of a participant report. Raises ReportError with what is wrong, in words."""
    if len(data) > MAX_BYTES:
        raise ReportError(_l("The file is larger than 5 MB."), field="report")
    if not data.strip():
        raise ReportError(_l("The file is empty."), field="report")
    if data.startswith(NOT_TEXT):
        raise ReportError(
            _l("This file is not a CSV report (an image, a PDF or a spreadsheet?)."),
            field="report",
        )
    text = _decode(data)
    if "\x00" in text:
        raise ReportError(_l("This file is not a CSV report."), field="report")
    lines = text.splitlines()
    header_at = None
    for i, line in enumerate(lines[:200]):
        delimiter = max((",", ";", "\t"), key=line.count)
        cells = next(csv.reader([line], delimiter=delimiter), [])
        if _find(cells, EMAIL_KEYS) is not None and _is_people_header(cells):
            header_at = i
            break
    if header_at is None:
        raise ReportError(
            _l("No email column found: is it the participant report of Zoom, Teams or Meet?"),
            field="report",
        )
    reader = csv.reader(io.StringIO("\n".join(lines[header_at:])), delimiter=delimiter)
    headers = next(reader)
    email_at = _find(headers, EMAIL_KEYS)
    duration_at = _find(headers, DURATION_KEYS)
    if duration_at is None:
        raise ReportError(_l("No column with the time attended (Duration, Durée)."), field="report")
    in_seconds = (
        "second" in _key(headers[duration_at]) or "sec" in _key(headers[duration_at]).split()
    )
    first_at = _find(headers, ("first name", "prenom"))
    last_at = _find(headers, ("last name", "nom de famille", "surname"))
    name_at = _find(
        headers,
        ("name", "nom", "name original name", "nom nom original", "participant"),
        avoid=("first", "last", "prenom", "famille", "user"),
    )
    if first_at is not None and last_at is None:
        last_at = name_at  # Google Meet in French: « Prénom », « Nom »
    report = Report(tool=_tool(headers))
    seen = set()
    for number, cells in enumerate(reader, start=header_at + 2):
        if not any(c.strip() for c in cells):
            if report.rows or report.without_email:
                break  # the end of the participants (Teams puts its activity log below)
            continue
        if len(report.rows) + len(report.without_email) >= MAX_ROWS:
            raise ReportError(_l("Too many lines (%(max)d at most).", max=MAX_ROWS), field="report")
        key = tuple(c.strip() for c in cells)
        if key in seen:
            report.duplicates += 1
            continue
        seen.add(key)

        def cell(i, cells=cells):
            return cells[i].strip() if i is not None and i < len(cells) else ""

        if first_at is not None:
            name = " ".join(p for p in (cell(first_at), cell(last_at)) if p)
        else:
            name = cell(name_at)
        minutes = parse_minutes(cell(duration_at), in_minutes=not in_seconds)
        row = ReportRow(number, name[:120], cell(email_at)[:254], minutes or 0.0)
        if "@" not in row.email:
            report.without_email.append(row)
        else:
            report.rows.append(row)
    return report
