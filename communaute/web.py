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

import re
from dataclasses import dataclass
from functools import lru_cache
from math import ceil

from flask import (
    Response,
    abort,
    flash,
    g,
    get_flashed_messages,
    redirect,
    request,
    stream_template,
    url_for,
)
from flask_wtf.csrf import generate_csrf
from sqlalchemy import Integer, bindparam, func, select

from communaute.errors import DomainError
from communaute.extensions import db, read_rows
from communaute.routing import whole_number


def show_error(form, exc: DomainError, *, field: str | None = None) -> None:
    """Each of the service's problems next to the field it names (else next to ``field``),
    or as a flash message when the form has neither."""
    for name, message in exc.problems:
        target = getattr(form, name or field or "", None) if form is not None else None
        if target is None and name and field and form is not None:
            target = getattr(form, field, None)
        if target is None:
            flash(str(message), "error")
        else:
            target.errors = [*target.errors, message]
            g.form_errors = True


class unit_of_work:  # noqa: N801 - used as a statement, like a keyword
    """See the module's docstring. ``field``: where an error that names no field of the
    form is shown (the main field of the form), instead of a flash message. ``show=False``:
    the view shows ``work.error`` itself (a page about a broken link, say)."""

    def __init__(self, form=None, *, field: str | None = None, show: bool = True):
        self.form = form
        self.field = field
        self.show = show
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
            if self.show:
                show_error(self.form, exc, field=self.field)
            return True
        return False


def require_button(form) -> None:
    """A POST-only action's form (a button): anything but a valid CSRF token is a 400."""
    if not form.validate_on_submit():
        abort(400)


#: How much of a streamed page is sent at once (characters): a few TCP packets, not one per
#: Jinja statement.
STREAM_CHUNK = 16_384


def streamed_page(template: str, **context) -> Response:
    """``render_template``, sent while it renders: for a page of thousands of rows (the
    attendance of a 5,000-person webinar), which the view passes as an iterator read from
    the database in batches. Neither the rows nor the page are then ever held whole: the
    worker's memory stays that of one batch.

    The session is saved with the headers, before the body: what the page would write into
    it while rendering is done here first (the flashed messages taken, the CSRF token made).

    The database session is closed with the view too (the app context's teardown runs when
    the view returns; the body then gets a new session): what the template reads must be
    loaded already, and rows to stream come from a generator that runs its query when the
    body starts (``webinars.services.iter_attendance``), not from a query begun in the view.
    """
    get_flashed_messages(with_categories=True)  # kept for the template, gone from the session
    generate_csrf()
    # Made here, inside the request: it keeps the request's context for the whole body.
    pieces = stream_template(template, **context)

    def chunks():
        pending, size = [], 0
        for piece in pieces:
            pending.append(piece)
            size += len(piece)
            if size >= STREAM_CHUNK:
                yield "".join(pending)
                pending, size = [], 0
        if pending:
            yield "".join(pending)

    return Response(chunks(), mimetype="text/html")


#: A page number beyond this is a tampered address: the first page is shown.
MAX_PAGE = 10_000


def paginate(query, *, per_page: int):
    """One page of ``query`` (``?page=``, Flask-SQLAlchemy's Pagination). A missing or
    tampered page number gives the first page; one past the end is an empty page whose
    template says so and links back. Never an error."""
    return db.paginate(query, page=_page_number(), per_page=per_page, error_out=False)


def _page_number() -> int:
    """``?page=``: missing, tampered or beyond MAX_PAGE, the first page."""
    page = request.args.get("page", 1, type=whole_number)
    return page if page <= MAX_PAGE else 1


