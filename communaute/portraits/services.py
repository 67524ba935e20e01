"""The rules of portraits: shown only with a recorded consent; withdrawing hides at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from sqlalchemy import bindparam, func, select

from communaute import uploads
from communaute.auth.models import User
from communaute.db import utcnow
from communaute.email import normalise_address
from communaute.errors import DomainError
from communaute.extensions import db
from communaute.i18n import lazy_gettext as _l
from communaute.i18n import utc_to_local
from communaute.portraits.models import ConsentMove, Portrait, PortraitConsentMove


class PortraitError(DomainError):
    pass


@dataclass
class PortraitData:
    name: str
    role: str
    role_en: str | None
    quote: str
    quote_en: str | None
    photo_alt: str | None
    photo_alt_en: str | None
    published: bool


def save_portrait(
    portrait: Portrait,
    data: PortraitData,
    *,
    actor: User,
    photo=None,
    remove_photo: bool = False,
    account_email: str | None = None,
    consent: bool = False,
    consent_on: date | None = None,
    consent_note: str | None = None,
) -> Portrait:
    """Fills the portrait. A consent ticked where there was none is recorded (date, note,
    who recorded it); the photo is checked by Pillow and needs its text alternative."""
    new_photo = None
    if photo is not None and getattr(photo, "filename", ""):
        new_photo = uploads.check_picture(photo, field="photo")
    has_photo = new_photo is not None or (bool(portrait.photo_name) and not remove_photo)
    if has_photo and not data.photo_alt:
        raise PortraitError(_l("Describe the photo for people who do not see it."),
                            field="photo_alt")  # fmt: skip
    person = None
    if account_email:
        person = db.session.scalar(
            select(User).where(User.email == normalise_address(account_email))
        )
        if person is None:
            raise PortraitError(_l("No account has this address."), field="account_email")
    if consent and not portrait.has_consent:
        if consent_on is None:
            raise PortraitError(_l("Give the date of the consent."), field="consent_on")
        if consent_on > utc_to_local(utcnow())[0]:
            raise PortraitError(_l("The consent cannot be dated in the future."),
                                field="consent_on")  # fmt: skip
    for key, value in vars(data).items():
        setattr(portrait, key, value if value != "" else None)
    portrait.user_id = person.id if person is not None else None
    if new_photo is not None or remove_photo:
        uploads.remove(portrait.photo_name)
        portrait.photo_name = None
    if new_photo is not None:
        portrait.photo_name = uploads.store(*new_photo)
    if not has_photo:
        portrait.photo_alt = portrait.photo_alt_en = None
    db.session.add(portrait)
    if consent and not portrait.has_consent:
        record_consent(portrait, consent_on=consent_on, note=consent_note, actor=actor)
    return portrait


def record_consent(portrait: Portrait, *, consent_on: date, note: str | None, actor: User) -> None:
    portrait.consent_on = consent_on
    portrait.consent_note = note or None
    portrait.consent_recorded_by_id = actor.id
    portrait.withdrawn_at = portrait.withdrawn_by_id = None
    portrait.moves.append(
        PortraitConsentMove(
            move=ConsentMove.given, consent_on=consent_on, note=note or None, actor_id=actor.id
        )  # fmt: skip
    )


def withdraw_consent(portrait: Portrait, *, actor: User) -> None:
    """The portrait leaves the site at once. ``actor``: a coordinator recording it, or the
    member themself (only for their own portrait: the view checks it)."""
    if not portrait.has_consent:
        raise PortraitError(_l("The consent was already withdrawn."))
    portrait.withdrawn_at = utcnow()
    portrait.withdrawn_by_id = actor.id
    portrait.moves.append(PortraitConsentMove(move=ConsentMove.withdrawn, actor_id=actor.id))


def shown_query():
    return (
        select(Portrait)
        .where(
            Portrait.published.is_(True),
            Portrait.consent_on.is_not(None),
            Portrait.withdrawn_at.is_(None),
        )
        .order_by(Portrait.id)
    )


@cache
def _in_turn_statements():
    """How many portraits are shown, and the one at ``turn``: built once."""
    return (
        select(func.count()).select_from(shown_query().subquery()),
        shown_query().offset(bindparam("turn")).limit(1),
    )


def portrait_in_turn(now=None) -> Portrait | None:
    """One shown portrait, a different one each hour, in order."""
    count_statement, in_turn = _in_turn_statements()
    count = db.session.scalar(count_statement)
    if not count:
        return None
    hour = int((now or utcnow()).timestamp() // 3600)
    return db.session.scalars(in_turn, {"turn": hour % count}).first()


def portraits_of(user) -> list[Portrait]:
    return list(db.session.scalars(select(Portrait).where(Portrait.user_id == user.id)))


def delete_portrait(portrait: Portrait) -> None:
    uploads.remove(portrait.photo_name)
    db.session.delete(portrait)


def export_portraits(user) -> list[dict]:
    return [
        {
            "name": p.name,
            "role": p.role,
            "quote": p.quote,
            "consent_on": p.consent_on.isoformat() if p.consent_on else None,
            "consent_note": p.consent_note,
            "withdrawn_at": p.withdrawn_at.isoformat() if p.withdrawn_at else None,
            "moves": [{"move": m.move.value, "at": m.at.isoformat()} for m in p.moves],
        }
        for p in portraits_of(user)
    ]


def erase_portraits(user) -> None:
    """The person's portraits go, photo included; a coordinator's name leaves the consents
    they recorded (the dates stay)."""
    for portrait in portraits_of(user):
        delete_portrait(portrait)
    db.session.flush()
    for column in (Portrait.consent_recorded_by_id, Portrait.withdrawn_by_id):
        db.session.execute(db.update(Portrait).where(column == user.id).values({column.key: None}))
    db.session.execute(
        db.update(PortraitConsentMove)
        .where(PortraitConsentMove.actor_id == user.id)
        .values(actor_id=None)
    )
