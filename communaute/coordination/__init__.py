"""/coordination/: what needs a coordinator today, and the tools that span the blueprints.

Each blueprint says what it asks of a coordinator through
``communaute.registry.register_coordination_items`` (its ``coordination.py``, registered in
its ``hooks.py``); the home only gathers, groups and shows the lines.
"""

from flask import Blueprint

bp = Blueprint("coordination", __name__, cli_group="coordination")

from communaute.coordination import alerts, cli, hooks, models, views  # noqa: E402, F401
