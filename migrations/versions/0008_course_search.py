"""course search without accents: training_courses.search_text

Revision ID: 0008_course_search
Revises: 0007_accounts_security
Create Date: 2026-12-01 10:00:00

"""

import unicodedata

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008_course_search"
down_revision = "0007_accounts_security"
branch_labels = None
depends_on = None

_SPELLED = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ı": "i"})


def _fold(text):
    # A copy of communaute.i18n.fold as it was when this migration was written.
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold().translate(_SPELLED))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.translate(_SPELLED).split())


def upgrade():
    with op.batch_alter_table("training_courses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
    courses = sa.table(
        "training_courses",
        sa.column("id", sa.Integer),
        sa.column("title", sa.String),
        sa.column("summary", sa.String),
        sa.column("description", sa.Text),
        sa.column("search_text", sa.Text),
    )
    bind = op.get_bind()
    for row in bind.execute(sa.select(courses.c.id, courses.c.title, courses.c.summary, courses.c.description)).all():
        bind.execute(
            courses.update()
            .where(courses.c.id == row.id)
            .values(search_text=_fold(" ".join((row.title or "", row.summary or "", row.description or ""))))
        )


def downgrade():
    with op.batch_alter_table("training_courses", schema=None) as batch_op:
        batch_op.drop_column("search_text")
