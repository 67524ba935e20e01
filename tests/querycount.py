"""Counts the SQL statements a block runs: the query budget of a page (no N+1)."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from communaute.extensions import db


class QueryLog:
    def __init__(self):
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)

    def __repr__(self) -> str:
        return f"{self.count} statements:\n" + "\n".join(s[:200] for s in self.statements)


@contextmanager
def count_queries():
    """``with count_queries() as log: client.get(...)``; then ``log.count``."""
    log = QueryLog()
    engine = db.engine

    def record(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE")):
            log.statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield log
    finally:
        event.remove(engine, "before_cursor_execute", record)


def page_queries(client, path: str) -> QueryLog:
    """Statements for one GET of ``path`` (after a warm-up GET, so caches are even)."""
    client.get(path)
    with count_queries() as log:
        response = client.get(path)
        response.get_data()  # a streamed body (CSV) runs its queries while it is read
    assert response.status_code == 200, (path, response.status_code)
    return log
