"""The rules of resources: explicit inputs, a DomainError when refused, no commit."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from communaute import uploads
from communaute.errors import DomainError
from communaute.i18n import lazy_gettext as _l
from communaute.resources.models import Audience, Resource, ResourceKind


class ResourceError(DomainError):
    pass


@dataclass
class ResourceData:
    title: str
    title_en: str | None
    description: str
    description_en: str | None
    kind: str
    content_language: str
    subtitle_language: str | None
    duration_minutes: int | None
    page_count: int | None
    audience: str
    link_url: str | None
    transcript: str | None
    published: bool


def save_resource(
    resource: Resource, data: ResourceData, *, pdf=None, remove_file: bool = False
) -> Resource:
    """Fills ``resource`` (new or not) from ``data``. ``pdf``: an uploaded file, checked to
    really be a PDF and stored; ``remove_file`` drops the stored one. A resource needs a link
    or a document."""
    new_file = None
    if pdf is not None and getattr(pdf, "filename", ""):
        new_file = uploads.check_pdf(pdf, field="file")
    keeps_file = bool(resource.file_name) and not remove_file
    if not data.link_url and new_file is None and not keeps_file:
        raise ResourceError(_l("Give a link or a PDF document."), field="link_url")
    for key, value in vars(data).items():
        setattr(resource, key, value if value != "" else None)
    resource.kind = ResourceKind(data.kind)
    resource.audience = Audience(data.audience)
    if new_file is not None or remove_file:
        uploads.remove(resource.file_name)
        resource.file_name = resource.file_size = None
    if new_file is not None:
        resource.file_name = uploads.store(new_file, "pdf")
        resource.file_size = len(new_file)
    return resource


def public_query(*, kind=None, language=None, audience=None):
    """Published resources, filtered; unknown filter values are ignored."""
    query = select(Resource).where(Resource.published.is_(True))
    if kind in ResourceKind.__members__:
        query = query.where(Resource.kind == ResourceKind(kind))
    if language in ("fr", "en"):
        query = query.where(Resource.content_language == language)
    if audience in Audience.__members__:
        query = query.where(Resource.audience == Audience(audience))
    return query.order_by(Resource.created_at.desc(), Resource.id.desc())


def delete_resource(resource: Resource) -> None:
    from communaute.extensions import db

    uploads.remove(resource.file_name)
    db.session.delete(resource)
