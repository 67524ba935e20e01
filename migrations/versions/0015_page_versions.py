"""the version of each topic public pages show, for the page cache without Redis (issue 15)

Revision ID: 0015_page_versions
Revises: 0014_bilingual
Create Date: 2026-12-01 16:00:00

One small row per topic ("webinars", "webinar:12", "site"...): a cached page is served while
the versions of its topics are those it was rendered with (communaute/cache.py).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015_page_versions"
down_revision = "0014_bilingual"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "page_versions",
        sa.Column("topic", sa.String(length=120), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("topic", name=op.f("pk_page_versions")),
    )


def downgrade():
    op.drop_table("page_versions")
