"""flask security purge: the security log keeps SECURITY_LOG_RETENTION_DAYS, from cron."""

import click

from communaute.audit import purge_security_log
from communaute.extensions import db
from communaute.security import bp


@bp.cli.command("purge")
def purge():
    """Deletes security log rows older than SECURITY_LOG_RETENTION_DAYS (365 by default)."""
    count = purge_security_log()
    db.session.commit()
    click.echo(f"{count} événement(s) du journal de sécurité supprimé(s).")
