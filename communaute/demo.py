"""Demo content: a living site for a newcomer's `make run`. Idempotent."""

from collections.abc import Iterator

from sqlalchemy import select

from communaute.auth.models import Participation, Role, User
from communaute.auth.services import hash_password, record_consent
from communaute.db import utcnow
from communaute.extensions import db
from communaute.registry import demo_loaders

DEMO_COORDINATOR = ("coordination@experiences.example", "partenaires-demo-2026")
DEMO_MEMBER = ("sylvie.gagnon@exemple.ca", "jardin-de-lilas-2026")


def _account(email: str, password: str, name: str, role: Role, participation) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(
            email=email,
            display_name=name,
            password_hash=hash_password(password),
            role=role,
            language="fr",
            participation=participation,
            confirmed_at=utcnow(),
        )
        db.session.add(user)
        record_consent(
            user,
            "privacy_policy",
            granted=True,
            version="2026-11",
            text="Compte de démonstration.",
        )
        db.session.flush()
    return user


def load_demo() -> Iterator[str]:
    coordinator = _account(*DEMO_COORDINATOR, "Coordination Expériences", Role.coordinator, None)
    member = _account(*DEMO_MEMBER, "Sylvie Gagnon", Role.member, Participation.caregiver)
    for loader in demo_loaders():
        yield from loader.load(coordinator, member)
    db.session.commit()
    yield f"Coordination : {DEMO_COORDINATOR[0]} / mot de passe : {DEMO_COORDINATOR[1]}"
    yield f"Membre : {DEMO_MEMBER[0]} / mot de passe : {DEMO_MEMBER[1]}"
