"""/resources/: recommended readings and viewings, public, filtered by kind, language, audience."""

from flask import Blueprint

bp = Blueprint("resources", __name__)

from communaute.resources import hooks, views  # noqa: E402, F401
