"""/requests/: "Make a request", researchers, clinicians and organisations asking to work with
patient partners; the coordinators' queue; the requester's private page."""

from flask import Blueprint

bp = Blueprint("requests", __name__)

from communaute.requests import hooks, views  # noqa: E402, F401
