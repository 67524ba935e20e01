"""App-level commands: users, outbox, demo content."""

import sys
import time

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from communaute.email import deliver_due, outage_pause
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
    try:
        user, created = promote_coordinator(email, name, password)
    except DomainError as exc:
        # The same rule as the site's forms, in the same words.
        prefix = "Mot de passe refusé : " if exc.field == "password" else ""
        raise click.ClickException(prefix + str(exc)) from exc
    db.session.commit()
    click.echo(("Compte créé : " if created else "Compte promu : ") + user.email)


@outbox_cli.command("send")
def outbox_send():
    """Delivers every due email once."""
    run = deliver_due()
    click.echo(f"{run.sent} envoyé(s), {run.failed} en échec (nouvel essai prévu).")
    if run.outage:
        click.echo(f"Serveur SMTP injoignable, les autres courriels attendent : {run.outage}")


@outbox_cli.command("worker")
@click.option("--interval", default=5.0, help="Seconds between two looks at the outbox.")
@click.option("--once", is_flag=True, help="Stop when nothing is due (for scripts).")
@click.option(
    "--outage-backoff",
    type=(float, float),
    default=None,
    metavar="FIRST LONGEST",
    help="Seconds to wait when the SMTP server is unavailable, doubling from FIRST to "
    "LONGEST (default: OUTBOX_OUTAGE_BACKOFF, 2 then up to 60).",
)
def outbox_worker(interval, once, outage_backoff):
    """Keeps delivering: the production process beside the web server.

    While the SMTP server is unavailable, nothing is counted against the emails: the
    worker waits (2 s, doubling up to 60 s) and tries again, even with --once.
    """
    if outage_backoff:
        current_app.config["OUTBOX_OUTAGE_BACKOFF"] = outage_backoff
    pause = 0.0
    while True:
        run = deliver_due()
        db.session.remove()
        if run.outage:
            pause = outage_pause(pause)
            if run.sent or run.failed:
                click.echo(f"{run.sent} envoyé(s), {run.failed} en échec.")
            click.echo(f"Serveur SMTP injoignable, nouvel essai dans {pause:g} s : {run.outage}")
            time.sleep(pause)
            continue
        pause = 0.0
        if run.sent or run.failed:
            click.echo(f"{run.sent} envoyé(s), {run.failed} en échec.")
            continue  # more may be due: look again at once
        if once:
            return
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
