from flask import Blueprint

bp = Blueprint("webinars", __name__)

from communaute.webinars import cli, hooks, models, views  # noqa: E402, F401
