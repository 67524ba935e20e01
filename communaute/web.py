"""What every view shares: one unit of work per request, committed at the edge.

A view loads, checks access, validates its form, then runs the service inside
``unit_of_work``::

    with unit_of_work(form) as work:
        reg, created = services.register_for_session(session, member=current_user)
        work.flash(_("You are registered."))
    if work.failed:
        return render_template(..., form=form)   # the message is next to its field
    return redirect(...)

On leaving the block without an error the transaction is committed, then the messages given
to ``work.flash`` are shown (never before: a commit that fails shows no "done"). A
``DomainError`` raised inside rolls everything back and is put next to the form field it
names (``exc.field``), or flashed when the form has no such field; the view reads
``work.failed`` / ``work.error``. Any other exception rolls back and propagates.
"""

from __future__ import annotations

from flask import abort, flash

from communaute.errors import DomainError
from communaute.extensions import db


def show_error(form, exc: DomainError) -> None:
    """The service's message next to the field it names, or as a flash message."""
    field = getattr(form, exc.field, None) if form is not None and exc.field else None
    if field is None:
        flash(str(exc.message), "error")
    else:
        field.errors = [*field.errors, exc.message]


class unit_of_work:  # noqa: N801 - used as a statement, like a keyword
    def __init__(self, form=None):
        self.form = form
        self.error: DomainError | None = None
        self._messages: list[tuple[str, str]] = []

    @property
    def failed(self) -> bool:
        return self.error is not None

    def flash(self, message, category: str = "success") -> None:
        """Shown once the commit succeeded. The text is rendered now, while rows are loaded."""
        self._messages.append((str(message), category))

    def __enter__(self) -> unit_of_work:
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is None:
            db.session.commit()
            for message, category in self._messages:
                flash(message, category)
            return False
        db.session.rollback()
        if isinstance(exc, DomainError):
            self.error = exc
            show_error(self.form, exc)
            return True
        return False


def require_button(form) -> None:
    """A POST-only action's form (a button): anything but a valid CSRF token is a 400."""
    if not form.validate_on_submit():
        abort(400)
