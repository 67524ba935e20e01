"""Domain errors and the HTTP error pages."""

from flask import Flask, g, render_template, request
from flask.globals import request_ctx
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from communaute.extensions import db, login_manager
from communaute.i18n import lazy_gettext as _l

#: The database is away, overloaded or out of connections: a moment later it may answer.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeout)


class DomainError(Exception):
    """A rule refused an action. The message is translated and shown to the user as is."""

    def __init__(
        self,
        message,
        *,
        field: str | None = None,
        action: str | None = None,
        more: tuple = (),
    ):
        super().__init__(str(message))
        self.message = message
        #: The form field the message belongs next to, when there is one.
        self.field = field
        #: What the person can do about it, for the page to offer ("confirm": confirm the
        #: email address, from "my space").
        self.action = action
        #: Other problems found at the same time, as (field, message): the person sees them
        #: all at once instead of one per attempt.
        self.more = tuple(more)

    @property
    def problems(self) -> list[tuple[str | None, object]]:
        return [(self.field, self.message), *self.more]


class Problems:
    """Collects every problem of one submission, then raises them together::

    problems = Problems(MagazineError)
    if not title: problems.add(_l("Give your text a title."), field="title")
    ...
    problems.raise_if_any()
    """

    def __init__(self, error: type[DomainError] = DomainError):
        self.error = error
        self.found: list[tuple[str | None, object]] = []

    def add(self, message, *, field: str | None = None) -> None:
        self.found.append((field, message))

    def raise_if_any(self) -> None:
        if self.found:
            (field, message), *more = self.found
            raise self.error(message, field=field, more=tuple(more))


TITLES = {
    400: _l("The request could not be understood"),
    403: _l("You do not have access to this page"),
    404: _l("Page not found"),
    405: _l("This action is not allowed here"),
    413: _l("What you sent is too large"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong on our side"),
    503: _l("The site is busy"),
}


def _page(code: int):
    if request_ctx.url_adapter is None:
        # The request never reached routing (an untrusted Host): no layout, just words.
        return f"{code} {TITLES[code]}", code, {"Content-Type": "text/plain; charset=utf-8"}
    return render_template("errors/error.html", code=code, title=TITLES[code]), code


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_failed(error):
        message = _l(
            "The form expired or was sent from another page. Go back, reload the page "
            "and send it again. Nothing was saved."
        )
        return render_template(
            "errors/error.html", code=400, title=TITLES[400], message=message
        ), 400

    for code in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(code, lambda e, code=code: _page(code))

    def database_busy(error):
        # A locked SQLite file, an overloaded PostgreSQL, a connection cut in the middle of
        # the request: ask to try again, never a 500.
        db.session.rollback()
        app.logger.warning("database unavailable on %s: %s", request.path, error)
        # The page is drawn for a visitor: who is logged in is a question for the database,
        # and the rollback expired the member it may have loaded.
        g._login_user = login_manager.anonymous_user()
        response, code = _page(503)
        return response, code, {"Retry-After": "5", "Cache-Control": "no-store"}

    for exc_class in DATABASE_UNAVAILABLE:
        app.register_error_handler(exc_class, database_busy)
