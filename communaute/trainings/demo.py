"""Demo trainings: a few realistic French courses, one full with a waiting list. Idempotent."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from communaute.auth.models import Role, User
from communaute.auth.services import hash_password
from communaute.db import utcnow
from communaute.extensions import db
from communaute.i18n import MONTREAL
from communaute.trainings.models import (
    Audience,
    Course,
    CourseFormat,
    Registration,
    RegistrationState,
    SessionState,
    TrainingSession,
)

COURSES = [
    {
        "slug": "introduction-partenariat-patient",
        "title": "Introduction au partenariat patient en recherche",
        "summary": "Comprendre ce que fait un patient partenaire dans une équipe de recherche, "
        "et comment y contribuer avec son vécu.",
        "description": "Cette formation de trois heures présente les bases du partenariat "
        "patient : les rôles possibles, les étapes d'un projet de recherche et la place de "
        "votre savoir expérientiel.\n\nAucune connaissance préalable n'est demandée. "
        "Des pauses sont prévues toutes les 45 minutes.",
        "format": CourseFormat.online,
        "audience": Audience.patient_partners,
        "duration": "3 heures",
        "english": {
            "title_en": "Introduction to patient partnership in research",
            "summary_en": "What a patient partner does in a research team, and how to "
            "contribute with your lived experience.",
            "duration_en": "3 hours",
        },
        "sessions": [(12, 13, 30, 20), (40, 13, 30, 20)],
        "online": True,
        "demo_member": True,
    },
    {
        "slug": "proches-aidants-prendre-la-parole",
        "title": "Proches aidants : prendre la parole en comité",
        "summary": "Des outils simples pour faire entendre le point de vue des proches aidants "
        "dans un comité ou un conseil.",
        "description": "Un atelier pratique, en petit groupe, à Montréal. On s'exerce à "
        "préparer une intervention courte et à poser ses conditions de participation.",
        "format": CourseFormat.in_person,
        "audience": Audience.caregivers,
        "duration": "Une demi-journée",
        "sessions": [(9, 9, 0, 4)],
        "place": "Maison des aidants, 1234 rue Ontario Est, Montréal",
        "full": True,
    },
    {
        "slug": "coconstruire-projet-recherche",
        "title": "Coconstruire un projet de recherche avec des patients",
        "english": {"title_en": "Co-designing a research project with patients"},
        "summary": "Pour les chercheuses, chercheurs et cliniciens qui veulent associer des "
        "patients partenaires dès le début d'un projet.",
        "description": "Formation hybride : en salle à Québec ou en ligne. Études de cas, "
        "rémunération des partenaires, pièges à éviter.",
        "format": CourseFormat.hybrid,
        "audience": Audience.researchers,
        "duration": "2 heures",
        "sessions": [(20, 12, 0, 30)],
        "place": "Pavillon Ferdinand-Vandry, Université Laval, Québec",
        "online": True,
    },
    {
        "slug": "savoir-experientiel-a-son-rythme",
        "title": "Mon savoir expérientiel, à mon rythme",
        "summary": "Une activité autonome de courtes capsules pour nommer ce que la maladie "
        "vous a appris.",
        "description": "Cinq capsules vidéo sous-titrées de 10 minutes, avec un cahier à "
        "imprimer en gros caractères. Commencez quand vous voulez.",
        "format": CourseFormat.self_paced,
        "audience": Audience.everyone,
        "duration": "Environ 1 heure",
        "material": "https://experiences.example/capsules/savoir-experientiel",
    },
]

WAITING_NAMES = ["Martin Tremblay", "Nadia Bouchard", "Louis Côté", "Amélie Roy", "Karim Haddad"]


def _at(days: int, hour: int, minute: int) -> datetime:
    day = (utcnow().astimezone(MONTREAL) + timedelta(days=days)).date()
    return datetime.combine(day, time(hour, minute)).replace(tzinfo=MONTREAL)


def _demo_people(count: int) -> list[User]:
    people = []
    for i, name in enumerate(WAITING_NAMES[:count]):
        email = f"participant{i + 1}.formations@exemple.ca"
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(
                email=email,
                display_name=name,
                password_hash=hash_password(f"demo-formations-{i}-phrase-longue"),
                role=Role.member,
                language="fr",
                confirmed_at=utcnow(),
                needs_captions=i == 1,
            )
            db.session.add(user)
            db.session.flush()
        people.append(user)
    return people


def load_demo_trainings(coordinator: User, member: User) -> list[str]:
    said = []
    for spec in COURSES:
        if db.session.scalar(select(Course.id).where(Course.slug == spec["slug"])):
            continue
        course = Course(
            slug=spec["slug"],
            title=spec["title"],
            summary=spec["summary"],
            description=spec["description"],
            language="fr",
            format=spec["format"],
            audience=spec["audience"],
            duration=spec["duration"],
            prerequisites="",
            material_url=spec.get("material"),
            published=True,
            **spec.get("english", {}),
        )
        db.session.add(course)
        for days, hour, minute, capacity in spec.get("sessions", []):
            start = _at(days, hour, minute)
            session = TrainingSession(
                course=course,
                starts_at=start,
                ends_at=start + timedelta(hours=3),
                place=spec.get("place", ""),
                online_url="https://zoom.example/j/8123456789" if spec.get("online") else None,
                capacity=capacity,
                registration_deadline=start - timedelta(days=2),
                state=SessionState.open,
            )
            db.session.add(session)
            if spec.get("demo_member") and days == spec["sessions"][0][0]:
                db.session.flush()
                db.session.add(
                    Registration(
                        course_id=course.id,
                        session_id=session.id,
                        user_id=member.id,
                        state=RegistrationState.confirmed,
                        confirmed_at=utcnow(),
                    )
                )
            if spec.get("full"):
                db.session.flush()
                people = _demo_people(5)
                now = utcnow()
                for i, person in enumerate(people):
                    state = RegistrationState.confirmed if i < 4 else RegistrationState.waiting
                    db.session.add(
                        Registration(
                            course_id=course.id,
                            session_id=session.id,
                            user_id=person.id,
                            state=state,
                            created_at=now + timedelta(seconds=i),
                            confirmed_at=now if state == RegistrationState.confirmed else None,
                            waitlisted_at=now + timedelta(seconds=i)
                            if state == RegistrationState.waiting
                            else None,
                        )
                    )
        db.session.flush()
        said.append(f"Formation : {course.title}")
    return said
