"""courses, sessions and webinars in French with an optional English (issue 14)

Revision ID: 0014_bilingual
Revises: 0013_gaps
Create Date: 2026-12-01 14:00:00

Reserved in advance so parallel branches merge in a line; empty until its branch fills it.
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = "0014_bilingual"
down_revision = "0013_gaps"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
