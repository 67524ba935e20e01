"""the rest of the site: requests, resources, news, publications, portraits, pages (issue 14)

Revision ID: 0011_site
Revises: 0010_coordination
Create Date: 2026-12-01 12:30:00

One file per branch of work, reserved in advance so the chain stays linear when the
branches are merged; empty until its branch fills it.
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

import communaute.db

# revision identifiers, used by Alembic.
revision = "0011_site"
down_revision = "0010_coordination"
branch_labels = None
depends_on = None


def _up_requests():
    op.create_table(
        "collaboration_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", communaute.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", communaute.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "new",
                "in_progress",
                "answered",
                "closed",
                name="requeststate",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("position", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "research_project",
                "speaker",
                "document_review",
                "committee",
                "other",
                name="requestkind",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("project", sa.Text(), nullable=False),
        sa.Column("involvement", sa.Text(), nullable=False),
        sa.Column("dates", sa.String(length=200), nullable=False),
        sa.Column("compensation", sa.Text(), nullable=False),
        sa.Column(
            "meeting_languages",
            sa.Enum("fr", "en", "both", name="meetinglanguages", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("accessibility", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("nonce", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignee_id"],
            ["users.id"],
            name=op.f("fk_collaboration_requests_assignee_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_collaboration_requests_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collaboration_requests")),
    )
    with op.batch_alter_table("collaboration_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_collaboration_requests_assignee_id"), ["assignee_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_collaboration_requests_email"), ["email"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_collaboration_requests_state"), ["state"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_collaboration_requests_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "collaboration_request_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("created_at", communaute.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("from_team", sa.Boolean(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_collaboration_request_messages_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["collaboration_requests.id"],
            name=op.f("fk_collaboration_request_messages_request_id_collaboration_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collaboration_request_messages")),
    )
    with op.batch_alter_table("collaboration_request_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_collaboration_request_messages_author_id"), ["author_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_collaboration_request_messages_request_id"), ["request_id"], unique=False
        )

    op.create_table(
        "collaboration_request_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("created_at", communaute.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_collaboration_request_notes_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["collaboration_requests.id"],
            name=op.f("fk_collaboration_request_notes_request_id_collaboration_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collaboration_request_notes")),
    )
    with op.batch_alter_table("collaboration_request_notes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_collaboration_request_notes_author_id"), ["author_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_collaboration_request_notes_request_id"), ["request_id"], unique=False
        )


def _down_requests():
    with op.batch_alter_table("collaboration_request_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_collaboration_request_notes_request_id"))
        batch_op.drop_index(batch_op.f("ix_collaboration_request_notes_author_id"))

    op.drop_table("collaboration_request_notes")
    with op.batch_alter_table("collaboration_request_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_collaboration_request_messages_request_id"))
        batch_op.drop_index(batch_op.f("ix_collaboration_request_messages_author_id"))

    op.drop_table("collaboration_request_messages")
    with op.batch_alter_table("collaboration_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_collaboration_requests_user_id"))
        batch_op.drop_index(batch_op.f("ix_collaboration_requests_state"))
        batch_op.drop_index(batch_op.f("ix_collaboration_requests_email"))
        batch_op.drop_index(batch_op.f("ix_collaboration_requests_assignee_id"))

    op.drop_table("collaboration_requests")


def _up_resources():
    op.create_table(
        "resources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", communaute.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", communaute.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "guide",
                "white_paper",
                "video",
                "podcast",
                "web_page",
                name="resourcekind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("title_en", sa.String(length=300), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("description_en", sa.Text(), nullable=True),
        sa.Column("content_language", sa.String(length=2), nullable=False),
        sa.Column("subtitle_language", sa.String(length=2), nullable=True),
        sa.Column("duration_minutes", sa.Integer(), nullable=True),
        sa.Column("page_count", sa.Integer(), nullable=True),
        sa.Column(
            "audience",
            sa.Enum(
                "everyone",
                "patient_partners",
                "researchers",
                "health_workers",
                name="audience",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("link_url", sa.String(length=500), nullable=True),
        sa.Column("file_name", sa.String(length=64), nullable=True),
        sa.Column("file_size", sa.Integer(), nullable=True),
        sa.Column("transcript", sa.Text(), nullable=True),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resources")),
    )
    with op.batch_alter_table("resources", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_resources_audience"), ["audience"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_resources_content_language"), ["content_language"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_resources_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_resources_published"), ["published"], unique=False)


def _down_resources():
    with op.batch_alter_table("resources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resources_published"))
        batch_op.drop_index(batch_op.f("ix_resources_kind"))
        batch_op.drop_index(batch_op.f("ix_resources_content_language"))
        batch_op.drop_index(batch_op.f("ix_resources_audience"))

    op.drop_table("resources")


def _up_news():
    op.create_table(
        "news_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", communaute.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", communaute.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("title_en", sa.String(length=200), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_en", sa.Text(), nullable=True),
        sa.Column("published_at", communaute.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("picture_name", sa.String(length=64), nullable=True),
        sa.Column("picture_alt", sa.String(length=300), nullable=True),
        sa.Column("picture_alt_en", sa.String(length=300), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_news_posts_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_news_posts")),
    )
    with op.batch_alter_table("news_posts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_news_posts_author_id"), ["author_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_news_posts_published_at"), ["published_at"], unique=False
        )


def _down_news():
    with op.batch_alter_table("news_posts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_news_posts_published_at"))
        batch_op.drop_index(batch_op.f("ix_news_posts_author_id"))

    op.drop_table("news_posts")


def _up_publications():
    op.create_table(
        "publications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", communaute.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", communaute.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("title_en", sa.String(length=300), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("summary_en", sa.Text(), nullable=True),
        sa.Column("sections", sa.Text(), nullable=False),
        sa.Column("sections_en", sa.Text(), nullable=True),
        sa.Column("recommendations", sa.Text(), nullable=False),
        sa.Column("recommendations_en", sa.Text(), nullable=True),
        sa.Column("authors", sa.Text(), nullable=False),
        sa.Column("contributors", sa.Text(), nullable=False),
        sa.Column("link_url", sa.String(length=500), nullable=True),
        sa.Column("file_name", sa.String(length=64), nullable=True),
        sa.Column("file_size", sa.Integer(), nullable=True),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publications")),
    )
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_publications_issued_on"), ["issued_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_publications_published"), ["published"], unique=False)


def _down_publications():
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_publications_published"))
        batch_op.drop_index(batch_op.f("ix_publications_issued_on"))

    op.drop_table("publications")


def _up_portraits():
    op.create_table(
        "portraits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", communaute.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=120), nullable=False),
        sa.Column("role_en", sa.String(length=120), nullable=True),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("quote_en", sa.Text(), nullable=True),
        sa.Column("photo_name", sa.String(length=64), nullable=True),
        sa.Column("photo_alt", sa.String(length=300), nullable=True),
        sa.Column("photo_alt_en", sa.String(length=300), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("consent_on", sa.Date(), nullable=True),
        sa.Column("consent_note", sa.String(length=500), nullable=True),
        sa.Column("consent_recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("withdrawn_at", communaute.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by_id", sa.Integer(), nullable=True),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consent_recorded_by_id"],
            ["users.id"],
            name=op.f("fk_portraits_consent_recorded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_portraits_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["withdrawn_by_id"],
            ["users.id"],
            name=op.f("fk_portraits_withdrawn_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portraits")),
    )
    with op.batch_alter_table("portraits", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_portraits_consent_recorded_by_id"),
            ["consent_recorded_by_id"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_portraits_user_id"), ["user_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_portraits_withdrawn_by_id"), ["withdrawn_by_id"], unique=False
        )

    op.create_table(
        "portrait_consent_moves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("portrait_id", sa.Integer(), nullable=False),
        sa.Column(
            "move",
            sa.Enum("given", "withdrawn", name="consentmove", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("at", communaute.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("consent_on", sa.Date(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_portrait_consent_moves_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["portrait_id"],
            ["portraits.id"],
            name=op.f("fk_portrait_consent_moves_portrait_id_portraits"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portrait_consent_moves")),
    )
    with op.batch_alter_table("portrait_consent_moves", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_portrait_consent_moves_actor_id"), ["actor_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_portrait_consent_moves_portrait_id"), ["portrait_id"], unique=False
        )


def _down_portraits():
    with op.batch_alter_table("portrait_consent_moves", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_portrait_consent_moves_portrait_id"))
        batch_op.drop_index(batch_op.f("ix_portrait_consent_moves_actor_id"))

    op.drop_table("portrait_consent_moves")
    with op.batch_alter_table("portraits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_portraits_withdrawn_by_id"))
        batch_op.drop_index(batch_op.f("ix_portraits_user_id"))
        batch_op.drop_index(batch_op.f("ix_portraits_consent_recorded_by_id"))

    op.drop_table("portraits")


def _up_pages():
    op.create_table(
        "site_pages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("updated_at", communaute.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("slug", sa.String(length=60), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("title_en", sa.String(length=120), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_en", sa.Text(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site_pages")),
        sa.UniqueConstraint("slug", name=op.f("uq_site_pages_slug")),
    )


def _down_pages():
    op.drop_table("site_pages")


def _up_activities():
    op.create_table(
        "training_activity_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "reading",
                "video",
                "resource",
                "reflection",
                name="stepkind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("title_en", sa.String(length=200), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_en", sa.Text(), nullable=True),
        sa.Column("link_url", sa.String(length=500), nullable=True),
        sa.Column("captions", sa.String(length=2), nullable=True),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["training_courses.id"],
            name=op.f("fk_training_activity_steps_course_id_training_courses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_activity_steps")),
        sa.UniqueConstraint(
            "course_id", "position", name=op.f("uq_training_activity_steps_course_id_position")
        ),
    )
    with op.batch_alter_table("training_activity_steps", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_training_activity_steps_course_id"), ["course_id"], unique=False
        )

    op.create_table(
        "training_activity_completions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("completed_at", communaute.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["training_registrations.id"],
            name=op.f("fk_training_activity_completions_registration_id_training_registrations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_activity_completions")),
        sa.UniqueConstraint(
            "registration_id", name=op.f("uq_training_activity_completions_registration_id")
        ),
    )
    op.create_table(
        "training_step_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("step_id", sa.Integer(), nullable=False),
        sa.Column("done_at", communaute.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["training_registrations.id"],
            name=op.f("fk_training_step_progress_registration_id_training_registrations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["step_id"],
            ["training_activity_steps.id"],
            name=op.f("fk_training_step_progress_step_id_training_activity_steps"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_step_progress")),
        sa.UniqueConstraint(
            "registration_id",
            "step_id",
            name=op.f("uq_training_step_progress_registration_id_step_id"),
        ),
    )
    with op.batch_alter_table("training_step_progress", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_training_step_progress_registration_id"),
            ["registration_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_training_step_progress_step_id"), ["step_id"], unique=False
        )


def _down_activities():
    with op.batch_alter_table("training_step_progress", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_training_step_progress_step_id"))
        batch_op.drop_index(batch_op.f("ix_training_step_progress_registration_id"))

    op.drop_table("training_step_progress")
    op.drop_table("training_activity_completions")
    with op.batch_alter_table("training_activity_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_training_activity_steps_course_id"))

    op.drop_table("training_activity_steps")


def upgrade():
    _up_requests()
    _up_resources()
    _up_news()
    _up_publications()
    _up_portraits()
    _up_pages()
    _up_activities()


def downgrade():
    _down_activities()
    _down_pages()
    _down_portraits()
    _down_publications()
    _down_news()
    _down_resources()
    _down_requests()