@dataclass(frozen=True)
class Page:
    """One page of rows, with what ``_macros/pagination.html``'s ``pager`` reads (the
    fields of Flask-SQLAlchemy's Pagination)."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return ceil(self.total / self.per_page) if self.total else 0

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None


@lru_cache(maxsize=256)
def _page_statement(statement, around, count_apart: bool):
    """``statement`` with its total beside each row, limited to a page (limit and offset are
    parameters), wrapped by ``around``: built once per statement built once."""
    if count_apart:
        counted = select(func.count()).select_from(statement.order_by(None).subquery("counted"))
        total = counted.scalar_subquery()
    else:
        total = func.count().over()
    limited = (
        statement.add_columns(total.label("page_total"))
        .limit(bindparam("page_limit", type_=Integer))
        .offset(bindparam("page_offset", type_=Integer))
    )
    return around(limited.subquery("page")) if around is not None else limited


def page_back(pagination) -> int:
    """The page one step back, for every pager (``Page`` or Flask-SQLAlchemy's Pagination):
    past the end (an old link, a tampered number), the last page, not the page before the
    number typed."""
    return max(min(pagination.page - 1, pagination.pages), 1)


def paginate_rows(
    statement,
    *,
    per_page: int,
    params: dict | None = None,
    around=None,
    count_apart: bool = False,
) -> Page:
    """``paginate`` for a Core ``select`` of plain columns, in one statement: the page's rows
    and the total, counted by the database beside them (``count(*) OVER ()``). Only a page
    past the end, which has no row to carry it, counts again. Same page number rules.

    ``params`` are the statement's parameters. ``around``, if given, receives the page
    (``statement`` limited, as a subquery named ``page``) and returns the statement to run
    instead: what is read per row of the page only (seats counted, names gathered) is added
    there, so it runs for the rows shown, not for every row sorted. It must order the rows
    again (a subquery keeps no order). A statement the caller built once (with its varying
    values as parameters) is limited and wrapped once too: building a statement costs more
    CPU than running these.

    ``count_apart``: the total comes from a subquery of its own, which the database runs
    once, instead of a window over the sorted rows. Better where the rows come in the order
    of an index (newest first): the page then reads its rows only, where the window makes
    the database read and keep every row that matches (the magazine's 1,455 texts, each
    a visit to the table, to show 10)."""
    page = _page_number()
    values = {**(params or {}), "page_limit": per_page, "page_offset": (page - 1) * per_page}
    rows = read_rows(_page_statement(statement, around, count_apart), values)
    if rows:
        total = rows[0].page_total
    elif page == 1:
        total = 0
    else:
        total = db.session.scalar(
            select(func.count()).select_from(statement.order_by(None).subquery()), params
        )
    return Page(items=rows, page=page, per_page=per_page, total=total)


def shown_on(endpoint: str):
    """Marks a POST-only action whose form lives on the page ``endpoint``.

    When such an action fails it answers with the page and its messages, under the action's
    own address (``/webinars/12/signup``). A GET on that address (the language switch after
    an error, a reload from history, a shared link) then goes to the page itself instead of
    a 405 (``register_form_pages``, called by ``create_app``)."""

    def mark(view):
        view.shown_on = endpoint
        return view

    return mark


def register_form_pages(app) -> None:
    """A GET rule, for every action marked ``shown_on``, that redirects to its page."""
    for rule in list(app.url_map.iter_rules()):
        view = app.view_functions.get(rule.endpoint)
        page = getattr(view, "shown_on", None)
        if page is None or "GET" in rule.methods:
            continue

        def to_page(page=page, **values):
            page_args = next(iter(app.url_map.iter_rules(page))).arguments
            args = {k: v for k, v in values.items() if k in page_args}
            if request.args.get("lang"):
                args["lang"] = request.args["lang"]
            return redirect(url_for(page, **args))

        app.add_url_rule(
            rule.rule, endpoint=f"{rule.endpoint}__page", view_func=to_page, methods=["GET"]
        )


_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]+")


def search_query(name: str = "q", max_length: int = 100) -> str:
    """A search box's words from the query string: control and invisible characters (a NUL
    byte, which PostgreSQL refuses) become spaces, spaces are collapsed, 100 characters."""
    value = request.args.get(name, "")
    return " ".join(_UNPRINTABLE.sub(" ", value).split())[:max_length]
