"""What one guest sign-up asks of the database: the statements a noon rush multiplies.

A first sign-up reads the webinar (then again with its lock), writes the sign-up, its move
and its email, and reads nothing after the commit; only an address already signed up is
looked for. Counted with the engine's own events on both databases.
"""

import re

from sqlalchemy import select

from communaute.extensions import db
from communaute.webinars.models import Signup, SignupState
from tests.factories import csrf_token
from tests.querycount import count_queries


def kinds(log) -> list[tuple[str, str]]:
    """(verb, first table) of each statement, e.g. ("INSERT", "webinar_signups")."""
    out = []
    for statement in log.statements:
        text = " ".join(statement.split())
        verb = text.split()[0].upper()
        if verb == "ROLLBACK":  # to a savepoint: the insert the unique index refused
            out.append((verb, ""))
            continue
        if verb == "SELECT":
            table = re.search(r"\bFROM (\w+)", text).group(1)
        elif verb == "INSERT":
            table = re.search(r"^INSERT INTO (\w+)", text).group(1)
        else:
            table = re.search(r"^(?:UPDATE|DELETE FROM) (\w+)", text).group(1)
        out.append((verb, table))
    return out


def sign_up(client, webinar_id, email, token):
    return client.post(
        f"/webinars/{webinar_id}/signup",
        data={"csrf_token": token, "name": "Invitée", "email": email, "language": "fr"},
    )


def test_a_first_sign_up_writes_three_rows_and_reads_nothing_it_could_skip(client, webinar):
    token = csrf_token(client, f"/webinars/{webinar.id}")
    with count_queries() as log:
        response = sign_up(client, webinar.id, "premiere@exemple.ca", token)
    assert response.status_code == 302
    statements = [k for k in kinds(log) if k[1] != "page_versions"]  # the page cache's own
    assert statements == [
        ("SELECT", "webinars"),  # the page's webinar
        ("SELECT", "webinars"),  # again, locked for the seat count
        ("INSERT", "webinar_signups"),
        ("INSERT", "webinar_signup_moves"),
        ("INSERT", "outbox_messages"),
    ], log
    assert db.session.scalar(select(Signup.state)) == SignupState.confirmed


def test_the_same_address_again_is_found_and_nothing_is_added(client, webinar):
    token = csrf_token(client, f"/webinars/{webinar.id}")
    assert sign_up(client, webinar.id, "deux@exemple.ca", token).status_code == 302
    with count_queries() as log:
        assert sign_up(client, webinar.id, "DEUX@exemple.ca", token).status_code == 302
    statements = [k for k in kinds(log) if k[1] != "page_versions"]
    assert ("ROLLBACK", "") in statements, "the new row is tried, the unique index says no"
    assert ("SELECT", "webinar_signups") in statements, "then the existing sign-up is read"
    assert statements.count(("INSERT", "webinar_signup_moves")) == 0, "no move: nothing changed"
    assert statements[-1] == ("INSERT", "outbox_messages"), "the confirmation again"
    assert len(db.session.scalars(select(Signup)).all()) == 1
