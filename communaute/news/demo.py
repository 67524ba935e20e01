"""Demo news: three published posts, one scheduled, one draft. Idempotent (by title)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from communaute.db import utcnow
from communaute.extensions import db
from communaute.news.models import NewsPost

POSTS = [
    dict(
        days=-40,
        title="Lancement de l’énoncé de position sur le partenariat",
        title_en="Launch of the position statement on partnership",
        body="La communauté Expériences a adopté le **27 août 2025** son énoncé de position "
        "sur le partenariat en santé et services sociaux.\n\n"
        "Il propose cinq recommandations. [Lire l’énoncé](/publications/).",
        body_en="On **27 August 2025** the Expériences community adopted its position "
        "statement on partnership in health and social services.\n\n"
        "It makes five recommendations. [Read the statement](/publications/).",
    ),
    dict(
        days=-12,
        title="Le système de santé apprenant, expliqué en une minute",
        title_en=None,
        body="Une nouvelle vidéo de 60 secondes explique ce qu’est un système de santé "
        "apprenant, et la place qu’y prennent les patientes et patients partenaires.\n\n"
        "- sous-titrée en anglais;\n- avec sa transcription.",
        body_en=None,
    ),
    dict(
        days=-3,
        title="Nouvelle cohorte de patientes et patients partenaires",
        title_en="A new cohort of patient partners",
        body="Vingt personnes ont terminé la formation d’introduction cet automne. "
        "Bienvenue à toutes et à tous!",
        body_en="Twenty people completed the introductory training this fall. Welcome!",
    ),
    dict(
        days=10,
        title="Appel à témoignages pour le magazine d’hiver",
        title_en=None,
        body="Le magazine d’hiver portera sur les proches aidants. Écrivez-nous!",
        body_en=None,
    ),
    dict(
        days=None,
        title="Brouillon : bilan de l’année",
        title_en=None,
        body="À compléter.",
        body_en=None,
    ),
]


def load(coordinator) -> list[str]:
    added = 0
    now = utcnow()
    for values in POSTS:
        values = dict(values)
        days = values.pop("days")
        if db.session.scalar(select(NewsPost.id).where(NewsPost.title == values["title"])):
            continue
        published_at = None if days is None else now + timedelta(days=days)
        db.session.add(NewsPost(author_id=coordinator.id, published_at=published_at, **values))
        added += 1
    db.session.flush()
    return [f"Nouvelles : {added} ajoutées"] if added else []
