"""/coordination/: what needs a coordinator today, and the tools that span the blueprints.

Each blueprint says what it asks of a coordinator through
``communaute.registry.register_coordination_items`` (its ``coordination.py``, registered in
its ``hooks.py``); the home only gathers, groups and shows the lines.
"""

from flask import Blueprint

bp = Blueprint("coordination", __name__, cli_group="coordination")
#: /certificates/<code>: public, whether an attestation is genuine (and its PDF, for its owner).
certificates_bp = Blueprint("certificates", __name__)

from communaute.coordination import alerts, certificates, cli, hooks, models, views  # noqa: E402, F401
