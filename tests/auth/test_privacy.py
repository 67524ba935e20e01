"""Law 25: what the platform holds about a person is exported and deleted, all of it."""

import json

import sqlalchemy as sa
from sqlalchemy import func, select

from communaute.auth.models import ConsentRecord, User
from communaute.email import OutboxMessage
from communaute.extensions import db
from communaute.registry import PROVIDERS
from tests.factories import PASSWORD, login, make_member, post


def test_export_holds_the_account_its_consents_and_its_emails(client):
    user = make_member("exporte@exemple.ca", name="Réjean", needs_helper=True)
    login(client, user)
    post(client, "/auth/confirm/resend", form_page="/me")  # already confirmed: nothing queued
    post(client, "/auth/reset", {"email": "exporte@exemple.ca"})
    response = client.get("/auth/export")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == "exporte@exemple.ca"
    assert data["account"]["display_name"] == "Réjean"
    assert data["account"]["accommodations"]["helper"] is True
    assert data["consents"][0]["purpose"] == "privacy_policy"
    assert [e["kind"] for e in data["emails"]] == ["auth.reset"]
    for key in PROVIDERS:
        assert key in data, f"export misses {key}"


def test_export_and_delete_need_a_login(client):
    assert client.get("/auth/export").headers["Location"].startswith("/auth/login?next=")
    assert client.get("/auth/delete").headers["Location"].startswith("/auth/login?next=")


def test_delete_asks_for_the_password_and_removes_everything(app, client, mailbox):
    user = make_member("partir@exemple.ca")
    other = make_member("rester@exemple.ca")
    login(client, user)
    post(client, "/auth/reset", {"email": "partir@exemple.ca"})
    wrong = post(client, "/auth/delete", {"password": "pas le bon mot de passe", "understand": "y"})
    assert wrong.status_code == 200
    assert "n’est pas le bon" in wrong.get_data(as_text=True)
    assert db.session.get(User, user.id) is not None
    ok = post(client, "/auth/delete", {"password": PASSWORD, "understand": "y"})
    assert ok.status_code == 302
    assert db.session.scalar(select(User).where(User.email == "partir@exemple.ca")) is None
    assert db.session.scalar(select(func.count()).select_from(ConsentRecord)) == 1  # the other's
    kinds = db.session.scalars(select(OutboxMessage.kind)).all()
    assert kinds == ["auth.deleted"], "only the goodbye email remains, tied to no account"
    assert client.get("/me").status_code == 302, "logged out"
    assert db.session.get(User, other.id) is not None


def test_every_table_with_personal_data_is_covered_by_export_and_deletion(app):
    """A new table that points at users (or stores an email) must be named by a provider."""
    covered = {"users", "consent_records"}
    for provider in PROVIDERS.values():
        covered.update(provider.tables)
    inspector = sa.inspect(db.engine)
    missing = []
    for table in db.metadata.sorted_tables:
        points_at_users = any(fk.column.table.name == "users" for fk in table.foreign_keys)
        has_email = any("email" in c.name for c in table.columns)
        if (points_at_users or has_email) and table.name not in covered:
            missing.append(table.name)
    assert not missing, f"not covered by export/deletion: {missing}"
    assert inspector.has_table("users")


def test_deleting_an_account_with_everything_leaves_no_row_pointing_at_it(app, client):
    user = make_member("partir@exemple.ca")
    user_id = user.id
    login(client, user)
    post(client, "/auth/delete", {"password": PASSWORD, "understand": "y"})
    for table in db.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name == "users":
                count = db.session.scalar(
                    select(func.count()).select_from(table).where(fk.parent == user_id)
                )
                assert count == 0, f"{table.name}.{fk.parent.name} still points at the account"
