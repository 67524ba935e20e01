"""App-level commands: users, outbox, demo content."""

import sys
import time

import click
from flask import Flask
from flask.cli import AppGroup

from communaute.email import deliver_due
from communaute.errors import DomainError
from communaute.extensions import db

users_cli = AppGroup("users", help="Accounts.")
outbox_cli = AppGroup("outbox", help="Email delivery.")
demo_cli = AppGroup("demo", help="Demo content.")


@users_cli.command("create-coordinator")
@click.argument("email")
@click.option("--name", required=True, help="Name shown on the site.")
def create_coordinator(email, name):
    """Creates (or promotes) a confirmed coordinator. The password is read from stdin."""
    from communaute.auth.services import promote_coordinator

    email = email.strip().lower()
    if sys.stdin.isatty():
        password = click.prompt("Mot de passe", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    if len(password) < 10:
        raise click.ClickException("Le mot de passe doit avoir au moins 10 caractères.")
    try:
        user, created = promote_coordinator(email, name, password)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(("Compte créé : " if created else "Compte promu : ") + user.email)


@outbox_cli.command("send")
def outbox_send():
    """Delivers every due email once."""
    sent, failed = deliver_due()
    click.echo(f"{sent} envoyé(s), {failed} en échec (nouvel essai prévu).")


@outbox_cli.command("worker")
@click.option("--interval", default=5.0, help="Seconds between two looks at the outbox.")
@click.option("--once", is_flag=True, help="Stop when nothing is due (for scripts).")
def outbox_worker(interval, once):
    """Keeps delivering: the production process beside the web server."""
    while True:
        sent, failed = deliver_due()
        if sent or failed:
            click.echo(f"{sent} envoyé(s), {failed} en échec.")
        elif once:
            return
        db.session.remove()
        time.sleep(interval)


@demo_cli.command("load")
def demo_load():
    """Loads realistic French demo content; running it twice changes nothing."""
    from communaute.demo import load_demo

    for line in load_demo():
        click.echo(line)


def register_cli(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(demo_cli)
