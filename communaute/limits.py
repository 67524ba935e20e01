"""Rate-limit keys shared by every blueprint, in one place.

Flask-Limiter's default key is the requester: the client address (``PROXY_COUNT`` makes it the
real one behind a load balancer). Two more keys live here:

- ``recipient_key(field)``: the address typed in ``field``, so that an endpoint that emails
  whatever address it is given (registration, reset, email change, guest sign-up) cannot be
  used to flood one person's inbox from many client addresses. The address is normalised as
  the forms do (NFC, trimmed, lower case), so ``HÉLÈNE@`` and ``he\u0301le\u0300ne@`` count as
  one, and only a keyed digest of it reaches the limiter's storage (Redis), never the address.
- ``account_key``: the logged-in account, for what checks its password or its code.

``limit_per_recipient(field)`` is the decorator every such endpoint wears beside its
per-requester ``@limiter.limit``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

from flask import current_app, request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from communaute.extensions import limiter
from communaute.forms import normalise

#: Emails one address may be sent because someone typed it, per endpoint.
EMAILS_TO_ONE_ADDRESS = "5 per hour;20 per day"


def _digest(value: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:32]


def account_key() -> str:
    """The logged-in account; the client address for a visitor."""
    if current_user.is_authenticated:
        return f"account:{current_user.id}"
    return f"client:{get_remote_address()}"


def recipient_key(field: str) -> Callable[[], str]:
    """A key function: the address typed in the form field ``field``.

    Without an address (a member's one-click form, an empty or invalid field) nobody's inbox is
    at stake and the request is counted against the account or the client address instead.
    """

    def key() -> str:
        value = request.form.get(field)
        address = normalise(value).lower() if isinstance(value, str) else ""
        if not address:
            return account_key()
        return f"recipient:{_digest(address)}"

    key.__name__ = f"recipient_key_{field}"
    return key


def limit_per_recipient(field: str, limits: str = EMAILS_TO_ONE_ADDRESS):
    """Decorator: at most ``limits`` POSTs naming one address in ``field``, whoever sends them."""
    return limiter.limit(limits, key_func=recipient_key(field), methods=["POST"])
