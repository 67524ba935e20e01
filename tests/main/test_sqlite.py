"""The embedded default, SQLite: a page being read does not hold back a sign-up's commit."""

import time

from sqlalchemy import text

from communaute.extensions import db
from tests.factories import make_member


def test_the_database_file_is_in_write_ahead_log_mode(app, sqlite_only):
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        # Every commit still waits for the disk: a registration answered is kept.
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL


def test_a_reader_in_the_middle_of_a_page_does_not_hold_back_a_commit(app, sqlite_only):
    """Without WAL, the writer waits for the reader's lock (5 s), then fails."""
    reader = db.engine.connect()
    try:
        reader.exec_driver_sql("BEGIN")
        assert reader.execute(text("SELECT count(*) FROM users")).scalar() == 0
        started = time.monotonic()
        make_member("pendant-la-lecture@exemple.ca")  # commits on another connection
        assert time.monotonic() - started < 2
        # The reader still sees the database as it was when its page began.
        assert reader.execute(text("SELECT count(*) FROM users")).scalar() == 0
    finally:
        reader.rollback()
        reader.close()
