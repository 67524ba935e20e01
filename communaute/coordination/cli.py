"""flask coordination send-digest: the coordinators' daily email (cron, hourly or at 8:00)."""

import click

from communaute.coordination import bp
from communaute.extensions import db


@bp.cli.command("send-digest")
@click.option("--force", is_flag=True, help="Send now, whatever the hour in Montreal.")
def send_digest(force):
    """Sends each coordinator who chose it the day's digest (during the 8 h hour, Montreal)."""
    from communaute.coordination.alerts import send_digests

    sent = send_digests(force=force)
    db.session.commit()
    click.echo(f"{sent} résumé(s) mis en file d'envoi.")


@bp.cli.command("alert-failed-emails")
def alert_failed_emails_command():
    """Tells the coordinators of emails that failed since the last run (cron, every 15 min)."""
    from communaute.coordination.alerts import alert_failed_emails

    failed = alert_failed_emails()
    db.session.commit()
    click.echo(f"{failed} courriel(s) en échec signalé(s).")
