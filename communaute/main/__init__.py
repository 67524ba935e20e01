"""Pages that belong to no feature: home, privacy, my space, health, the outbox view."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from communaute.main import calendar_feed, views  # noqa: E402, F401
