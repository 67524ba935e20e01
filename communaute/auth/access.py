"""Who may see what: declared on views, checked in one place."""

from functools import wraps

from flask import abort, flash, redirect, url_for
from flask_login import current_user, login_required

from communaute.seats import why_not_member


def coordinator_required(view):
    """Logged out: to the login page. Logged in but not a coordinator: 403."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_coordinator:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def confirmed_required(view):
    """For actions that need a confirmed address (registering for anything)."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if (refusal := why_not_member(current_user)) is not None:
            flash(str(refusal), "warning")
            return redirect(url_for("main.me"))
        return view(*args, **kwargs)

    return wrapped
