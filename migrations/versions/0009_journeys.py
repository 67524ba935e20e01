"""journeys: confirmation, manage my sign-up, calendar feeds, one seat per course (issue 13)

Revision ID: 0009_journeys
Revises: 0008_course_search
Create Date: 2026-12-01 12:30:00

One file per branch of work, reserved in advance so the chain stays linear when the
branches are merged; empty until its branch fills it.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009_journeys"
down_revision = "0008_course_search"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("webinar_signups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("accessibility_needs", sa.String(length=500), nullable=True))
        batch_op.add_column(
            sa.Column("ics_sequence", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("calendar_token", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint("uq_users_calendar_token", ["calendar_token"])
    with op.batch_alter_table("training_courses", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("allows_several", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade():
    with op.batch_alter_table("training_courses", schema=None) as batch_op:
        batch_op.drop_column("allows_several")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint("uq_users_calendar_token", type_="unique")
        batch_op.drop_column("calendar_token")
    with op.batch_alter_table("webinar_signups", schema=None) as batch_op:
        batch_op.drop_column("ics_sequence")
        batch_op.drop_column("accessibility_needs")
