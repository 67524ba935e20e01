"""mail people control: preferences, news consent, unsubscribe (issue 13)

Revision ID: 0012_mail_preferences
Revises: 0011_site
Create Date: 2026-12-01 12:30:00

The consents of "news of the series" given at webinar sign-up become subscriptions a
person can stop (one per address, the earliest consent's words and date).
"""

import secrets

import sqlalchemy as sa

import communaute.db
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012_mail_preferences"
down_revision = "0011_site"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "mail_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("consent_text", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("granted_at", communaute.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", communaute.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("purpose", "email", name="uq_mail_subscriptions_address"),
        sa.UniqueConstraint("token"),
    )
    with op.batch_alter_table("mail_subscriptions") as batch:
        batch.create_index("ix_mail_subscriptions_email", ["email"])
        batch.create_index("ix_mail_subscriptions_user_id", ["user_id"])
    op.create_table(
        "mail_subscription_sends",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=80), nullable=False),
        sa.Column("sent_at", communaute.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscription_id"], ["mail_subscriptions.id"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("subscription_id", "topic", name="uq_mail_subscription_sends_once"),
    )
    with op.batch_alter_table("mail_subscription_sends") as batch:
        batch.create_index("ix_mail_subscription_sends_subscription_id", ["subscription_id"])
    with op.batch_alter_table("outbox_messages") as batch:
        batch.add_column(sa.Column("headers", sa.JSON(), nullable=True))
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("wants_reminders", sa.Boolean(), server_default=sa.true(), nullable=False)
        )

    conn = op.get_bind()
    given = conn.execute(
        sa.text(
            "SELECT email, user_id, language, news_consent_text, news_consent_at "
            "FROM webinar_signups WHERE news_consent AND news_consent_at IS NOT NULL "
            "ORDER BY news_consent_at, id"
        )
    ).all()
    seen = set()
    for email, user_id, language, text, at in given:
        if email in seen:
            continue
        seen.add(email)
        conn.execute(
            sa.text(
                "INSERT INTO mail_subscriptions (purpose, email, user_id, language, consent_text,"
                " source, granted_at, token) VALUES ('webinar_news', :email, :user_id,"
                " :language, :text, 'webinar_signup', :at, :token)"
            ),
            {
                "email": email,
                "user_id": user_id,
                "language": language or "fr",
                "text": text or "",
                "at": at,
                "token": secrets.token_urlsafe(24),
            },
        )


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_column("wants_reminders")
    with op.batch_alter_table("outbox_messages") as batch:
        batch.drop_column("headers")
    op.drop_table("mail_subscription_sends")
    op.drop_table("mail_subscriptions")
