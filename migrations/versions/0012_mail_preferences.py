"""mail people control: preferences, news consent, unsubscribe (issue 13)

Revision ID: 0012_mail_preferences
Revises: 0011_site
Create Date: 2026-12-01 12:30:00

One file per branch of work, reserved in advance so the chain stays linear when the
branches are merged; empty until its branch fills it.
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = "0012_mail_preferences"
down_revision = "0011_site"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
