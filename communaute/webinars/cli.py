"""flask webinars send-reminders"""

import click

from communaute.extensions import db
from communaute.webinars import bp, services


@bp.cli.command("send-reminders")
def send_reminders_command():
    """Queues the reminder of every sign-up for a webinar starting within 24 h, once."""
    count = services.send_reminders()
    db.session.commit()
    click.echo(f"{count} rappel(s) mis en file d'envoi.")
