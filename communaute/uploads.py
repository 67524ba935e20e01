"""Files coordinators upload: PDF documents and pictures, checked, kept under ``instance/``.

Nothing uploaded is trusted by its name or its announced type:
- a PDF must start with ``%PDF-`` and be read by pypdf (at least one page), under
  ``MAX_PDF_BYTES``; it is served as ``application/pdf`` with a Content-Disposition;
- a picture must be opened and verified by Pillow (JPEG, PNG or WebP), under
  ``MAX_PICTURE_BYTES``, and is saved again by Pillow, which drops what a camera writes in
  it (place, date, device) along with anything hidden after the image.

Files are stored under a random name in ``instance/uploads/``; the row keeps that name.
An upload view lifts the request's size limit for itself only (``allow_upload``).
"""

from __future__ import annotations

import io
import secrets
from pathlib import Path

from flask import abort, current_app, request, send_file

from communaute.errors import DomainError
from communaute.i18n import lazy_gettext as _l

MAX_PDF_BYTES = 15 * 1024 * 1024
MAX_PICTURE_BYTES = 5 * 1024 * 1024
#: The largest picture side kept; bigger ones are scaled down.
MAX_PICTURE_SIDE = 2000
PICTURE_FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"),
                   "WEBP": ("webp", "image/webp")}  # fmt: skip


class UploadError(DomainError):
    pass


def allow_upload(max_bytes: int) -> None:
    """Called first by a view that takes a file: its request may be this large (plus the
    other fields); every other request keeps MAX_CONTENT_LENGTH."""
    request.max_content_length = max_bytes + 256 * 1024


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _read(storage, limit: int, field: str) -> bytes:
    data = storage.read(limit + 1)
    if len(data) > limit:
        raise UploadError(
            _l("The file is too large (%(mb)d MB at most).", mb=limit // (1024 * 1024)),
            field=field,
        )
    if not data:
        raise UploadError(_l("The file is empty."), field=field)
    return data


def check_pdf(storage, *, field: str = "file") -> bytes:
    """The bytes of an uploaded PDF; UploadError unless it really is one."""
    data = _read(storage, MAX_PDF_BYTES, field)
    not_pdf = _l("This file is not a PDF document. Choose a PDF file.")
    if not data.startswith(b"%PDF-"):
        raise UploadError(not_pdf, field=field)
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted or len(reader.pages) < 1:
            raise ValueError("no readable page")
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds for a broken file
        raise UploadError(
            _l("This PDF cannot be read (damaged or protected by a password)."), field=field
        ) from exc
    return data


def check_picture(storage, *, field: str = "picture") -> tuple[bytes, str]:
    """(bytes saved again by Pillow, file extension); UploadError unless it is a picture."""
    from PIL import Image, UnidentifiedImageError

    data = _read(storage, MAX_PICTURE_BYTES, field)
    not_picture = _l("This file is not a picture. Choose a JPEG, PNG or WebP image.")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        image = Image.open(io.BytesIO(data))
        kind = image.format
        if kind not in PICTURE_FORMATS:
            raise UploadError(not_picture, field=field)
        if image.width * image.height > 40_000_000:
            raise UploadError(_l("This picture is too large in pixels."), field=field)
        image.load()
    except UploadError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise UploadError(not_picture, field=field) from exc
    image.thumbnail((MAX_PICTURE_SIDE, MAX_PICTURE_SIDE))
    if kind == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, format=kind)
    return out.getvalue(), PICTURE_FORMATS[kind][0]


def store(data: bytes, extension: str) -> str:
    """Writes the bytes under a new random name; returns the name to keep in the row."""
    name = f"{secrets.token_hex(16)}.{extension}"
    (_folder() / name).write_bytes(data)
    return name


def remove(name: str | None) -> None:
    if name and _safe(name):
        (_folder() / name).unlink(missing_ok=True)


def _safe(name: str) -> bool:
    stem, _, ext = name.partition(".")
    return len(stem) == 32 and all(c in "0123456789abcdef" for c in stem) and ext.isalnum()


def send_stored(name: str | None, *, download_name: str, as_attachment: bool = True):
    """The stored file, with its type taken from its extension (never from the upload)."""
    if not name or not _safe(name):
        abort(404)
    path = _folder() / name
    if not path.is_file():
        abort(404)
    ext = name.rpartition(".")[2]
    mimetype = "application/pdf" if ext == "pdf" else {
        e: t for e, t in PICTURE_FORMATS.values()
    }.get(ext)  # fmt: skip
    if mimetype is None:
        abort(404)
    response = send_file(
        path, mimetype=mimetype, as_attachment=as_attachment, download_name=download_name,
        max_age=3600,
    )  # fmt: skip
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
