"""What the magazine asks of a coordinator today (lines of /coordination/), in 4 queries.

"Not answered": the author's last message (a reply, an approval of an edit, an answer to
it: all land in the thread) is newer than anything the team did on the text since (a
message or a decision). Answering, or deciding, takes the line off the home.
"""

from __future__ import annotations

from datetime import datetime

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from communaute.coordination.timing import waiting_for
from communaute.extensions import db
from communaute.magazine.models import StateChange, Submission, SubmissionMessage
from communaute.magazine.models import SubmissionState as S
from communaute.registry import CoordinationItem

#: Where an author's message still asks for the team (not a draft, not withdrawn).
OPEN = (S.submitted, S.in_review, S.changes_requested, S.accepted, S.published, S.declined)
LIMIT = 100


def coordination_items(now: datetime) -> list[CoordinationItem]:
    items = []
    for submission in db.session.scalars(
        select(Submission)
        .where(Submission.state == S.submitted)
        .order_by(Submission.state_changed_at, Submission.id)
        .limit(LIMIT)
    ):
        items.append(
            CoordinationItem(
                "texts",
                _("« %(title)s »", title=submission.title),
                url_for("magazine.review", submission_id=submission.id),
                waiting_for(submission.state_changed_at, now),
                submission.state_changed_at,
            )
        )
    last_author: dict[int, datetime] = {}
    last_team: dict[int, datetime] = {}
    for submission_id, from_team, at in db.session.execute(
        select(
            SubmissionMessage.submission_id,
            SubmissionMessage.from_team,
            func.max(SubmissionMessage.created_at),
        )
        .join(Submission, Submission.id == SubmissionMessage.submission_id)
        .where(Submission.state.in_(OPEN))
        .group_by(SubmissionMessage.submission_id, SubmissionMessage.from_team)
    ):
        (last_team if from_team else last_author)[submission_id] = at
    for submission_id, at in db.session.execute(
        select(StateChange.submission_id, func.max(StateChange.at))
        .join(Submission, Submission.id == StateChange.submission_id)
        .where(Submission.state.in_(OPEN), StateChange.by_id != Submission.author_id)
        .group_by(StateChange.submission_id)
    ):
        last_team[submission_id] = max(at, last_team.get(submission_id, at))
    waiting = {
        sid: at for sid, at in last_author.items() if sid not in last_team or at > last_team[sid]
    }
    if waiting:
        for submission in db.session.scalars(
            select(Submission).where(Submission.id.in_(sorted(waiting)[:LIMIT]))
        ):
            at = waiting[submission.id]
            items.append(
                CoordinationItem(
                    "replies",
                    _("« %(title)s »", title=submission.title),
                    url_for("magazine.review", submission_id=submission.id),
                    waiting_for(at, now),
                    at,
                )
            )
    return items
