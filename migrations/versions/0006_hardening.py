"""hardening: outbox retention, dismissed emails, rows forgotten once sent

Revision ID: 0006_hardening
Revises: 0005_seats_core
Create Date: 2026-12-01 10:00:00

- outbox_messages.forget_when_sent: the goodbye to a deleted account leaves no row once sent.
- outbox_messages.purged_at: when the text of an email was deleted (OUTBOX_RETENTION_DAYS
  after it was sent, or when a coordinator dismissed it).
- recipients lowercased, as every email field stores addresses: a member's export and
  deletion find the emails sent to their address by equality (the existing index serves).
The new "dismissed" state needs nothing: states are stored as text without a CHECK.
"""

import sqlalchemy as sa
from alembic import op

import communaute.db

# revision identifiers, used by Alembic.
revision = "0006_hardening"
down_revision = "0005_seats_core"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("forget_when_sent", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("purged_at", communaute.db.UTCDateTime(timezone=True), nullable=True)
        )
    op.execute("UPDATE outbox_messages SET recipient = lower(recipient)")
    # The goodbye emails already sent hold the address of an account that is gone.
    op.execute("DELETE FROM outbox_messages WHERE kind = 'auth.deleted' AND state = 'sent'")
    op.execute(
        "UPDATE outbox_messages SET forget_when_sent = true WHERE kind = 'auth.deleted'"
    )


def downgrade():
    # Dismissed emails were failed ones whose text is gone: failed again, nothing to resend.
    op.execute("UPDATE outbox_messages SET state = 'failed' WHERE state = 'dismissed'")
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_column("purged_at")
        batch_op.drop_column("forget_when_sent")
