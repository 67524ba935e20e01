"""Demo publication: the community's position statement of 27 August 2025. Idempotent."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from communaute.extensions import db
from communaute.publications.models import Publication

TITLE = "Énoncé de position sur le partenariat en santé et services sociaux"

STATEMENT = dict(
    title=TITLE,
    title_en="Position statement on partnership in health and social services",
    issued_on=date(2025, 8, 27),
    summary="La communauté Expériences réunit des patientes et patients partenaires, des proches "
    "aidants, des chercheuses, des chercheurs et des cliniciennes et cliniciens. Par cet énoncé, "
    "elle affirme que le partenariat avec les personnes qui vivent la maladie et les soins est une "
    "condition d’un système de santé et de services sociaux qui apprend.\n\n"
    "L’énoncé présente ce que la communauté entend par partenariat, les conditions qui le rendent "
    "possible, et cinq recommandations aux établissements, aux équipes de recherche et aux "
    "organismes qui financent la recherche.",
    summary_en="The Expériences community brings together patient partners, caregivers, "
    "researchers and clinicians. In this statement it affirms that partnership with the people "
    "who live with illness and care is a condition of a health and social services system that "
    "learns.\n\n"
    "The statement sets out what the community means by partnership, the conditions that make it "
    "possible, and five recommendations to institutions, research teams and funders.",
    sections="## 1. Ce que nous entendons par partenariat\n\n"
    "Le partenariat reconnaît le savoir expérientiel des patientes, des patients et de leurs "
    "proches comme complémentaire au savoir scientifique et clinique. Il se vit à chaque étape : "
    "choisir les questions, concevoir, réaliser, interpréter et partager.\n\n"
    "## 2. Les conditions d’un partenariat réel\n\n"
    "- une place dès le début des projets, et non à la fin;\n"
    "- une information claire et accessible;\n"
    "- une compensation juste du temps donné;\n"
    "- un accompagnement et de la formation pour toutes et tous.\n\n"
    "## 3. Le partenariat dans un système de santé apprenant\n\n"
    "Un système de santé apprenant transforme chaque soin donné en connaissance, et chaque "
    "connaissance en meilleurs soins. Les patientes et patients partenaires y veillent à ce que "
    "ce qui compte pour les personnes soit mesuré, compris et amélioré.",
    sections_en="## 1. What we mean by partnership\n\n"
    "Partnership recognises the experiential knowledge of patients and their families as "
    "complementary to scientific and clinical knowledge. It happens at every step: choosing the "
    "questions, designing, carrying out, interpreting and sharing.\n\n"
    "## 2. The conditions of a real partnership\n\n"
    "- a place from the start of projects, not at the end;\n"
    "- clear and accessible information;\n"
    "- fair compensation for the time given;\n"
    "- support and training for everyone.\n\n"
    "## 3. Partnership in a learning health system\n\n"
    "A learning health system turns every act of care into knowledge, and every piece of "
    "knowledge into better care. Patient partners make sure that what matters to people is "
    "measured, understood and improved.",
    recommendations="Associer des patientes et patients partenaires dès la conception de tout "
    "projet de recherche ou d’amélioration.\n"
    "Compenser équitablement le temps et l’expertise des patientes et patients partenaires.\n"
    "Offrir une formation au partenariat aux équipes comme aux patientes et patients.\n"
    "Rendre l’information et les rencontres accessibles, en français comme en anglais.\n"
    "Évaluer le partenariat et en partager les résultats avec la communauté.",
    recommendations_en="Involve patient partners from the design of every research or "
    "improvement project.\n"
    "Compensate the time and expertise of patient partners fairly.\n"
    "Offer training in partnership to teams and to patients alike.\n"
    "Make information and meetings accessible, in French and in English.\n"
    "Evaluate partnership and share its results with the community.",
    authors="Louise Bélanger, patiente partenaire\n"
    "Marc-André Côté, chercheur\n"
    "Nadia Haddad, proche aidante\n"
    "Dre Julie Fortin, clinicienne",
    contributors="Les membres de la communauté Expériences\n"
    "Le comité des patientes et patients partenaires\n"
    "L’équipe de coordination",
    link_url=None,
    published=True,
)


def load() -> list[str]:
    if db.session.scalar(select(Publication.id).where(Publication.title == TITLE)):
        return []
    db.session.add(Publication(**STATEMENT))
    db.session.flush()
    return ["Publications : l’énoncé de position ajouté"]
