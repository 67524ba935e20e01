"""Demo pages about the community, in French and English. Idempotent (by address)."""

from __future__ import annotations

from sqlalchemy import select

from communaute.extensions import db
from communaute.pages.models import Page

PAGES = [
    dict(
        slug="mandat",
        position=10,
        title="Notre mandat",
        title_en="Our mandate",
        body="Expériences est la communauté québécoise des patientes et patients partenaires "
        "en recherche. Elle a pour mandat de :\n\n"
        "- **former** les patientes, les patients, les proches et les équipes au partenariat;\n"
        "- **relier** les équipes de recherche et les personnes qui veulent s’engager;\n"
        "- **faire connaître** le savoir expérientiel dans un système de santé apprenant.",
        body_en="Expériences is Quebec's community of patient partners in research. Its "
        "mandate is to:\n\n"
        "- **train** patients, families and teams in partnership;\n"
        "- **connect** research teams with people who want to get involved;\n"
        "- **make known** experiential knowledge in a learning health system.",
    ),
    dict(
        slug="historique",
        position=20,
        title="Notre histoire",
        title_en="Our history",
        body="La communauté est née de la rencontre de patientes et patients partenaires qui "
        "voulaient partager ce qu’ils apprenaient. Le 27 août 2025, elle a adopté son énoncé "
        "de position sur le partenariat.",
        body_en=None,
    ),
    dict(
        slug="partenaires",
        position=30,
        title="Nos partenaires",
        title_en="Our partners",
        body="Nous travaillons avec des universités, des centres de recherche, des "
        "établissements de santé et de services sociaux et des organismes communautaires.",
        body_en="We work with universities, research centres, health and social services "
        "institutions and community organisations.",
    ),
    dict(
        slug="liens-utiles",
        position=40,
        title="Liens utiles",
        title_en="Useful links",
        body="- [Nos ressources à lire et à voir](/resources/)\n"
        "- [Nos publications](/publications/)\n"
        "- [Faire une demande de collaboration](/requests/new)",
        body_en="- [Resources to read and watch](/resources/)\n"
        "- [Our publications](/publications/)\n"
        "- [Make a collaboration request](/requests/new)",
    ),
    dict(
        slug="accessibilite",
        position=50,
        title="Déclaration d’accessibilité",
        title_en="Accessibility statement",
        body="Nous visons la conformité aux règles WCAG 2.2, niveau AA. Chaque page est "
        "vérifiée avec un outil automatique et au clavier, en français et en anglais.\n\n"
        "Une barrière vous empêche d’utiliser le site? Écrivez-nous : nous vous répondrons "
        "d’ici cinq jours ouvrables et vous offrirons une autre façon d’obtenir l’information.",
        body_en="We aim to meet WCAG 2.2, level AA. Every page is checked with an automatic "
        "tool and with the keyboard, in French and in English.\n\n"
        "Does a barrier stop you from using the site? Write to us: we will answer within five "
        "working days and offer another way to get the information.",
    ),
]


def load() -> list[str]:
    added = 0
    for values in PAGES:
        if db.session.scalar(select(Page.id).where(Page.slug == values["slug"])):
            continue
        db.session.add(Page(published=True, **values))
        added += 1
    db.session.flush()
    return [f"Pages : {added} ajoutées"] if added else []
