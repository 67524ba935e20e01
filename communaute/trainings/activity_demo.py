"""Demo steps for the self-paced activity of the demo catalog. Idempotent."""

from __future__ import annotations

from sqlalchemy import select

from communaute.extensions import db
from communaute.trainings.activities import ActivityStep, StepKind
from communaute.trainings.models import Course

SLUG = "savoir-experientiel-a-son-rythme"

STEPS = [
    dict(
        kind=StepKind.reading,
        title="Qu’est-ce que le savoir expérientiel?",
        title_en="What is experiential knowledge?",
        body="Le savoir expérientiel, c’est ce que vous avez appris en vivant avec la maladie, "
        "ou auprès d’une personne malade : ce qui aide, ce qui nuit, ce qu’on ne lit dans "
        "aucun livre.\n\nDans un projet, ce savoir complète celui des chercheuses, des "
        "chercheurs et des cliniciennes et cliniciens.",
        body_en=None,
    ),
    dict(
        kind=StepKind.video,
        title="Capsule 1 : nommer ce que l’on sait",
        title_en="Capsule 1: naming what we know",
        body="**Transcription.** Bonjour, je m’appelle Louise. Quand on m’a demandé ce que je "
        "savais, j’ai d’abord répondu : rien. Puis j’ai fait la liste de ce que j’avais appris "
        "en dix ans de traitements...",
        body_en=None,
        link_url="https://experiences.example/capsules/savoir-experientiel/1",
        captions="fr",
    ),
    dict(
        kind=StepKind.resource,
        title="Le guide des patient(e)s-citoyen(ne)s partenaires en recherche",
        title_en=None,
        body="Lisez le chapitre 2, « Ce que vous apportez » (10 pages).",
        body_en="Read chapter 2, “What you bring” (10 pages, in French).",
        link_url="https://ressources.experiences.example/guide-patients-citoyens-partenaires",
    ),
    dict(
        kind=StepKind.reflection,
        title="À vous",
        title_en="Your turn",
        body="Nommez trois choses que votre expérience vous a apprises et qu’une équipe de "
        "recherche ne sait peut-être pas.",
        body_en="Name three things your experience taught you that a research team may not know.",
    ),
]


def load(coordinator, member) -> list[str]:
    course = db.session.scalar(select(Course).where(Course.slug == SLUG))
    if course is None:
        return []
    if db.session.scalar(select(ActivityStep.id).where(ActivityStep.course_id == course.id)):
        return []
    for position, values in enumerate(STEPS, start=1):
        db.session.add(ActivityStep(course_id=course.id, position=position, **values))
    db.session.flush()
    return [f"Activité autonome : {len(STEPS)} étapes"]
