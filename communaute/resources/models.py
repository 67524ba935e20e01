"""Recommended readings and viewings. Titles and descriptions in French, optionally English."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from communaute.db import utcnow
from communaute.extensions import db
from communaute.i18n import lazy_gettext as _l

TITLE_MAX = 300
DESCRIPTION_MAX = 3_000
TRANSCRIPT_MAX = 100_000


class ResourceKind(enum.StrEnum):
    guide = "guide"
    white_paper = "white_paper"
    video = "video"
    podcast = "podcast"
    web_page = "web_page"


KIND_LABELS = {
    ResourceKind.guide: _l("Guide"),
    ResourceKind.white_paper: _l("White paper"),
    ResourceKind.video: _l("Video"),
    ResourceKind.podcast: _l("Podcast"),
    ResourceKind.web_page: _l("Web page"),
}


class Audience(enum.StrEnum):
    everyone = "everyone"
    patient_partners = "patient_partners"
    researchers = "researchers"
    health_workers = "health_workers"


AUDIENCE_LABELS = {
    Audience.everyone: _l("Everyone discovering patient partnership"),
    Audience.patient_partners: _l("Patient partners and caregivers"),
    Audience.researchers: _l("Researchers"),
    Audience.health_workers: _l("Clinicians and health and social services teams"),
}

LANGUAGE_LABELS = {"fr": _l("French"), "en": _l("English")}
#: "Document en français", "Vidéo en anglais": what the visitor will read or hear.
CONTENT_LANGUAGE_LABELS = {
    ("document", "fr"): _l("Document in French"),
    ("document", "en"): _l("Document in English"),
    ("video", "fr"): _l("Video in French"),
    ("video", "en"): _l("Video in English"),
    ("audio", "fr"): _l("Audio in French"),
    ("audio", "en"): _l("Audio in English"),
}
SUBTITLE_LABELS = {"fr": _l("Subtitles in French"), "en": _l("Subtitles in English")}


class Resource(db.Model):
    __tablename__ = "resources"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    kind: Mapped[ResourceKind] = mapped_column(
        db.Enum(ResourceKind, native_enum=False, length=20), index=True
    )
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    title_en: Mapped[str | None] = mapped_column(String(TITLE_MAX))
    description: Mapped[str] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    #: The language of the document or of what is said in the video: "fr" or "en".
    content_language: Mapped[str] = mapped_column(String(2), index=True)
    #: The language of a video's subtitles, when it has some.
    subtitle_language: Mapped[str | None] = mapped_column(String(2))
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    page_count: Mapped[int | None] = mapped_column(Integer)
    audience: Mapped[Audience] = mapped_column(
        db.Enum(Audience, native_enum=False, length=30), index=True
    )
    #: Where the resource lives (a video host, a publisher's page). Entered by coordinators.
    link_url: Mapped[str | None] = mapped_column(String(500))
    #: The uploaded PDF's stored name (communaute/uploads.py), when there is one.
    file_name: Mapped[str | None] = mapped_column(String(64))
    file_size: Mapped[int | None] = mapped_column(Integer)
    transcript: Mapped[str | None] = mapped_column(Text)
    published: Mapped[bool] = mapped_column(Boolean, default=True, index=True)

    @property
    def kind_label(self):
        return KIND_LABELS[self.kind]

    @property
    def audience_label(self):
        return AUDIENCE_LABELS[self.audience]

    @property
    def medium(self) -> str:
        if self.kind == ResourceKind.video:
            return "video"
        if self.kind == ResourceKind.podcast:
            return "audio"
        return "document"

    @property
    def language_label(self):
        return CONTENT_LANGUAGE_LABELS[(self.medium, self.content_language)]

    @property
    def subtitle_label(self):
        return SUBTITLE_LABELS.get(self.subtitle_language or "")
