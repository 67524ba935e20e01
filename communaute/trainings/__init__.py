from flask import Blueprint

bp = Blueprint("trainings", __name__)

from communaute.trainings import activity_views, cli, hooks, views  # noqa: E402, F401
