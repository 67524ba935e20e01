from flask import Blueprint

bp = Blueprint("magazine", __name__)

from communaute.magazine import views  # noqa: E402, F401
