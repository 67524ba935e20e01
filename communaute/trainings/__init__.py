from flask import Blueprint

bp = Blueprint("trainings", __name__)

from communaute.trainings import cli, hooks, views  # noqa: E402, F401
