"""Commands from the contract."""

from sqlalchemy import func, select

from communaute.auth.models import Role, User
from communaute.email import OutboxMessage, OutboxState, queue_email
from communaute.extensions import db
from tests.factories import make_member


def test_create_coordinator_reads_the_password_from_stdin(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["users", "create-coordinator", "Coord@Exemple.ca", "--name", "Nadia"],
        input="une phrase de passe solide\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User))
    assert user.email == "coord@exemple.ca"
    assert user.role == Role.coordinator and user.is_confirmed


def test_create_coordinator_promotes_an_existing_member(app):
    make_member("deja@exemple.ca")
    result = app.test_cli_runner().invoke(
        args=["users", "create-coordinator", "deja@exemple.ca", "--name", "X"],
        input="peu importe ici\n",
    )
    assert result.exit_code == 0
    assert "promu" in result.output
    assert db.session.scalar(select(User.role)) == Role.coordinator


def test_create_coordinator_refuses_a_short_password(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create-coordinator", "c@exemple.ca", "--name", "X"], input="court\n"
    )
    assert result.exit_code != 0
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_demo_load_twice_changes_nothing(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "coordination@experiences.example" in first.output
    counts = {
        t.name: db.session.scalar(select(func.count()).select_from(t))
        for t in db.metadata.sorted_tables
    }
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0, second.output
    again = {
        t.name: db.session.scalar(select(func.count()).select_from(t))
        for t in db.metadata.sorted_tables
    }
    assert counts == again
    assert counts["users"] >= 2


def test_outbox_send_delivers_what_is_due(app, mailbox):
    queue_email(kind="test", to="cli@exemple.ca", language="fr", template="auth/emails/deleted")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.exit_code == 0
    assert "1 envoyé" in result.output
    mailbox.wait_for(1)
    db.session.expire_all()
    assert db.session.scalar(select(OutboxMessage.state)) == OutboxState.sent


def test_flask_translate_extracts_then_compiles_with_babels_api(app, tmp_path, monkeypatch):
    """`make extract` and `make translations` call these; a catalog that did not change is
    left byte for byte (no header or wrapping churn in another feature's file)."""
    import shutil

    from babel.support import Translations

    from communaute import cli

    shutil.copy(cli.ROOT / "babel.cfg", tmp_path / "babel.cfg")
    (tmp_path / "feature").mkdir()
    (tmp_path / "feature" / "views.py").write_text(
        'from flask_babel import lazy_gettext as _l\nLABEL = _l("Dismiss")\n'
    )
    (tmp_path / "quiet").mkdir()
    (tmp_path / "quiet" / "page.html").write_text('<p>{{ _("Nothing new") }}</p>\n')
    monkeypatch.setattr(cli, "ROOT", tmp_path)
    monkeypatch.setattr(cli, "DOMAINS", {"feature/tr": ["feature"], "quiet/tr": ["quiet"]})
    runner = app.test_cli_runner()
    first = runner.invoke(args=["translate", "extract"])
    assert first.exit_code == 0, first.output
    assert "feature/tr/fr/LC_MESSAGES/messages.po: 1 to translate" in first.output
    po = tmp_path / "feature/tr/fr/LC_MESSAGES/messages.po"
    po.write_text(
        po.read_text().replace('msgid "Dismiss"\nmsgstr ""', 'msgid "Dismiss"\nmsgstr "Écarter"')
    )
    quiet = tmp_path / "quiet/tr/fr/LC_MESSAGES/messages.po"
    before = quiet.read_bytes()

    again = runner.invoke(args=["translate", "extract"])
    assert again.exit_code == 0 and again.output == "", "nothing changed, nothing written"
    assert quiet.read_bytes() == before

    assert runner.invoke(args=["translate", "compile"]).exit_code == 0
    with (tmp_path / "feature/tr/fr/LC_MESSAGES/messages.mo").open("rb") as f:
        assert Translations(f).gettext("Dismiss") == "Écarter"
