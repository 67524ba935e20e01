"""coordination: home, notifications, roster messages, series, attendance import, people, certificates (issue 12)

Revision ID: 0010_coordination
Revises: 0009_journeys
Create Date: 2026-12-01 12:30:00

One file per branch of work, reserved in advance so the chain stays linear when the
branches are merged; empty until its branch fills it.
"""

import sqlalchemy as sa
from alembic import op

from communaute.db import UTCDateTime

# revision identifiers, used by Alembic.
revision = "0010_coordination"
down_revision = "0009_journeys"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("full_name", sa.String(length=120), nullable=True))
        batch_op.add_column(
            sa.Column("coordinator_alerts", sa.String(length=10), server_default="each", nullable=False)
        )
    with op.batch_alter_table("webinar_signups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("full_name", sa.String(length=120), nullable=True))
    op.create_table(
        "coordination_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("parent_kind", sa.Enum("session", "webinar", name="parentkind", native_enum=False, length=20), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=False),
        sa.Column(
            "audience",
            sa.Enum("confirmed", "waiting", "attended", "absent", "everyone", name="audience", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("subject_fr", sa.String(length=150), nullable=False),
        sa.Column("body_fr", sa.Text(), nullable=False),
        sa.Column("subject_en", sa.String(length=150), nullable=False),
        sa.Column("body_en", sa.Text(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("sender_id", sa.Integer(), nullable=True),
        sa.Column("recipient_count", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["sender_id"], ["users.id"], name=op.f("fk_coordination_messages_sender_id_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coordination_messages")),
        sa.UniqueConstraint("token", name=op.f("uq_coordination_messages_token")),
    )
    with op.batch_alter_table("coordination_messages", schema=None) as batch_op:
        batch_op.create_index("ix_coordination_messages_parent", ["parent_kind", "parent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_coordination_messages_sender_id"), ["sender_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_coordination_messages_created_at"), ["created_at"], unique=False)
    op.create_table(
        "coordination_message_recipients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"], ["coordination_messages.id"],
            name=op.f("fk_coordination_message_recipients_message_id_coordination_messages"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_coordination_message_recipients_user_id_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coordination_message_recipients")),
        sa.UniqueConstraint("message_id", "email", name=op.f("uq_coordination_message_recipients_message_id_email")),
    )
    op.create_table(
        "coordination_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_coordination_alerts_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coordination_alerts")),
    )
    op.create_table(
        "coordination_failed_notices",
        sa.Column("outbox_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("noticed_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("outbox_id", name=op.f("pk_coordination_failed_notices")),
    )
    op.create_table(
        "coordination_certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("registration_id", sa.Integer(), nullable=True),
        sa.Column("full_name", sa.String(length=120), nullable=False),
        sa.Column("course_title", sa.String(length=200), nullable=False),
        sa.Column("session_start", UTCDateTime(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("issued_at", UTCDateTime(), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_coordination_certificates_user_id_users"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["registration_id"], ["training_registrations.id"],
            name=op.f("fk_coordination_certificates_registration_id_training_registrations"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(["issued_by_id"], ["users.id"], name=op.f("fk_coordination_certificates_issued_by_id_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coordination_certificates")),
        sa.UniqueConstraint("code", name=op.f("uq_coordination_certificates_code")),
        sa.UniqueConstraint("registration_id", name=op.f("uq_coordination_certificates_registration_id")),
    )
    with op.batch_alter_table("coordination_certificates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_coordination_certificates_user_id"), ["user_id"], unique=False)
    with op.batch_alter_table("coordination_alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_coordination_alerts_user_id"), ["user_id"], unique=False)
    with op.batch_alter_table("coordination_message_recipients", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_coordination_message_recipients_message_id"), ["message_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_coordination_message_recipients_email"), ["email"], unique=False)
        batch_op.create_index(batch_op.f("ix_coordination_message_recipients_user_id"), ["user_id"], unique=False)
    with op.batch_alter_table("webinars", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attendance_recorded_at", UTCDateTime(), nullable=True))


def downgrade():
    op.drop_table("coordination_certificates")
    op.drop_table("coordination_failed_notices")
    op.drop_table("coordination_alerts")
    op.drop_table("coordination_message_recipients")
    op.drop_table("coordination_messages")
    with op.batch_alter_table("webinars", schema=None) as batch_op:
        batch_op.drop_column("attendance_recorded_at")
    with op.batch_alter_table("webinar_signups", schema=None) as batch_op:
        batch_op.drop_column("full_name")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("coordinator_alerts")
        batch_op.drop_column("full_name")
