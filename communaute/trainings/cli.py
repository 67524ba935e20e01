"""flask trainings send-reminders"""

import click

from communaute.extensions import db
from communaute.trainings import bp, services


@bp.cli.command("send-reminders")
def send_reminders_command():
    """Queues the reminder of every training session starting within 24 hours, never twice."""
    count = services.send_reminders()
    db.session.commit()
    click.echo(f"{count} rappel(s) mis en file d'envoi.")
