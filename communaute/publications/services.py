"""The rules of publications: explicit inputs, a DomainError when refused, no commit."""

from __future__ import annotations

from sqlalchemy import select

from communaute import uploads
from communaute.extensions import db
from communaute.publications.models import Publication


def save_publication(publication: Publication, values: dict, *, pdf=None,
                     remove_file: bool = False) -> Publication:  # fmt: skip
    """Fills ``publication`` from ``values`` (column -> value); ``pdf`` is checked to really
    be a PDF (UploadError otherwise) and stored."""
    new_file = None
    if pdf is not None and getattr(pdf, "filename", ""):
        new_file = uploads.check_pdf(pdf, field="file")
    for key, value in values.items():
        setattr(publication, key, value if value != "" else None)
    for key in ("sections", "recommendations", "authors", "contributors"):
        if getattr(publication, key) is None:
            setattr(publication, key, "")
    if new_file is not None or remove_file:
        uploads.remove(publication.file_name)
        publication.file_name = publication.file_size = None
    if new_file is not None:
        publication.file_name = uploads.store(new_file, "pdf")
        publication.file_size = len(new_file)
    return publication


def public_query():
    return (
        select(Publication)
        .where(Publication.published.is_(True))
        .order_by(Publication.issued_on.desc(), Publication.id.desc())
    )


def delete_publication(publication: Publication) -> None:
    uploads.remove(publication.file_name)
    db.session.delete(publication)
