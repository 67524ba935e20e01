"""/publications/: the community's deliverables, such as its position statement."""

from flask import Blueprint

bp = Blueprint("publications", __name__)

from communaute.publications import hooks, views  # noqa: E402, F401
