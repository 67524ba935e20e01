"""Attestations of attendance: issued by coordinators for a session, or by itself when a
member completes a self-paced activity; checked by anyone.

A certificate keeps what it attests as it was when issued (the full name, the course, the
date, the hours), so a later edit of the course does not change a signed paper. Its code is
random and public (printed on the PDF); /certificates/<code> says whether it is genuine and
for whom. When the account is deleted, the name goes and the code answers "no longer valid".
"""

from __future__ import annotations

import secrets
from datetime import datetime
from pathlib import Path

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import ForeignKey, String, select, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from communaute.auth.models import User
from communaute.db import utcnow
from communaute.errors import DomainError
from communaute.extensions import db
from communaute.i18n import REGIONAL, format_local
from communaute.i18n import lazy_gettext as _l
from communaute.seats import SeatState
from communaute.trainings.models import Registration, TrainingSession

ORGANISATION = "Expériences"
#: Letters that cannot be misread (no 0/O, 1/I/L).
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu")


SESSION, ACTIVITY = "session", "activity"


class CertificateError(DomainError):
    pass


class Certificate(db.Model):
    __tablename__ = "coordination_certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    #: None once the account is deleted (the code then answers "no longer valid").
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("training_registrations.id", ondelete="SET NULL"), unique=True
    )
    #: "session" (attended a session), or "activity" (completed a self-paced activity).
    kind: Mapped[str] = mapped_column(String(10), default=SESSION, server_default=SESSION)
    full_name: Mapped[str] = mapped_column(String(120))
    course_title: Mapped[str] = mapped_column(String(200))
    #: The start of the session, or the moment the activity was completed.
    session_start: Mapped[datetime]
    #: The length of the session (0 for an activity: its ``duration`` says it in words).
    minutes: Mapped[int]
    #: An activity's announced length as the course gives it (« Environ 2 heures »).
    duration: Mapped[str] = mapped_column(String(100), default="", server_default="")
    language: Mapped[str] = mapped_column(String(2), default="fr")
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None]

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None and self.user_id is not None

    @property
    def for_activity(self) -> bool:
        return self.kind == ACTIVITY


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(12))
    return f"EXP-{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def issue_for_session(session: TrainingSession, *, actor, now: datetime | None = None) -> int:
    """A certificate for each confirmed person marked present who has none yet. Raises
    CertificateError before the session has started. Returns how many were issued."""
    now = now or utcnow()
    if session.starts_at > now:
        raise CertificateError(_l("Certificates can be issued once the session has taken place."))
    regs = db.session.scalars(
        select(Registration)
        .outerjoin(Certificate, Certificate.registration_id == Registration.id)
        .where(
            Registration.session_id == session.id,
            Registration.state == SeatState.confirmed,
            Registration.attended.is_(True),
            Certificate.id.is_(None),
        )
        .order_by(Registration.id)
    ).all()
    minutes = int((session.ends_at - session.starts_at).total_seconds() // 60)
    for reg in regs:
        db.session.add(
            Certificate(
                code=new_code(),
                user_id=reg.user_id,
                registration_id=reg.id,
                full_name=reg.user.full_name or reg.user.display_name,
                course_title=session.course.title,
                session_start=session.starts_at,
                minutes=minutes,
                language=reg.user.language,
                issued_at=now,
                issued_by_id=actor.id,
            )
        )
    db.session.flush()
    return len(regs)


def issue_for_completion(completion, *, now: datetime | None = None) -> Certificate:
    """The attestation of a completed self-paced activity (``ActivityCompletion``), issued
    once: a second call returns the one already issued. No coordinator signs it: the
    completion of every step is what it attests."""
    reg = completion.registration
    existing = db.session.scalar(select(Certificate).where(Certificate.registration_id == reg.id))
    if existing is not None:
        return existing
    cert = Certificate(
        code=new_code(),
        kind=ACTIVITY,
        user_id=reg.user_id,
        registration_id=reg.id,
        full_name=reg.user.full_name or reg.user.display_name,
        course_title=reg.course.title,
        session_start=completion.completed_at or now or utcnow(),
        minutes=0,
        duration=(reg.course.duration or "")[:100],
        language=reg.user.language,
        issued_at=now or utcnow(),
    )
    db.session.add(cert)
    db.session.flush()
    return cert


def certificate_of_registration(registration_id: int | None) -> Certificate | None:
    if registration_id is None:
        return None
    return db.session.scalar(
        select(Certificate).where(
            Certificate.registration_id == registration_id, Certificate.revoked_at.is_(None)
        )
    )


def certificates_of(user) -> list[Certificate]:
    return list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.user_id == user.id)
            .order_by(Certificate.session_start.desc())
        )
    )


