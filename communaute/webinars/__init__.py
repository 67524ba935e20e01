from flask import Blueprint

bp = Blueprint("webinars", __name__)

from communaute.webinars import views  # noqa: E402, F401
