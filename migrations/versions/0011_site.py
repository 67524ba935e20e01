"""the rest of the site: requests, resources, news, publications, portraits, pages (issue 14)

Revision ID: 0011_site
Revises: 0010_coordination
Create Date: 2026-12-01 12:30:00

One file per branch of work, reserved in advance so the chain stays linear when the
branches are merged; empty until its branch fills it.
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = "0011_site"
down_revision = "0010_coordination"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
