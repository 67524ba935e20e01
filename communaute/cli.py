"""App-level commands: users, outbox, demo content, translations."""

import io
import sys
import time
from pathlib import Path

import click
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir, extract_from_file
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from babel.util import pathmatch
from flask import Flask, current_app
from flask.cli import AppGroup

from communaute.email import deliver_due, outage_pause, run_due_jobs
from communaute.errors import DomainError
from communaute.extensions import db

users_cli = AppGroup("users", help="Accounts.")
outbox_cli = AppGroup("outbox", help="Email delivery.")
demo_cli = AppGroup("demo", help="Demo content.")
translate_cli = AppGroup(
    "translate", help="Translations: collect the strings, compile the catalogs."
)


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
        for key, count in run_due_jobs().items():
            if count:
                click.echo(f"{key} : {count} rappel(s) mis en file d'envoi.")
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


# Translations ------------------------------------------------------------------------------
#
# Each feature keeps its own catalog (communaute/<feature>/translations), merged at run time
# by Flask-Babel, so features never fight over one file. Babel's API does what pybabel's
# extract, update and compile commands do, without a subprocess.

ROOT = Path(__file__).resolve().parent.parent
LOCALE = "fr"
#: Catalog folder -> the sources whose strings it holds.
DOMAINS = {
    "communaute/translations": [
        # Every module of the core (forms, email, errors...), then the core blueprints.
        *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "communaute").glob("*.py")),
        "communaute/main",
        "communaute/auth",
        "templates/base.html",
        "templates/_macros",
        "templates/errors",
        "templates/main",
        "templates/auth",
        "templates/emails",
    ],
    **{
        f"communaute/{feature}/translations": [f"communaute/{feature}", f"templates/{feature}"]
        for feature in (
            "trainings",
            "webinars",
            "magazine",
            "security",
            "coordination",
            "requests",
            "resources",
            "news",
            "publications",
            "portraits",
            "pages",
        )
    },
}
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "_l": None,
    "lazy_pgettext": ((1, "c"), 2),
    "lazy_ngettext": (1, 2),
}


def _po_path(domain: str) -> Path:
    return ROOT / domain / LOCALE / "LC_MESSAGES" / "messages.po"


def _template(sources: list[str]) -> Catalog:
    """What ``pybabel extract --no-location`` collects from ``sources`` (babel.cfg)."""
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    found = []
    for source in sources:
        path = ROOT / source
        if path.is_dir():
            for _file, _line, message, _comments, context in extract_from_dir(
                path, method_map, options_map, keywords=KEYWORDS
            ):
                found.append((message, context))
        elif path.exists():
            method = next((m for pattern, m in method_map if pathmatch(pattern, source)), None)
            for _line, message, _comments, context in extract_from_file(
                method, path, keywords=KEYWORDS
            ):
                found.append((message, context))
    template = Catalog(locale=None)
    for message, context in found:
        template.add(message, None, context=context)
    return template


def _substance(catalog: Catalog) -> dict:
    return {
        (m.id, m.context): (m.string, frozenset(m.flags)) for m in catalog if m.id and m.string
    } | {(m.id, m.context): None for m in catalog if m.id and not m.string}


@translate_cli.command("extract", with_appcontext=False)
def translate_extract():
    """Collects new strings into each catalog; then translate the empty msgstr in fr/.

    A catalog whose strings did not change is left as it is (no churn in its header or
    line wrapping), so a feature's catalog changes only with that feature's strings.
    """
    for domain, sources in DOMAINS.items():
        template = _template(sources)
        po_path = _po_path(domain)
        if po_path.exists():
            with po_path.open("rb") as f:
                catalog = read_po(f, locale=LOCALE)
            before = _substance(catalog)
            catalog.update(template, no_fuzzy_matching=True)
            catalog.obsolete.clear()
            if _substance(catalog) == before:
                continue
        else:
            catalog = Catalog(locale=LOCALE)
            # The plural rule of the other catalogs (Flask-Babel merges them under one rule;
            # a newer Babel's CLDR gives French three forms).
            catalog._num_plurals, catalog._plural_expr = 2, "(n > 1)"
            catalog.update(template, no_fuzzy_matching=True)
            po_path.parent.mkdir(parents=True, exist_ok=True)
        out = io.BytesIO()
        write_po(out, catalog, no_location=True, sort_output=True, ignore_obsolete=True)
        po_path.write_bytes(out.getvalue())
        missing = sum(1 for m in catalog if m.id and not m.string)
        click.echo(f"{po_path.relative_to(ROOT)}: {missing} to translate")


@translate_cli.command("compile", with_appcontext=False)
def translate_compile():
    """Compiles every catalog (.po) into the .mo that Flask-Babel reads."""
    for domain in DOMAINS:
        po_path = _po_path(domain)
        if not po_path.exists():
            continue
        with po_path.open("rb") as f:
            catalog = read_po(f, locale=LOCALE)
        out = io.BytesIO()
        write_mo(out, catalog, use_fuzzy=True)
        po_path.with_suffix(".mo").write_bytes(out.getvalue())


def register_cli(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(translate_cli)
