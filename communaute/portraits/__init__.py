"""Portraits of patient partners: a name, a role, a photo, a quote; published only with the
person's recorded consent, which they (or a coordinator for them) can withdraw."""

from flask import Blueprint

bp = Blueprint("portraits", __name__)

from communaute.portraits import hooks, views  # noqa: E402, F401
