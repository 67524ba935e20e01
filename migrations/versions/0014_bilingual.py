"""courses, sessions and webinars in French with an optional English (issue 14)

Revision ID: 0014_bilingual
Revises: 0013_gaps
Create Date: 2026-12-01 14:00:00

Reserved in advance so parallel branches merge in a line; empty until its branch fills it.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014_bilingual"
down_revision = "0013_gaps"
branch_labels = None
depends_on = None


COURSE_COLUMNS = (
    ("title_en", sa.String(200)),
    ("summary_en", sa.String(500)),
    ("description_en", sa.Text()),
    ("duration_en", sa.String(100)),
    ("prerequisites_en", sa.String(500)),
)
WEBINAR_COLUMNS = (
    ("title_en", sa.String(200)),
    ("description_en", sa.Text()),
)


def upgrade():
    with op.batch_alter_table("training_courses") as batch:
        for name, type_ in COURSE_COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))
    with op.batch_alter_table("webinars") as batch:
        for name, type_ in WEBINAR_COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))
    # Course.search_text folds the English title and summary too (the models' listener);
    # the English columns start empty, so the stored search texts stay right as they are.


def downgrade():
    with op.batch_alter_table("webinars") as batch:
        for name, _type in reversed(WEBINAR_COLUMNS):
            batch.drop_column(name)
    with op.batch_alter_table("training_courses") as batch:
        for name, _type in reversed(COURSE_COLUMNS):
            batch.drop_column(name)
