"""/pages/<slug>: pages about the community (mandate, history, partners, useful links,
accessibility statement), in Markdown, French and English, listed in the footer."""

from flask import Blueprint

bp = Blueprint("pages", __name__)

from communaute.pages import hooks, views  # noqa: E402, F401
