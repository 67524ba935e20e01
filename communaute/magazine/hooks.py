"""What the magazine plugs into the platform: personal data, /me, home, coordination, demo."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from communaute.demo import DEMO_LOADERS
from communaute.extensions import db
from communaute.main.views import COORDINATION_LINKS, HOME_BLOCKS
from communaute.privacy import register_me_section, register_personal_data


def _iso(value):
    return value.isoformat() if value else None


def export_submissions(user) -> list[dict]:
    """Every testimony of ``user`` with its consents, thread, text edits and history."""
    from communaute.magazine.services import submissions_of

    return [
        {
            "id": s.id,
            "title": s.title,
            "text": s.text,
            "form": s.form.value,
            "perspective": s.perspective.value,
            "language": s.language,
            "byline": s.byline.value,
            "pen_name": s.pen_name,
            "third_party": s.third_party.value,
            "themes": [t.name for t in s.themes],
            "state": s.state.value,
            "edition": s.edition.label if s.edition else None,
            "created_at": _iso(s.created_at),
            "submitted_at": _iso(s.submitted_at),
            "published_at": _iso(s.published_at),
            "withdrawn_at": _iso(s.withdrawn_at),
            "consents": [
                {
                    "purpose": c.purpose.value,
                    "granted": c.granted,
                    "text": c.text,
                    "version": c.version,
                    "recorded_at": _iso(c.recorded_at),
                }
                for c in s.consents
            ],
            "messages": [
                {
                    "from": "team" if m.from_team else "author",
                    "body": m.body,
                    "created_at": _iso(m.created_at),
                }
                for m in s.messages
            ],
            "text_edits": [
                {
                    "old_text": r.old_text,
                    "new_text": r.new_text,
                    "state": r.state.value,
                    "created_at": _iso(r.created_at),
                    "resolved_at": _iso(r.resolved_at),
                }
                for r in s.revisions
            ],
            "history": [
                {
                    "from": c.from_state.value if c.from_state else None,
                    "to": c.to_state.value,
                    "at": _iso(c.at),
                    "note": c.note,
                }
                for c in s.changes
            ],
        }
        for s in submissions_of(user)
    ]


def erase_submissions(user) -> None:
    """Withdraws every testimony (published ones leave the site, the team is told) and
    removes them with their text, consents, thread and edits."""
    from communaute.magazine import emails
    from communaute.magazine.models import (
        StateChange,
        SubmissionMessage,
        SubmissionState,
        TextRevision,
    )
    from communaute.magazine.services import submissions_of

    for submission in submissions_of(user):
        if submission.state not in (SubmissionState.draft, SubmissionState.withdrawn):
            emails.notify_team_withdrawn(
                submission, was_published=submission.state == SubmissionState.published
            )
        db.session.delete(submission)
    db.session.flush()
    # A coordinator leaving: their messages, moves and edits on others' texts stay, unsigned
    # (done here, not only by ON DELETE SET NULL, which SQLite does not enforce by default).
    for model, column in (
        (SubmissionMessage, SubmissionMessage.sender_id),
        (StateChange, StateChange.by_id),
        (TextRevision, TextRevision.editor_id),
    ):
        db.session.execute(
            update(model)
            .where(column == user.id)
            .values({column.key: None})
            .execution_options(synchronize_session=False)
        )


def me_context(user) -> dict:
    from communaute.magazine.services import submissions_of

    return {"submissions": submissions_of(user)}


def home_block() -> dict:
    from communaute.magazine.services import published_query

    latest = db.session.scalars(published_query().limit(3)).all()
    return {"template": "magazine/_home.html", "testimonies": latest}


def load_demo(coordinator, member) -> list[str]:
    from communaute.magazine import demo

    return demo.load(coordinator, member)


register_personal_data(
    "magazine",
    export=export_submissions,
    erase=erase_submissions,
    tables=(
        "magazine_submissions",
        "magazine_submission_consents",
        "magazine_messages",
        "magazine_state_changes",
        "magazine_text_revisions",
        "magazine_submission_themes",
    ),
)
register_me_section("magazine", template="magazine/_me.html", context=me_context, order=30)
HOME_BLOCKS["30_magazine"] = home_block
COORDINATION_LINKS.append(("magazine.review_queue", _l("Magazine: editorial queue")))
DEMO_LOADERS.append(load_demo)
