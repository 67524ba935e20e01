"""/news/: news written by coordinators in Markdown, drafts, scheduled publication, Atom."""

from flask import Blueprint

bp = Blueprint("news", __name__)

from communaute.news import hooks, views  # noqa: E402, F401