def hours_text(minutes: int, language: str) -> str:
    with force_locale(REGIONAL[language]):
        hours, rest = divmod(minutes, 60)
        if rest:
            return _("%(h)d h %(m)02d", h=hours, m=rest)
        return _("%(h)d h", h=hours)


def _font(pdf) -> str:
    for folder in FONT_DIRS:
        regular, bold = Path(folder) / "DejaVuSans.ttf", Path(folder) / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            pdf.add_font("DejaVu", "", str(regular))
            pdf.add_font("DejaVu", "B", str(bold))
            return "DejaVu"
    return "Helvetica"  # Latin-1 only: French letters are in it; typographic quotes are not


def render_pdf(cert: Certificate, verify_url: str) -> bytes:
    """The attestation as a one-page PDF, in the person's language."""
    from fpdf import FPDF

    language = cert.language if cert.language in ("fr", "en") else "fr"
    pdf = FPDF(orientation="L", format="Letter")
    pdf.set_title(str(_l("Attestation of attendance")))
    pdf.add_page()
    family = _font(pdf)

    def text(value: str) -> str:
        if family == "DejaVu":
            return value
        return value.replace("’", "'").replace("«", '"').replace("»", '"').replace("\u00a0", " ")

    with force_locale(REGIONAL[language]):
        pdf.set_font(family, "B", 28)
        pdf.ln(20)
        pdf.cell(
            0, 16, text(_("Attestation of attendance")), align="C", new_x="LMARGIN", new_y="NEXT"
        )
        pdf.set_font(family, "", 16)
        pdf.ln(8)
        pdf.cell(
            0,
            10,
            text(_("%(org)s certifies that", org=ORGANISATION)),
            align="C",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.set_font(family, "B", 22)
        pdf.cell(0, 14, text(cert.full_name), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, "", 16)
        done = (
            _("completed the self-paced activity")
            if cert.for_activity
            else _("took part in the training")
        )
        pdf.cell(0, 10, text(done), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, "B", 18)
        pdf.multi_cell(
            0, 11, text(f"« {cert.course_title} »"), align="C", new_x="LMARGIN", new_y="NEXT"
        )
        pdf.set_font(family, "", 14)
        date = format_local(cert.session_start, "date", language)
        if cert.for_activity:
            when = (
                _("on %(date)s (length: %(duration)s).", date=date, duration=cert.duration)
                if cert.duration
                else _("on %(date)s.", date=date)
            )
        else:
            when = _(
                "on %(date)s, for %(hours)s.", date=date, hours=hours_text(cert.minutes, language)
            )
        pdf.multi_cell(0, 10, text(when), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(14)
        pdf.set_font(family, "", 11)
        pdf.cell(
            0,
            7,
            text(
                _(
                    "Issued on %(date)s. Verification code: %(code)s",
                    date=format_local(cert.issued_at, "date", language),
                    code=cert.code,
                )
            ),
            align="C",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.cell(
            0,
            7,
            text(_("Check it at %(url)s", url=verify_url)),
            align="C",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    return bytes(pdf.output())


def export_certificates(user) -> list[dict]:
    return [
        {
            "code": c.code,
            "kind": c.kind,
            "full_name": c.full_name,
            "course": c.course_title,
            "date": c.session_start.isoformat(),
            "minutes": c.minutes,
            "duration": c.duration,
            "issued_at": c.issued_at.isoformat(),
        }
        for c in certificates_of(user)
    ]


def erase_certificates(user) -> None:
    """The codes stay (a printed copy may be checked) but answer "no longer valid"; the
    name they carried goes with the account."""
    db.session.execute(
        update(Certificate)
        .where(Certificate.user_id == user.id)
        .values(user_id=None, full_name="", revoked_at=utcnow())
    )
    db.session.execute(
        update(Certificate).where(Certificate.issued_by_id == user.id).values(issued_by_id=None)
    )
