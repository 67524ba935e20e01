"""The steps of a self-paced activity, one page each; done at each step, saved at once."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from communaute.auth.access import coordinator_required
from communaute.extensions import db
from communaute.forms import BaseForm, ButtonForm
from communaute.i18n import lazy_gettext as _l
from communaute.registry import (
    register_demo_loader,
    register_me_section,
    register_personal_data,
)
from communaute.trainings import activities, bp
from communaute.trainings.models import Course
from communaute.web import require_button, shown_on, unit_of_work
from communaute.webinars.forms import url_field


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
    from communaute.coordination.certificates import certificate_of_registration

    steps = activities.steps_of(course)
    if not steps:
        return None
    reg = activities.active_registration(course, user)
    done = activities.done_step_ids(reg) if reg else set()
    completion = activities.completion_of(reg) if reg else None
    return {
        "steps": steps,
        "done": done,
        "registered": reg is not None,
        "completion": completion,
        "certificate": certificate_of_registration(reg.id) if completion else None,
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


@bp.route("/<slug:slug>/steps/<id:step_id>")
@login_required
def step(slug, step_id):
    course, step_ = _load(slug, step_id)
    reg = activities.active_registration(course, current_user)
    if reg is None:
        return redirect(url_for("trainings.course", slug=slug, _anchor="materiel"))
    return _page(course, step_, reg)


@bp.route("/<slug:slug>/steps/<id:step_id>/done", methods=["POST"])
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


# Coordinators: the steps of an activity ----------------------------------------------------


class StepEditForm(BaseForm):
    kind = SelectField(_l("Kind of step"), choices=list(activities.STEP_LABELS.items()))
    title = StringField(
        _l("Title in French"),
        validators=[DataRequired(_l("Enter a title.")), Length(max=200)],
    )
    en_title = StringField(_l("Title in English"), validators=[Optional(), Length(max=200)])
    body = TextAreaField(
        _l("Text in French"),
        description=_l(
            "In Markdown: the text to read, the transcript of the video, what the resource is, "
            "or the reflection question."
        ),
        validators=[DataRequired(_l("Write the text of the step.")), Length(max=60_000)],
        render_kw={"rows": 10},
    )
    en_body = TextAreaField(
        _l("Text in English"), validators=[Optional(), Length(max=60_000)], render_kw={"rows": 10}
    )
    link_url = url_field(_l("Link"), _l("For a video (its page at the host) or a resource."))
    captions = SelectField(
        _l("Captions of the video"),
        choices=[("", _l("No captions")), ("fr", _l("Captions in French")),
                 ("en", _l("Captions in English"))],
    )  # fmt: skip


def _self_paced(course_id: int) -> Course:
    course = db.get_or_404(Course, course_id)
    if not course.is_self_paced:
        abort(404)
    return course


def _steps_page(course, form=None, status=200):
    return render_template(
        "trainings/manage_steps.html",
        course=course,
        steps=activities.steps_of(course),
        form=form or StepEditForm(),
    ), status


def _video_without_link(form) -> bool:
    if form.kind.data == "video" and not form.link_url.data:
        form.link_url.errors = [_("Give the link of the video.")]
        return True
    return False


def _step_values(form) -> dict:
    return {
        "kind": activities.StepKind(form.kind.data),
        "title": form.title.data,
        "title_en": form.en_title.data or None,
        "body": form.body.data,
        "body_en": form.en_body.data or None,
        "link_url": form.link_url.data or None,
        "captions": form.captions.data or None,
    }


def _step_of(course_id: int, step_id: int):
    """The course (self-paced) and one of its steps; 404 for a step of another course."""
    course = _self_paced(course_id)
    step_ = db.get_or_404(activities.ActivityStep, step_id)
    if step_.course_id != course.id:
        abort(404)
    return course, step_


@bp.route("/manage/courses/<id:course_id>/steps", methods=["GET", "POST"])
@coordinator_required
def manage_steps(course_id):
    course = _self_paced(course_id)
    form = StepEditForm()
    if not form.validate_on_submit():
        return _steps_page(course, form if form.is_submitted() else None)
    if _video_without_link(form):
        return _steps_page(course, form)
    with unit_of_work(form, field="title") as work:
        last = max((s.position for s in activities.steps_of(course)), default=0)
        db.session.add(
            activities.ActivityStep(course_id=course.id, position=last + 1, **_step_values(form))
        )
        work.flash(_("The step was added."))
    if work.failed:
        return _steps_page(course, form)
    return redirect(url_for("trainings.manage_steps", course_id=course.id))


@bp.route("/manage/steps/<id:step_id>/delete", methods=["POST"])
@shown_on("trainings.manage")
@coordinator_required
def delete_step(step_id):
    step_ = db.get_or_404(activities.ActivityStep, step_id)
    course_id = step_.course_id
    require_button(ButtonForm())
    with unit_of_work() as work:
        db.session.execute(
            activities.StepProgress.__table__.delete().where(
                activities.StepProgress.step_id == step_.id
            )
        )
        db.session.delete(step_)
        work.flash(_("The step was deleted."))
    return redirect(url_for("trainings.manage_steps", course_id=course_id))


def _edit_page(course, step_, form, status=200):
    return render_template(
        "trainings/manage_step_edit.html", course=course, step=step_, form=form
    ), status


@bp.route("/manage/courses/<id:course_id>/steps/<id:step_id>/edit", methods=["GET", "POST"])
@coordinator_required
def edit_step(course_id, step_id):
    course, step_ = _step_of(course_id, step_id)
    if request.method == "GET":
        form = StepEditForm(
            kind=step_.kind.value,
            title=step_.title,
            en_title=step_.title_en or "",
            body=step_.body,
            en_body=step_.body_en or "",
            link_url=step_.link_url or "",
            captions=step_.captions or "",
        )
        return _edit_page(course, step_, form)
    form = StepEditForm()
    if not form.validate_on_submit() or _video_without_link(form):
        return _edit_page(course, step_, form)
    with unit_of_work(form, field="title") as work:
        activities.update_step(step_, **_step_values(form))
        work.flash(_("The step was saved."))
    if work.failed:
        return _edit_page(course, step_, form)
    return redirect(url_for("trainings.manage_steps", course_id=course.id))


@bp.route(
    "/manage/courses/<id:course_id>/steps/<id:step_id>/<any(up, down):direction>",
    methods=["POST"],
)
@shown_on("trainings.manage_steps")
@coordinator_required
def move_step(course_id, step_id, direction):
    course, step_ = _step_of(course_id, step_id)
    require_button(ButtonForm())
    with unit_of_work() as work:
        moved = activities.move_step(step_, direction)
        if moved:
            work.flash(_("The step was moved."))
        else:
            work.flash(
                _("This step is already the first.")
                if direction == "up"
                else _("This step is already the last.")
            )
    return redirect(
        url_for("trainings.manage_steps", course_id=course.id, _anchor=f"step-{step_.id}")
    )
