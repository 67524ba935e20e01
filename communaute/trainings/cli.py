"""flask trainings send-reminders"""

import click
from flask import current_app

from communaute.trainings import bp, services


@bp.cli.command("send-reminders")
def send_reminders_command():
    """Queues the reminder of every training session starting within 24 hours, never twice."""
    # Links in the emails are built from COMMUNAUTE_PUBLIC_URL; url_for needs a request context.
    with current_app.test_request_context():
        count = services.send_reminders()
    click.echo(f"{count} rappel(s) mis en file d'envoi.")
