"""seats core: the webinar queue by the moment people joined it, a move log, one link per sign-up

Revision ID: 0005_seats_core
Revises: 0004_magazine
Create Date: 2026-12-01 10:00:00

"""

import sqlalchemy as sa
from alembic import op

import communaute.db

# revision identifiers, used by Alembic.
revision = "0005_seats_core"
down_revision = "0004_magazine"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("webinar_signups", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("waitlisted_at", communaute.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("joined_at", communaute.db.UTCDateTime(timezone=True), nullable=True)
        )
    # Who waits today keeps their place: until now the queue was ordered by created_at.
    op.execute("UPDATE webinar_signups SET waitlisted_at = created_at WHERE state = 'waiting'")
    op.execute("UPDATE webinar_signups SET joined_at = created_at")
    with op.batch_alter_table("webinar_signups", schema=None) as batch_op:
        batch_op.alter_column(
            "joined_at", existing_type=communaute.db.UTCDateTime(timezone=True), nullable=False
        )
        batch_op.create_index(
            "ix_webinar_signups_queue", ["webinar_id", "state", "waitlisted_at"], unique=False
        )

    op.create_table(
        "webinar_signup_moves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("signup_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("from_state", sa.String(length=30), nullable=True),
        sa.Column("to_state", sa.String(length=30), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("created_at", communaute.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_webinar_signup_moves_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["signup_id"],
            ["webinar_signups.id"],
            name=op.f("fk_webinar_signup_moves_signup_id_webinar_signups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webinar_signup_moves")),
    )
    with op.batch_alter_table("webinar_signup_moves", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_webinar_signup_moves_actor_id"), ["actor_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_webinar_signup_moves_signup_id"), ["signup_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("webinar_signup_moves", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webinar_signup_moves_signup_id"))
        batch_op.drop_index(batch_op.f("ix_webinar_signup_moves_actor_id"))
    op.drop_table("webinar_signup_moves")
    with op.batch_alter_table("webinar_signups", schema=None) as batch_op:
        batch_op.drop_index("ix_webinar_signups_queue")
        batch_op.drop_column("joined_at")
        batch_op.drop_column("waitlisted_at")
