"""Make a request: a filled form, sent as a person sends it (after the minimum fill time)."""

from __future__ import annotations

import time

from communaute.requests import services
from tests.factories import csrf_token


def form_data(client, **overrides) -> dict:
    """What a person sends, with a form shown ten seconds ago."""
    data = {
        "csrf_token": csrf_token(client, "/requests/new"),
        "started": services.started_token(time.time() - 10),
        "website": "",
        "name": "Dre Amélie Tremblay",
        "organisation": "Centre de recherche du CHUM",
        "position": "Chercheuse",
        "email": "amelie@exemple.ca",
        "phone": "514 555-0123",
        "kind": "research_project",
        "project": "Une étude sur le retour au travail après un cancer.",
        "involvement": "Quatre rencontres de deux heures en ligne.",
        "dates": "De février à juin 2027",
        "compensation": "Une compensation de 50 $ par rencontre.",
        "meeting_languages": "fr",
        "accessibility": "Rencontres en ligne, sous-titrées.",
    }
    data.update(overrides)
    return data


def send(client, **overrides):
    return client.post("/requests/new", data=form_data(client, **overrides))
