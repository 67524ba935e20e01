"""The steps of a self-paced activity, one page each; done at each step, saved at once."""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import TextAreaField
from wtforms.validators import Length

from communaute.extensions import db
from communaute.forms import BaseForm
from communaute.registry import (
    register_demo_loader,
    register_me_section,
    register_personal_data,
)
from communaute.trainings import activities, bp
from communaute.trainings.models import Course
from communaute.web import shown_on, unit_of_work


class StepForm(BaseForm):
    answer = TextAreaField(
        _l("Your answer"),
        description=_l("Only you and the team can read it."),
        validators=[
            Length(
                max=activities.ANSWER_MAX,
                message=_l("Up to %(max)d characters.", max=activities.ANSWER_MAX),
            )
        ],
        render_kw={"rows": 6},
    )


@bp.app_context_processor
def _activity_helpers():
    return {"activity_of": _activity_of}


def _activity_of(course, user) -> dict | None:
    """For the course page: its steps and where the member is (None without steps)."""
    steps = activities.steps_of(course)
    if not steps:
        return None
    reg = activities.active_registration(course, user)
    done = activities.done_step_ids(reg) if reg else set()
    return {
        "steps": steps,
        "done": done,
        "registered": reg is not None,
        "completion": activities.completion_of(reg) if reg else None,
        "next": next((s for s in steps if s.id not in done), steps[0]),
    }


def _load(slug: str, step_id: int):
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None or not course.visible_to(current_user) or not course.is_self_paced:
        abort(404)
    step = db.get_or_404(activities.ActivityStep, step_id)
    if step.course_id != course.id:
        abort(404)
    return course, step


def _page(course, step, reg, form=None):
    steps = activities.steps_of(course)
    done = activities.done_step_ids(reg)
    index = [s.id for s in steps].index(step.id)
    progress = db.session.scalar(
        select(activities.StepProgress).where(
            activities.StepProgress.registration_id == reg.id,
            activities.StepProgress.step_id == step.id,
        )
    )
    if form is None:
        form = StepForm(answer=progress.answer if progress else None)
    return render_template(
        "trainings/step.html",
        course=course,
        step=step,
        steps=steps,
        done=done,
        number=index + 1,
        form=form,
        completion=activities.completion_of(reg),
    )


@bp.route("/<slug>/steps/<id:step_id>")
@login_required
def step(slug, step_id):
    course, step_ = _load(slug, step_id)
    reg = activities.active_registration(course, current_user)
    if reg is None:
        return redirect(url_for("trainings.course", slug=slug, _anchor="materiel"))
    return _page(course, step_, reg)


@bp.route("/<slug>/steps/<id:step_id>/done", methods=["POST"])
@shown_on("trainings.step")
@login_required
def step_done(slug, step_id):
    course, step_ = _load(slug, step_id)
    reg = activities.active_registration(course, current_user)
    if reg is None:
        abort(404)
    form = StepForm()
    if not form.validate_on_submit():
        return _page(course, step_, reg, form)
    with unit_of_work(form, field="answer") as work:
        completion = activities.complete_step(reg, step_, answer=form.answer.data)
        if completion is not None:
            work.flash(_("You have completed this activity. Well done!"))
    if work.failed:
        return _page(course, step_, reg, form)
    steps = activities.steps_of(course)
    later = [s for s in steps if s.position > step_.position]
    if later:
        return redirect(url_for("trainings.step", slug=slug, step_id=later[0].id))
    return redirect(url_for("trainings.course", slug=slug, _anchor="materiel"))


register_personal_data(
    "activities",
    export=activities.export_progress,
    erase=activities.erase_progress,
    tables=("training_step_progress", "training_activity_completions"),
)
register_me_section(
    "activities",
    template="trainings/_activities_me.html",
    context=lambda user: {"activities": activities.progress_for(user)},
    order=11,
)


def _load_demo(coordinator, member) -> list[str]:
    from communaute.trainings import activity_demo

    return activity_demo.load(coordinator, member)


register_demo_loader("activities", _load_demo, order=11)
