"""Self-paced learning activities that are real: a sequence of steps, the member's progress
saved at each step, completion recorded.

A self-paced course (``Course.is_self_paced``) may have steps: a reading with its text, a
video (a link to its host, with its captions' language and its transcript here), a resource
(a link), a short reflection question. A registered member goes through them in order; each
step done is a ``StepProgress`` row (with their answer to a reflection), and the last one
records an ``ActivityCompletion``. Progress hangs on the registration, so it goes with it.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from communaute.db import utcnow
from communaute.errors import DomainError
from communaute.extensions import db
from communaute.i18n import lazy_gettext as _l
from communaute.trainings.models import Course, Registration, RegistrationState

ANSWER_MAX = 5_000


class StepKind(enum.StrEnum):
    reading = "reading"
    video = "video"
    resource = "resource"
    reflection = "reflection"


STEP_LABELS = {
    StepKind.reading: _l("Reading"),
    StepKind.video: _l("Video"),
    StepKind.resource: _l("Resource"),
    StepKind.reflection: _l("Reflection"),
}


class ActivityStep(db.Model):
    __tablename__ = "training_activity_steps"
    __table_args__ = (UniqueConstraint("course_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(
        ForeignKey("training_courses.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[StepKind] = mapped_column(db.Enum(StepKind, native_enum=False, length=20))
    title: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    #: Markdown: the text of a reading, the transcript of a video, what a resource is, the
    #: question of a reflection.
    body: Mapped[str] = mapped_column(Text, default="")
    body_en: Mapped[str | None] = mapped_column(Text)
    #: The video's page at its host, or the resource. Entered by coordinators.
    link_url: Mapped[str | None] = mapped_column(String(500))
    #: The language of a video's captions ("fr", "en"), when it has some.
    captions: Mapped[str | None] = mapped_column(String(2))

    course: Mapped[Course] = relationship()

    @property
    def kind_label(self):
        return STEP_LABELS[self.kind]


class StepProgress(db.Model):
    """A step a member has done, with their answer to a reflection question."""

    __tablename__ = "training_step_progress"
    __table_args__ = (UniqueConstraint("registration_id", "step_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("training_registrations.id", ondelete="CASCADE"), index=True
    )
    step_id: Mapped[int] = mapped_column(
        ForeignKey("training_activity_steps.id", ondelete="CASCADE"), index=True
    )
    done_at: Mapped[datetime] = mapped_column(default=utcnow)
    answer: Mapped[str | None] = mapped_column(Text)


class ActivityCompletion(db.Model):
    """The moment a member finished every step (an attestation can be issued from it)."""

    __tablename__ = "training_activity_completions"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("training_registrations.id", ondelete="CASCADE"), unique=True
    )
    completed_at: Mapped[datetime] = mapped_column(default=utcnow)

    registration: Mapped[Registration] = relationship()


class ActivityError(DomainError):
    pass


# Rules -------------------------------------------------------------------------------------


def steps_of(course: Course) -> list[ActivityStep]:
    return list(
        db.session.scalars(
            select(ActivityStep)
            .where(ActivityStep.course_id == course.id)
            .order_by(ActivityStep.position)
        )
    )


def active_registration(course: Course, user) -> Registration | None:
    if not (user and user.is_authenticated):
        return None
    return db.session.scalar(
        select(Registration).where(
            Registration.course_id == course.id,
            Registration.user_id == user.id,
            Registration.session_id.is_(None),
            Registration.state != RegistrationState.cancelled,
        )
    )


def done_step_ids(reg: Registration) -> set[int]:
    return set(
        db.session.scalars(
            select(StepProgress.step_id).where(StepProgress.registration_id == reg.id)
        )
    )


def update_step(step: ActivityStep, **values) -> ActivityStep:
    """Changes what a step says (kind, titles, texts, link, captions); its place stays."""
    for name, value in values.items():
        setattr(step, name, value)
    db.session.flush()
    return step


def move_step(step: ActivityStep, direction: str) -> bool:
    """Swaps the step with the one before ("up") or after ("down") it in its activity.
    Returns False when it is already first or last. The course row is locked first, so two
    coordinators reordering at once wait for each other instead of breaking the order."""
    db.session.scalar(select(Course.id).where(Course.id == step.course_id).with_for_update())
    db.session.refresh(step)
    order = steps_of(step.course)
    index = next(i for i, s in enumerate(order) if s.id == step.id)
    other_index = index - 1 if direction == "up" else index + 1
    if other_index < 0 or other_index >= len(order):
        return False
    other = order[other_index]
    mine, theirs = step.position, other.position
    # (course_id, position) is unique: go through a free place while swapping.
    step.position = -mine
    db.session.flush()
    other.position = mine
    db.session.flush()
    step.position = theirs
    db.session.flush()
    return True


def completion_of(reg: Registration) -> ActivityCompletion | None:
    return db.session.scalar(
        select(ActivityCompletion).where(ActivityCompletion.registration_id == reg.id)
    )


def complete_step(
    reg: Registration, step: ActivityStep, *, answer: str | None = None
) -> ActivityCompletion | None:
    """Saves the step as done (again: the answer is updated). A reflection needs an answer.
    Returns the completion when this was the last step not done yet."""
    if step.course_id != reg.course_id:
        raise ActivityError(_l("This step belongs to another activity."))
    if step.kind == StepKind.reflection and not (answer or "").strip():
        raise ActivityError(_l("Write a few words before going on."), field="answer")
    progress = db.session.scalar(
        select(StepProgress).where(
            StepProgress.registration_id == reg.id, StepProgress.step_id == step.id
        )
    )
    if progress is None:
        progress = StepProgress(registration_id=reg.id, step_id=step.id)
        db.session.add(progress)
    progress.answer = answer or None
    progress.done_at = utcnow()
    db.session.flush()
    total = {s.id for s in steps_of(reg.course)}
    if not total <= done_step_ids(reg):
        return None
    # The attestation comes with the completion (and, for a completion older than
    # attestations of activities, with the next step saved again).
    from communaute.coordination.certificates import issue_for_completion

    completion = completion_of(reg)
    if completion is not None:
        issue_for_completion(completion)
        return None
    completion = ActivityCompletion(registration_id=reg.id, completed_at=utcnow())
    db.session.add(completion)
    db.session.flush()
    issue_for_completion(completion)
    return completion


def progress_for(user) -> list[dict]:
    """Each self-paced activity with steps the member is registered to: done, total,
    completion, the code of its attestation, the next step (for /me)."""
    regs = db.session.scalars(
        select(Registration).where(
            Registration.user_id == user.id,
            Registration.session_id.is_(None),
            Registration.state != RegistrationState.cancelled,
        )
    ).all()
    from communaute.coordination.certificates import Certificate

    codes = (
        dict(
            db.session.execute(
                select(Certificate.registration_id, Certificate.code).where(
                    Certificate.registration_id.in_([r.id for r in regs]),
                    Certificate.revoked_at.is_(None),
                )
            ).all()
        )
        if regs
        else {}
    )
    out = []
    for reg in regs:
        steps = steps_of(reg.course)
        if not steps:
            continue
        done = done_step_ids(reg)
        out.append(
            {
                "course": reg.course,
                "done": len([s for s in steps if s.id in done]),
                "total": len(steps),
                "completion": completion_of(reg),
                "certificate_code": codes.get(reg.id),
                "next": next((s for s in steps if s.id not in done), steps[0]),
            }
        )
    return out


# Personal data -----------------------------------------------------------------------------


def _registration_ids(user):
    return select(Registration.id).where(Registration.user_id == user.id)


def export_progress(user) -> list[dict]:
    rows = db.session.execute(
        select(Course.slug, ActivityStep.position, StepProgress.done_at, StepProgress.answer)
        .join(ActivityStep, ActivityStep.id == StepProgress.step_id)
        .join(Course, Course.id == ActivityStep.course_id)
        .where(StepProgress.registration_id.in_(_registration_ids(user)))
        .order_by(Course.slug, ActivityStep.position)
    )
    completions = db.session.execute(
        select(Course.slug, ActivityCompletion.completed_at)
        .join(Registration, Registration.id == ActivityCompletion.registration_id)
        .join(Course, Course.id == Registration.course_id)
        .where(Registration.user_id == user.id)
    )
    return {
        "steps": [
            {"activity": slug, "step": pos, "done_at": at.isoformat(), "answer": answer}
            for slug, pos, at, answer in rows
        ],
        "completed": [{"activity": s, "at": at.isoformat()} for s, at in completions],
    }


def erase_progress(user) -> None:
    """Runs before the registrations go (providers run by key: "activities" < "trainings")."""
    ids = _registration_ids(user)
    db.session.execute(StepProgress.__table__.delete().where(StepProgress.registration_id.in_(ids)))
    db.session.execute(
        ActivityCompletion.__table__.delete().where(ActivityCompletion.registration_id.in_(ids))
    )
