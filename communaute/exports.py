"""CSV exports for coordinators: what Excel in Québec opens as it should, and nothing it runs.

UTF-8 with a BOM (Excel otherwise guesses Windows-1252 and breaks accents), ``;`` between
cells (the list separator of French-language Excel), and every cell that a spreadsheet would
read as a formula (= + - @, or a tab or carriage return first) neutralised with a leading
apostrophe. Rows are streamed: a 5,000-line export never sits whole in memory.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from flask import Response, stream_with_context

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """A cell a spreadsheet shows as text, never runs."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable]) -> Response:
    """Streams ``header`` then ``rows`` (every cell passed through safe_cell)."""

    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";")
        writer.writerow(header)
        yield "\ufeff" + buffer.getvalue()
        for row in rows:
            buffer.seek(0)
            buffer.truncate()
            writer.writerow([safe_cell(cell) for cell in row])
            yield buffer.getvalue()

    return Response(
        stream_with_context(generate()),
        # Flask adds "; charset=utf-8" to a text/* mimetype: named here, it came twice.
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )
