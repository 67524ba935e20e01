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
