"""Demo content: the lunchtime series, past webinars with recordings and attendance,
upcoming ones with sign-ups. Idempotent: a webinar is looked up by its title first."""

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from communaute.db import utcnow
from communaute.extensions import db
from communaute.i18n import MONTREAL
from communaute.webinars.models import Signup, SignupState, Speaker, Webinar

#: The English of a few webinars (the others are offered in French to English readers).
ENGLISH = {
    "Devenir patient partenaire : par où commencer?": (
        "Becoming a patient partner: where to start?",
        "What is a patient partner in research? Two people who have done it for years tell "
        "how they started, what helped them and what they wish they had known.",
    ),
    "Vivre avec la douleur chronique et participer à la recherche": (
        "Living with chronic pain and taking part in research",
        None,
    ),
}

SERIES = [
    # (weeks from now, title, description, tags, speakers, capacity)
    (
        -6,
        "Devenir patient partenaire : par où commencer?",
        "Qu'est-ce qu'un patient partenaire en recherche? Deux personnes qui le font depuis "
        "des années racontent leurs débuts, ce qui les a aidées et ce qu'elles auraient aimé "
        "savoir.",
        "partenariat, premiers pas",
        [
            ("Josée Lavoie", "Patiente partenaire en oncologie depuis 2016.", True),
            (
                "Dr Karim Benali",
                "Chercheur en soins de première ligne, Université de Montréal.",
                False,
            ),
        ],
        None,
    ),
    (
        -4,
        "Vivre avec la douleur chronique et participer à la recherche",
        "Comment doser son énergie quand on vit avec de la douleur et qu'on s'engage dans un "
        "projet? Conseils concrets et témoignages.",
        "douleur chronique, énergie",
        [("Martin Gagné", "Patient partenaire, comité consultatif douleur chronique.", True)],
        None,
    ),
    (
        -2,
        "Proches aidants : votre savoir compte aussi",
        "Les proches aidants voient ce que personne d'autre ne voit. Comment leur expérience "
        "enrichit la recherche, et comment la reconnaître.",
        "proches aidants",
        [
            ("Lucie Ouellet", "Proche aidante de sa mère pendant huit ans.", True),
            ("Annie Roy", "Coordonnatrice de recherche, CIUSSS de l'Estrie.", False),
        ],
        None,
    ),
    (
        1,
        "Comprendre un formulaire de consentement sans s'y perdre",
        "Lire un formulaire de consentement à une étude, poser les bonnes questions, savoir "
        "qu'on peut se retirer. Un atelier pratique avec exemples.",
        "consentement, éthique",
        [("Me Sophie Tremblay", "Membre d'un comité d'éthique de la recherche.", False)],
        40,
    ),
    (
        3,
        "Santé mentale : partager son vécu en toute sécurité",
        "Parler de sa santé mentale dans un projet de recherche : poser ses limites, "
        "se protéger, trouver du soutien.",
        "santé mentale",
        [("Olivier Côté", "Pair aidant et patient partenaire en santé mentale.", True)],
        None,
    ),
    (
        5,
        "La recherche en région : des patients partenaires partout au Québec",
        "De la Gaspésie à l'Abitibi, comment participer à distance et faire entendre les "
        "réalités des régions.",
        "régions, participation à distance",
        [("Geneviève Bouchard", "Patiente partenaire, Bas-Saint-Laurent.", True)],
        None,
    ),
]

GUESTS = [
    ("Nathalie Pelletier", "nathalie.pelletier@exemple.ca", "fr", "Infolettre de l'hôpital"),
    ("Robert Lévesque", "robert.levesque@exemple.ca", "fr", "Un ami"),
    ("Amélie Fortin", "amelie.fortin@exemple.ca", "fr", None),
    ("David Wong", "david.wong@example.com", "en", "Facebook"),
    ("Chantal Morin", "chantal.morin@exemple.ca", "fr", "Mon médecin"),
    ("Pierre Bergeron", "pierre.bergeron@exemple.ca", "fr", None),
    ("Isabelle Girard", "isabelle.girard@exemple.ca", "fr", "Association des patients"),
]


def _noon(weeks: int) -> datetime:
    day = (utcnow().astimezone(MONTREAL) + timedelta(weeks=weeks)).date()
    while day.weekday() != 2:  # Wednesdays, as the series always was
        day += timedelta(days=1)
    return datetime.combine(day, time(12, 0), tzinfo=MONTREAL).astimezone(UTC)


def load_demo_webinars(coordinator, member) -> list[str]:
    said = []
    for i, (weeks, title, description, tags, speakers, capacity) in enumerate(SERIES):
        if db.session.scalar(select(Webinar.id).where(Webinar.title == title)) is not None:
            continue
        past = weeks < 0
        title_en, description_en = ENGLISH.get(title, (None, None))
        webinar = Webinar(
            title=title,
            title_en=title_en,
            description_en=description_en,
            description=description,
            tags=tags,
            start_at=_noon(weeks),
            duration_minutes=60,
            language="fr",
            join_url=f"https://zoom.example/j/8100{i}2026",
            phone_dial_in=f"+1 438 555-010{i}, code 8100{i}2026",
            captioning="Sous-titres en français en direct (CART)",
            capacity=capacity,
            recording_url=f"https://video.experiences.example/webinaires/{i + 1}" if past else "",
            resources="Diaporama et liens utiles : https://experiences.example/ressources"
            if past
            else "",
        )
        for position, (name, bio, partner) in enumerate(speakers):
            webinar.speakers.append(
                Speaker(position=position, name=name, bio=bio, is_patient_partner=partner)
            )
        db.session.add(webinar)
        db.session.flush()
        people = GUESTS[: 4 + i % 4]
        for n, (name, email, lang, heard) in enumerate(people):
            signup = Signup(
                webinar_id=webinar.id,
                name=name,
                email=email,
                language=lang,
                how_heard=heard,
                created_at=webinar.start_at - timedelta(days=10 - n),
            )
            if past:
                signup.attended = n % 3 != 2
                if n == len(people) - 1:
                    signup.state = SignupState.cancelled
                    signup.cancelled_at = webinar.start_at - timedelta(days=1)
                    signup.attended = False
            db.session.add(signup)
        if i in (1, 3):
            db.session.add(
                Signup(
                    webinar_id=webinar.id,
                    name=member.display_name,
                    email=member.email,
                    user_id=member.id,
                    language=member.language,
                    attended=past,
                )
            )
        said.append(f"Webinaire : {title}")
    db.session.flush()
    return said
