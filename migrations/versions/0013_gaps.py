"""what issues 12 and 14 left: certificates of activities, steps edited and reordered

Revision ID: 0013_gaps
Revises: 0012_mail_preferences
Create Date: 2026-12-01 14:00:00

An attestation is now of a session or of a completed self-paced activity (its kind, and the
activity's announced length in words).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013_gaps"
down_revision = "0012_mail_preferences"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("coordination_certificates") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(length=10), server_default="session", nullable=False)
        )
        batch.add_column(
            sa.Column("duration", sa.String(length=100), server_default="", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("coordination_certificates") as batch:
        batch.drop_column("duration")
        batch.drop_column("kind")
