"""/security/: the security log and the coordinators' second factors, for coordinators.

The log itself (model, ``record_event``, retention) is in the core, ``communaute/audit.py``:
every blueprint writes to it; this one shows it.
"""

from flask import Blueprint

bp = Blueprint("security", __name__, cli_group="security")

from communaute.security import cli, hooks, views  # noqa: E402, F401
