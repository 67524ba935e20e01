"""Testimonies for the magazine: submissions, their consents, thread, audit and editions.

A testimony is sensitive health information: the author stays in control of it. Consents
are append-only rows with the exact words shown; every state change leaves an audit row.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from communaute.auth.models import User
from communaute.db import utcnow
from communaute.extensions import db
from communaute.i18n import lazy_gettext as _l

#: A generous limit: a long letter fits, a book does not.
TEXT_MAX = 20_000
TITLE_MAX = 200
PEN_NAME_MAX = 80
MESSAGE_MAX = 5_000


class SubmissionState(enum.StrEnum):
    draft = "draft"
    submitted = "submitted"
    in_review = "in_review"
    changes_requested = "changes_requested"
    accepted = "accepted"
    published = "published"
    declined = "declined"
    withdrawn = "withdrawn"


STATE_LABELS = {
    SubmissionState.draft: _l("Draft"),
    SubmissionState.submitted: _l("Submitted"),
    SubmissionState.in_review: _l("In review"),
    SubmissionState.changes_requested: _l("Changes requested"),
    SubmissionState.accepted: _l("Accepted"),
    SubmissionState.published: _l("Published"),
    SubmissionState.declined: _l("Declined"),
    SubmissionState.withdrawn: _l("Withdrawn"),
}


class Form(enum.StrEnum):
    testimony = "testimony"
    letter = "letter"
    poem = "poem"
    reflection = "reflection"
    other = "other"


FORM_LABELS = {
    Form.testimony: _l("Testimony"),
    Form.letter: _l("Letter"),
    Form.poem: _l("Poem"),
    Form.reflection: _l("Reflection"),
    Form.other: _l("Other form"),
}


class Perspective(enum.StrEnum):
    patient = "patient"
    caregiver = "caregiver"
    health_worker = "health_worker"
    other = "other"


PERSPECTIVE_LABELS = {
    Perspective.patient: _l("As a patient"),
    Perspective.caregiver: _l("As a caregiver"),
    Perspective.health_worker: _l("As a health worker"),
    Perspective.other: _l("Another perspective"),
}


class Byline(enum.StrEnum):
    full_name = "full_name"
    pen_name = "pen_name"
    anonymous = "anonymous"


BYLINE_LABELS = {
    Byline.full_name: _l("My name as in my account"),
    Byline.pen_name: _l("A pen name"),
    Byline.anonymous: _l("Anonymous (no name at all)"),
}


class ThirdParty(enum.StrEnum):
    """When the text speaks of another person: may they be written about?"""

    none = "none"
    agreed = "agreed"
    cannot_agree = "cannot_agree"
    deceased = "deceased"
    not_recognisable = "not_recognisable"


THIRD_PARTY_LABELS = {
    ThirdParty.none: _l("My text does not speak of another person"),
    ThirdParty.agreed: _l("The person agreed"),
    ThirdParty.cannot_agree: _l("The person cannot agree"),
    ThirdParty.deceased: _l("The person has died"),
    ThirdParty.not_recognisable: _l("The person cannot be recognised"),
}


class ConsentPurpose(enum.StrEnum):
    web = "web"
    print = "print"
    training = "training"
    contact = "contact"


CONSENT_LABELS = {
    ConsentPurpose.web: _l("Publication on the website"),
    ConsentPurpose.print: _l("Printed edition of the magazine"),
    ConsentPurpose.training: _l("Training of clinicians and researchers"),
    ConsentPurpose.contact: _l("Being contacted by the team"),
}


class RevisionState(enum.StrEnum):
    pending = "pending"
    approved = "approved"
    answered = "answered"


submission_themes = Table(
    "magazine_submission_themes",
    db.metadata,
    Column(
        "submission_id",
        Integer,
        ForeignKey("magazine_submissions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "theme_id", Integer, ForeignKey("magazine_themes.id", ondelete="CASCADE"), primary_key=True
    ),
)


class Theme(db.Model):
    """A tag coordinators maintain (e.g. « Proches aidants »)."""

    __tablename__ = "magazine_themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)


class Edition(db.Model):
    """A numbered issue of the magazine, e.g. « Numéro 12, automne 2026 »."""

    __tablename__ = "magazine_editions"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    #: What readers see: « Numéro 12, automne 2026 ».
    label: Mapped[str] = mapped_column(String(120))
    editorial: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    submissions: Mapped[list[Submission]] = relationship(back_populates="edition")


class Submission(db.Model):
    __tablename__ = "magazine_submissions"
    __table_args__ = (
        # By state (the review queues), and the published ones newest first (the magazine
        # and the home read a page of them in this index's order, without a sort).
        Index("ix_magazine_submissions_state_published", "state", "published_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    text: Mapped[str] = mapped_column(Text)
    form: Mapped[Form] = mapped_column(db.Enum(Form, native_enum=False, length=30))
    perspective: Mapped[Perspective] = mapped_column(
        db.Enum(Perspective, native_enum=False, length=30)
    )
    language: Mapped[str] = mapped_column(String(2), default="fr")
    byline: Mapped[Byline] = mapped_column(db.Enum(Byline, native_enum=False, length=30))
    #: Only when byline is pen_name.
    pen_name: Mapped[str | None] = mapped_column(String(PEN_NAME_MAX))
    #: Shown to coordinators as a flag when another person may be recognised.
    third_party: Mapped[ThirdParty] = mapped_column(
        db.Enum(ThirdParty, native_enum=False, length=30), default=ThirdParty.none
    )
    state: Mapped[SubmissionState] = mapped_column(
        db.Enum(SubmissionState, native_enum=False, length=30),
        default=SubmissionState.draft,
    )
    edition_id: Mapped[int | None] = mapped_column(
        ForeignKey("magazine_editions.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Last time the state changed: the review queue sorts by it (age in the state).
    state_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]

    author: Mapped[User] = relationship()
    edition: Mapped[Edition | None] = relationship(back_populates="submissions")
    themes: Mapped[list[Theme]] = relationship(secondary=submission_themes, order_by="Theme.name")
    consents: Mapped[list[SubmissionConsent]] = relationship(
        back_populates="submission",
        cascade="all, delete-orphan",
        order_by="SubmissionConsent.id",
    )
    messages: Mapped[list[SubmissionMessage]] = relationship(
        back_populates="submission",
        cascade="all, delete-orphan",
        order_by="SubmissionMessage.id",
    )
    changes: Mapped[list[StateChange]] = relationship(
        back_populates="submission",
        cascade="all, delete-orphan",
        order_by="StateChange.id",
    )
    revisions: Mapped[list[TextRevision]] = relationship(
        back_populates="submission",
        cascade="all, delete-orphan",
        order_by="TextRevision.id",
    )

    @property
    def state_label(self):
        return STATE_LABELS[self.state]

    @property
    def form_label(self):
        return FORM_LABELS[self.form]

    @property
    def perspective_label(self):
        return PERSPECTIVE_LABELS[self.perspective]

    @property
    def third_party_label(self):
        return THIRD_PARTY_LABELS[self.third_party]

    @property
    def byline_text(self) -> str | None:
        """The signature as the author chose it; None when anonymous (no name anywhere)."""
        if self.byline == Byline.full_name:
            return self.author.display_name
        if self.byline == Byline.pen_name:
            return self.pen_name
        return None

    @property
    def is_public(self) -> bool:
        return self.state == SubmissionState.published

    def current_consents(self) -> dict[ConsentPurpose, SubmissionConsent]:
        """Latest row per purpose: rows are only added, the newest wins."""
        latest: dict[ConsentPurpose, SubmissionConsent] = {}
        for row in self.consents:
            latest[row.purpose] = row
        return latest

    def consent_granted(self, purpose: ConsentPurpose) -> bool:
        row = self.current_consents().get(purpose)
        return bool(row and row.granted)

    @property
    def pending_revision(self) -> TextRevision | None:
        for rev in self.revisions:
            if rev.state == RevisionState.pending:
                return rev
        return None

    def visible_to(self, user) -> bool:
        """The author and coordinators see it whatever its state."""
        if user is None or not user.is_authenticated:
            return False
        return user.id == self.author_id or user.is_coordinator


class SubmissionConsent(db.Model):
    """One consent given or withdrawn for one use of one testimony. Never updated."""

    __tablename__ = "magazine_submission_consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("magazine_submissions.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[ConsentPurpose] = mapped_column(
        db.Enum(ConsentPurpose, native_enum=False, length=30)
    )
    granted: Mapped[bool]
    #: The exact words the author saw, and their version.
    text: Mapped[str] = mapped_column(Text)
    version: Mapped[str] = mapped_column(String(20))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    submission: Mapped[Submission] = relationship(back_populates="consents")

    @property
    def label(self):
        return CONSENT_LABELS[self.purpose]


class SubmissionMessage(db.Model):
    """The thread between the author and the team."""

    __tablename__ = "magazine_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("magazine_submissions.id", ondelete="CASCADE"), index=True
    )
    #: Who wrote it; kept empty if that account is later deleted.
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: True when written by a coordinator (the author sees « L'équipe »).
    from_team: Mapped[bool] = mapped_column(default=False)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    submission: Mapped[Submission] = relationship(back_populates="messages")
    sender: Mapped[User | None] = relationship()


class StateChange(db.Model):
    """Audit trail: who moved the submission from which state to which, and when."""

    __tablename__ = "magazine_state_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("magazine_submissions.id", ondelete="CASCADE"), index=True
    )
    from_state: Mapped[SubmissionState | None] = mapped_column(
        db.Enum(SubmissionState, native_enum=False, length=30)
    )
    to_state: Mapped[SubmissionState] = mapped_column(
        db.Enum(SubmissionState, native_enum=False, length=30)
    )
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)

    submission: Mapped[Submission] = relationship(back_populates="changes")
    by: Mapped[User | None] = relationship()


class TextRevision(db.Model):
    """A coordinator's edit of the text, waiting for the author's approval."""

    __tablename__ = "magazine_text_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("magazine_submissions.id", ondelete="CASCADE"), index=True
    )
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    old_text: Mapped[str] = mapped_column(Text)
    new_text: Mapped[str] = mapped_column(Text)
    state: Mapped[RevisionState] = mapped_column(
        db.Enum(RevisionState, native_enum=False, length=20), default=RevisionState.pending
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]

    submission: Mapped[Submission] = relationship(back_populates="revisions")
