"""Demo portraits, each with its recorded consent. Idempotent (by name)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from communaute.extensions import db
from communaute.portraits import services
from communaute.portraits.models import Portrait

PORTRAITS = [
    dict(
        name="Mathieu Lavoie",
        role="Patient partenaire",
        role_en="Patient partner",
        quote="J’avais une espérance de vie de 18 ans, et j’en ai aujourd’hui 45. Ce que j’ai "
        "appris en chemin, je le mets au service de la recherche.",
        quote_en="I had a life expectancy of 18 years, and now I’m 45. What I learned along "
        "the way, I put at the service of research.",
        consent_on=date(2025, 9, 15),
    ),
    dict(
        name="Louise Bélanger",
        role="Patiente partenaire",
        role_en="Patient partner",
        quote="Ma voix change les questions que l’on pose.",
        quote_en=None,
        consent_on=date(2025, 10, 2),
    ),
    dict(
        name="Nadia Haddad",
        role="Proche aidante partenaire",
        role_en="Caregiver partner",
        quote="Accompagner ma mère m’a appris ce que les chiffres ne disent pas.",
        quote_en="Caring for my mother taught me what numbers do not say.",
        consent_on=date(2025, 11, 20),
    ),
]


def load(coordinator) -> list[str]:
    added = 0
    for values in PORTRAITS:
        values = dict(values)
        consent_on = values.pop("consent_on")
        if db.session.scalar(select(Portrait.id).where(Portrait.name == values["name"])):
            continue
        portrait = Portrait(published=True, **values)
        db.session.add(portrait)
        services.record_consent(portrait, consent_on=consent_on,
                                note="Formulaire de consentement signé", actor=coordinator)  # fmt: skip
        added += 1
    db.session.flush()
    return [f"Portraits : {added} ajoutés"] if added else []
