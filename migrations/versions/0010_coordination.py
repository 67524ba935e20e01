"""coordination: home, notifications, roster messages, series, attendance import, people, certificates (issue 12)

Revision ID: 0010_coordination
Revises: 0009_journeys
Create Date: 2026-12-01 12:30:00

One file per branch of work, reserved in advance so the chain stays linear when the
branches are merged; empty until its branch fills it.
"""

import sqlalchemy as sa
from alembic import op

from communaute.db import UTCDateTime

# revision identifiers, used by Alembic.
revision = "0010_coordination"
down_revision = "0009_journeys"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("webinars", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attendance_recorded_at", UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("webinars", schema=None) as batch_op:
        batch_op.drop_column("attendance_recorded_at")
