"""Demo testimonies: a living magazine for a newcomer's `make run`. Idempotent (by title)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from communaute.db import utcnow
from communaute.extensions import db
from communaute.magazine.models import (
    Byline,
    ConsentPurpose,
    Edition,
    Form,
    Perspective,
    StateChange,
    Submission,
    SubmissionConsent,
    SubmissionState,
    Theme,
    ThirdParty,
)
from communaute.magazine.services import CONSENT_VERSION

THEMES = ["Proches aidants", "Santé mentale", "Maladie chronique", "Fin de vie", "Urgence"]

CONSENT_WORDS = {
    ConsentPurpose.web: "J'accepte qu'Expériences publie mon texte sur son site Web, signé comme "
    "je l'ai choisi.",
    ConsentPurpose.print: "J'accepte que mon texte paraisse dans l'édition imprimée du magazine.",
    ConsentPurpose.training: "J'accepte que mon texte serve à la formation de cliniciens et de "
    "chercheurs.",
    ConsentPurpose.contact: "J'accepte que l'équipe me contacte à propos de mon texte.",
}

TESTIMONIES = [
    {
        "title": "Les nuits de garde de ma mère",
        "form": Form.testimony,
        "perspective": Perspective.caregiver,
        "byline": Byline.pen_name,
        "pen_name": "Lavande",
        "third_party": ThirdParty.agreed,
        "themes": ["Proches aidants", "Maladie chronique"],
        "days": 12,
        "edition": True,
        "text": (
            "Pendant deux hivers, j'ai dormi plus souvent sur la chaise pliante de l'hôpital "
            "que dans mon lit. Ma mère avait peur la nuit, alors je restais.\n\n"
            "Ce que j'aurais aimé savoir au début : on a le droit de demander de l'aide. "
            "L'infirmière de nuit m'a appris à dire « je suis épuisée » sans avoir honte.\n\n"
            "Aujourd'hui, je raconte ça pour que d'autres proches aidants sachent qu'ils "
            "ne sont pas seuls."
        ),
    },
    {
        "title": "Lettre à mon médecin de famille",
        "form": Form.letter,
        "perspective": Perspective.patient,
        "byline": Byline.full_name,
        "pen_name": None,
        "third_party": ThirdParty.none,
        "themes": ["Maladie chronique"],
        "days": 9,
        "edition": True,
        "text": (
            "Docteure,\n\n"
            "Merci d'avoir pris le temps, ce mardi de mars, de me demander comment j'allais "
            "vraiment. Pas mon taux de sucre : moi.\n\n"
            "Cette question a changé la façon dont je vis avec mon diabète. Je ne suis plus "
            "une liste de résultats, je suis une partenaire dans mes soins.\n\n"
            "Avec reconnaissance,"
        ),
    },
    {
        "title": "Salle d'attente",
        "form": Form.poem,
        "perspective": Perspective.patient,
        "byline": Byline.anonymous,
        "pen_name": None,
        "third_party": ThirdParty.none,
        "themes": ["Urgence", "Santé mentale"],
        "days": 5,
        "edition": False,
        "text": (
            "Les chaises orange alignées,\n"
            "le néon qui hésite,\n"
            "mon nom qu'on ne dit pas encore.\n\n"
            "J'apprends la patience\n"
            "comme on apprend une langue :\n"
            "un mot à la fois, une heure à la fois."
        ),
    },
    {
        "title": "Ce que la recherche m'a redonné",
        "form": Form.reflection,
        "perspective": Perspective.patient,
        "byline": Byline.pen_name,
        "pen_name": "Héron bleu",
        "third_party": ThirdParty.none,
        "themes": ["Santé mentale"],
        "days": 2,
        "edition": False,
        "text": (
            "Quand on m'a invité à siéger au comité d'un projet de recherche sur la dépression, "
            "j'ai d'abord cru qu'on me demandait de témoigner, puis de me taire.\n\n"
            "C'est l'inverse qui s'est produit : mes questions ont changé le questionnaire. "
            "Mon expérience est devenue une expertise. Plus d'information : "
            "https://experiences.example/partenariat"
        ),
    },
]

SUBMITTED = {
    "title": "Accompagner papa jusqu'au bout",
    "form": Form.testimony,
    "perspective": Perspective.caregiver,
    "byline": Byline.full_name,
    "pen_name": None,
    "third_party": ThirdParty.deceased,
    "themes": ["Fin de vie", "Proches aidants"],
    "text": (
        "Mon père est mort à la maison, comme il le voulait. L'équipe de soins palliatifs "
        "venait chaque matin.\n\nJe veux dire merci à Louise, l'infirmière du CLSC."
    ),
}


def _theme(name: str) -> Theme:
    theme = db.session.scalar(select(Theme).where(Theme.name == name))
    if theme is None:
        theme = Theme(name=name)
        db.session.add(theme)
        db.session.flush()
    return theme


def _submission(spec: dict, author, coordinator, state: SubmissionState, edition=None):
    now = utcnow()
    sent_at = now - timedelta(days=spec.get("days", 1) + 7)
    sub = Submission(
        author_id=author.id,
        author=author,
        title=spec["title"],
        text=spec["text"],
        form=spec["form"],
        perspective=spec["perspective"],
        language="fr",
        byline=spec["byline"],
        pen_name=spec["pen_name"],
        third_party=spec["third_party"],
        state=state,
        created_at=sent_at,
        submitted_at=sent_at,
        state_changed_at=now - timedelta(days=spec.get("days", 1)),
        themes=[_theme(n) for n in spec["themes"]],
        edition=edition,
    )
    for purpose, words in CONSENT_WORDS.items():
        sub.consents.append(
            SubmissionConsent(
                purpose=purpose,
                granted=purpose in (ConsentPurpose.web, ConsentPurpose.print),
                text=words,
                version=CONSENT_VERSION,
                recorded_at=sent_at,
            )
        )
    sub.changes.append(
        StateChange(
            from_state=SubmissionState.draft,
            to_state=SubmissionState.submitted,
            by_id=author.id,
            at=sent_at,
        )
    )
    if state == SubmissionState.published:
        published_at = now - timedelta(days=spec["days"])
        sub.published_at = published_at
        for frm, to in (
            (SubmissionState.submitted, SubmissionState.accepted),
            (SubmissionState.accepted, SubmissionState.published),
        ):
            sub.changes.append(
                StateChange(from_state=frm, to_state=to, by_id=coordinator.id, at=published_at)
            )
    db.session.add(sub)
    return sub


def load(coordinator, member) -> list[str]:
    said = []
    for name in THEMES:
        _theme(name)
    edition = db.session.scalar(select(Edition).where(Edition.number == 12))
    if edition is None:
        edition = Edition(
            number=12,
            label="Numéro 12, automne 2026",
            editorial=(
                "Ce numéro d'automne donne la parole aux proches aidants et aux personnes qui "
                "vivent avec une maladie chronique. Merci à chaque personne qui a osé écrire."
            ),
            published_at=utcnow() - timedelta(days=9),
        )
        db.session.add(edition)
        db.session.flush()
    added = 0
    for spec in TESTIMONIES:
        if db.session.scalar(select(Submission.id).where(Submission.title == spec["title"])):
            continue
        _submission(
            spec,
            member,
            coordinator,
            SubmissionState.published,
            edition=edition if spec["edition"] else None,
        )
        added += 1
    if not db.session.scalar(select(Submission.id).where(Submission.title == SUBMITTED["title"])):
        _submission(SUBMITTED, member, coordinator, SubmissionState.submitted)
        added += 1
    db.session.flush()
    said.append(f"Magazine : {added} témoignage(s) ajouté(s), numéro 12, {len(THEMES)} thèmes.")
    return said
