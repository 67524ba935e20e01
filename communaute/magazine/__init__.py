from flask import Blueprint

bp = Blueprint("magazine", __name__)

from communaute.magazine import hooks, views  # noqa: E402, F401
