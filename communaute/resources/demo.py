"""Demo resources: the readings and viewings the community recommends. Idempotent (by title).

The links point at a demonstration address: the real ones are entered by the coordinators.
"""

from __future__ import annotations

from sqlalchemy import select

from communaute.extensions import db
from communaute.resources.models import Audience, Resource, ResourceKind

DEMO = "https://ressources.experiences.example/"

RESOURCES = [
    dict(
        kind=ResourceKind.guide,
        title="Le guide des patient(e)s-citoyen(ne)s partenaires en recherche",
        title_en="Guide for patient and citizen partners in research",
        description="Un guide pratique pour les personnes qui s’engagent comme patientes ou "
        "citoyennes partenaires dans un projet de recherche : les rôles, les étapes, les "
        "questions à poser avant de dire oui.",
        description_en=None,
        content_language="fr",
        page_count=48,
        audience=Audience.patient_partners,
        link_url=DEMO + "guide-patients-citoyens-partenaires",
    ),
    dict(
        kind=ResourceKind.guide,
        title="Feuille de route pour le partenariat avec les patients, les familles et les "
        "proches aidants dans un système de santé apprenant",
        title_en="Roadmap for partnering with patients, families, and caregivers in a "
        "Learning Health System",
        description="Une feuille de route, en anglais, pour associer patients, familles et "
        "proches aidants à chaque étape d’un système de santé apprenant.",
        description_en="A roadmap for involving patients, families and caregivers at every "
        "step of a learning health system.",
        content_language="en",
        page_count=32,
        audience=Audience.researchers,
        link_url=DEMO + "roadmap-learning-health-system",
    ),
    dict(
        kind=ResourceKind.white_paper,
        title="Livre blanc sur le partenariat avec les patient(e)s et le public",
        title_en="White paper on partnership with patients and the public",
        description="Le livre blanc de la communauté : pourquoi et comment travailler en "
        "partenariat avec les patientes, les patients et le public en santé et services "
        "sociaux.",
        description_en=None,
        content_language="fr",
        page_count=60,
        audience=Audience.everyone,
        link_url=DEMO + "livre-blanc-partenariat",
    ),
    dict(
        kind=ResourceKind.video,
        title="Qu’est-ce qu’être patient(e) partenaire?",
        title_en="What does it mean to be a patient partner?",
        description="Des patientes et patients partenaires racontent ce qu’ils font, et ce que "
        "cela change pour eux et pour la recherche.",
        description_en="Patient partners tell what they do, and what it changes for them and "
        "for research.",
        content_language="fr",
        duration_minutes=6,
        audience=Audience.everyone,
        link_url=DEMO + "video-etre-patient-partenaire",
        transcript="Je m’appelle Louise. Être patiente partenaire, c’est apporter mon "
        "expérience de la maladie à une équipe de recherche.\n\nAu début, je ne savais pas si "
        "ma voix compterait. Aujourd’hui, je sais qu’elle change les questions qu’on pose.",
    ),
    dict(
        kind=ResourceKind.video,
        title="Être proche aidant(e) et contribuer à la recherche : comment et pourquoi?",
        title_en="Being a caregiver and contributing to research: how and why?",
        description="Une proche aidante et un chercheur expliquent comment l’expérience des "
        "proches aidants enrichit un projet.",
        description_en=None,
        content_language="fr",
        duration_minutes=9,
        audience=Audience.patient_partners,
        link_url=DEMO + "video-proche-aidant-recherche",
    ),
    dict(
        kind=ResourceKind.video,
        title="Travailler en partenariat en santé et services sociaux : le témoignage d’une équipe",
        title_en="Working in partnership in health and social services: a team’s testimonial",
        description="Une équipe d’un CISSS raconte deux ans de travail avec des patientes et "
        "patients partenaires.",
        description_en="A team from a regional health centre tells two years of work with "
        "patient partners.",
        content_language="fr",
        subtitle_language="en",
        duration_minutes=12,
        audience=Audience.health_workers,
        link_url=DEMO + "video-temoignage-equipe",
    ),
    dict(
        kind=ResourceKind.video,
        title="Comprendre la recherche",
        title_en=None,
        description="Une série de courtes vidéos en français : qu’est-ce qu’une question de "
        "recherche, un protocole, un comité d’éthique?",
        description_en="A series of short videos in French: what is a research question, a "
        "protocol, an ethics committee?",
        content_language="fr",
        duration_minutes=15,
        audience=Audience.everyone,
        link_url=DEMO + "comprendre-la-recherche",
    ),
    dict(
        kind=ResourceKind.video,
        title="Comprendre la recherche (en anglais)",
        title_en="Understanding research",
        description="La même série, en anglais.",
        description_en="The same series, in English.",
        content_language="en",
        duration_minutes=15,
        audience=Audience.everyone,
        link_url=DEMO + "understanding-research",
    ),
    dict(
        kind=ResourceKind.video,
        title="Découvrez ce qu’est un système de santé apprenant en 60 secondes",
        title_en="Find out what’s a learning health system in 60 seconds",
        description="Une minute pour comprendre comment un système de santé apprend de chaque "
        "soin donné.",
        description_en="One minute to understand how a health system learns from the care it "
        "gives.",
        content_language="fr",
        subtitle_language="en",
        duration_minutes=1,
        audience=Audience.everyone,
        link_url=DEMO + "systeme-sante-apprenant-60-secondes",
    ),
]


def load() -> list[str]:
    added = 0
    for values in RESOURCES:
        if db.session.scalar(select(Resource.id).where(Resource.title == values["title"])):
            continue
        db.session.add(Resource(published=True, **values))
        added += 1
    db.session.flush()
    return [f"Ressources : {added} ajoutées"] if added else []
