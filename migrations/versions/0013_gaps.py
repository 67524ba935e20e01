"""what issues 12 and 14 left: certificates of activities, steps edited and reordered

Revision ID: 0013_gaps
Revises: 0012_mail_preferences
Create Date: 2026-12-01 14:00:00

Reserved in advance so parallel branches merge in a line; empty until its branch fills it.
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = "0013_gaps"
down_revision = "0012_mail_preferences"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
