"""journeys: confirmation, manage my sign-up, calendar feeds, one seat per course (issue 13)

Revision ID: 0009_journeys
Revises: 0008_course_search
Create Date: 2026-12-01 12:30:00

One file per branch of work, reserved in advance so the chain stays linear when the
branches are merged; empty until its branch fills it.
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = "0009_journeys"
down_revision = "0008_course_search"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
