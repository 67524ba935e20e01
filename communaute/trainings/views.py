"""Catalog, course pages, registration, and the coordinators' tools. Thin: rules are in services."""

from __future__ import annotations

import re

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload

from communaute.auth.access import coordinator_required
from communaute.cache import cached_for_visitors
from communaute.db import utcnow
from communaute.errors import DomainError
from communaute.exports import csv_response
from communaute.extensions import db
from communaute.forms import CONTROL, ButtonForm
from communaute.trainings import bp, services
from communaute.trainings.forms import CancelSessionForm, CourseForm, MoveForm, SessionForm
from communaute.trainings.models import (
    AUDIENCE_LABELS,
    FORMAT_LABELS,
    LANGUAGE_LABELS,
    REGISTRATION_STATE_LABELS,
    SESSION_STATE_LABELS,
    SYSTEM_REASONS,
    Course,
    Registration,
    RegistrationMove,
    RegistrationState,
    SessionState,
    TrainingSession,
)

LABELS = {
    "formats": FORMAT_LABELS,
    "audiences": AUDIENCE_LABELS,
    "languages": LANGUAGE_LABELS,
    "session_states": SESSION_STATE_LABELS,
    "registration_states": REGISTRATION_STATE_LABELS,
    "system_reasons": SYSTEM_REASONS,
}


@bp.context_processor
def labels():
    return LABELS


def _int_arg(name: str, default: int = 1) -> int:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and len(value) < 7 else default


# Public ------------------------------------------------------------------------------------


@bp.route("/")
@cached_for_visitors
def catalog():
    filters = {
        # Control characters (NUL among them) cannot reach PostgreSQL: dropped.
        "q": " ".join(CONTROL.sub(" ", request.args.get("q", "")).split())[:100],
        # Not "lang": that parameter switches the interface language on every page.
        "lang": request.args.get("language", ""),
        "format": request.args.get("format", ""),
        "audience": request.args.get("audience", ""),
    }
    result = services.catalog(**filters, page=_int_arg("page"))
    left = services.seats_left_of(result.next_session.values())
    seats = {cid: left[s.id] if s else None for cid, s in result.next_session.items()}
    return render_template("trainings/catalog.html", result=result, filters=filters, seats=seats)


SLUG = re.compile(r"[a-z0-9-]{1,80}")


def _get_course(slug: str) -> Course:
    if not SLUG.fullmatch(slug):
        abort(404)
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None or not course.visible_to(current_user):
        abort(404)
    return course


@bp.route("/<slug>")
@cached_for_visitors
def course(slug):
    course = _get_course(slug)
    now = utcnow()
    upcoming = [s for s in course.sessions if s.starts_at > now]
    past = [s for s in course.sessions if s.starts_at <= now]
    mine = {}
    self_paced = None
    if current_user.is_authenticated:
        regs = services.course_registrations(course, current_user)
        positions = services.waitlist_positions(regs.values())
        mine = {sid: (reg, positions.get(reg.id)) for sid, reg in regs.items()}
        if course.is_self_paced:
            self_paced = services.self_paced_registration(course, current_user)
    counts = services.state_counts(s.id for s in upcoming)
    seats = services.seats_left_of(upcoming, counts)
    info = {
        s.id: {"seats": seats[s.id], "waiting": counts[s.id].get(RegistrationState.waiting, 0)}
        for s in upcoming
    }
    return render_template(
        "trainings/course.html",
        course=course,
        upcoming=upcoming,
        past=past[::-1],
        mine=mine,
        info=info,
        self_paced=self_paced,
        now=now,
    )


@bp.route("/sessions/<id:session_id>/register", methods=["POST"])
@login_required
def register(session_id):
    form = ButtonForm()
    session = db.get_or_404(TrainingSession, session_id)
    if not session.course.visible_to(current_user):
        abort(404)
    target = url_for("trainings.course", slug=session.course.slug)
    if not form.validate_on_submit():
        abort(400)
    try:
        reg, created = services.register_for_session(session, member=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(target)
    # The message is written before the commit, which would expire what it reads.
    if not created:
        message = (_("You are already registered for this session."), "info")
    elif reg.state == RegistrationState.confirmed:
        message = (_("You are registered. A confirmation email is on its way."), "success")
    else:
        message = (
            _(
                "The session is full: you are on the waiting list, in position %(n)d. "
                "If a seat frees up, it will be yours automatically.",
                n=services.waitlist_position(reg),
            ),
            "success",
        )
    db.session.commit()
    flash(*message)
    return redirect(target)


@bp.route("/<slug>/register", methods=["POST"])
@login_required
def register_self_paced(slug):
    form = ButtonForm()
    course = _get_course(slug)
    if not form.validate_on_submit():
        abort(400)
    try:
        _reg, created = services.register_for_self_paced(course, member=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("trainings.course", slug=slug))
    db.session.commit()
    if created:
        flash(_("You are registered. The material link is below, and in your email."), "success")
    return redirect(url_for("trainings.course", slug=slug, _anchor="materiel"))


@bp.route("/registrations/<id:registration_id>/cancel", methods=["POST"])
@login_required
def cancel(registration_id):
    form = ButtonForm()
    reg = db.get_or_404(Registration, registration_id)
    if reg.user_id != current_user.id:
        abort(404)
    if not form.validate_on_submit():
        abort(400)
    try:
        services.cancel_registration(reg, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(_("Your registration is cancelled."), "success")
    nxt = request.form.get("next", "")
    if nxt == "me":
        return redirect(url_for("main.me"))
    return redirect(url_for("trainings.course", slug=reg.course.slug))


@bp.route("/give-back/<token>", methods=["GET", "POST"])
def give_back(token):
    """The link in the promotion email: a confirm page (GET changes nothing), then POST."""
    reg = services.registration_for_token(token)
    form = ButtonForm()
    if reg is None:
        return render_template("trainings/give_back.html", reg=None), 404
    if request.method == "POST" and form.validate_on_submit():
        try:
            services.give_back_seat(reg)
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            return render_template("trainings/give_back.html", reg=reg, form=form)
        db.session.commit()
        return render_template("trainings/give_back.html", reg=reg, done=True)
    return render_template("trainings/give_back.html", reg=reg, form=form)


# Coordinators ------------------------------------------------------------------------------


@bp.route("/manage/")
@coordinator_required
def manage():
    courses = db.session.scalars(select(Course).order_by(Course.title)).all()
    summaries = services.course_summaries(c.id for c in courses)
    return render_template(
        "trainings/manage/index.html", courses=courses, summaries=summaries, form=ButtonForm()
    )


def _apply_domain_error(form, exc: DomainError) -> None:
    field = getattr(form, exc.field, None) if exc.field else None
    if field is None:
        flash(exc.message, "error")
    else:
        field.errors = [*field.errors, exc.message]


@bp.route("/manage/courses/new", methods=["GET", "POST"])
@bp.route("/manage/courses/<id:course_id>", methods=["GET", "POST"])
@coordinator_required
def course_form(course_id=None):
    course = db.get_or_404(Course, course_id) if course_id else None
    form = CourseForm(obj=course)
    if course and request.method == "GET":
        form.format.data = course.format.value
        form.audience.data = course.audience.value
    if form.validate_on_submit():
        try:
            course = services.save_course(course, **form.values())
        except DomainError as exc:
            db.session.rollback()
            _apply_domain_error(form, exc)
        else:
            db.session.commit()
            flash(_("The course is saved."), "success")
            return redirect(url_for("trainings.manage_course", course_id=course.id))
    return render_template("trainings/manage/course_form.html", form=form, course=course)


@bp.route("/manage/courses/<id:course_id>/sessions")
@coordinator_required
def manage_course(course_id):
    course = db.get_or_404(Course, course_id)
    counts = services.state_counts(s.id for s in course.sessions)
    info = {
        s.id: {
            "confirmed": counts[s.id].get(RegistrationState.confirmed, 0),
            "waiting": counts[s.id].get(RegistrationState.waiting, 0),
        }
        for s in course.sessions
    }
    return render_template(
        "trainings/manage/course.html",
        course=course,
        info=info,
        summary=services.course_summary(course),
        form=ButtonForm(),
    )


@bp.route("/manage/courses/<id:course_id>/publish", methods=["POST"])
@coordinator_required
def publish(course_id):
    course = db.get_or_404(Course, course_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    services.set_published(course, not course.published)
    db.session.commit()
    flash(
        _("The course is published.") if course.published else _("The course is back to draft."),
        "success",
    )
    return redirect(url_for("trainings.manage_course", course_id=course.id))


@bp.route("/manage/courses/<id:course_id>/sessions/new", methods=["GET", "POST"])
@coordinator_required
def session_new(course_id):
    course = db.get_or_404(Course, course_id)
    form = SessionForm()
    if form.validate_on_submit():
        try:
            services.create_session(course, **form.values(), state=SessionState(form.state.data))
        except DomainError as exc:
            db.session.rollback()
            _apply_domain_error(form, exc)
        else:
            db.session.commit()
            flash(_("The session is added."), "success")
            return redirect(url_for("trainings.manage_course", course_id=course.id))
    return render_template("trainings/manage/session_form.html", form=form, course=course)


@bp.route("/manage/sessions/<id:session_id>/edit", methods=["GET", "POST"])
@coordinator_required
def session_edit(session_id):
    session = db.get_or_404(TrainingSession, session_id)
    form = SessionForm()
    if request.method == "GET":
        form.fill(session)
    elif form.validate_on_submit():
        try:
            promoted = services.update_session(
                session, **form.values(), state=SessionState(form.state.data)
            )
        except DomainError as exc:
            db.session.rollback()
            _apply_domain_error(form, exc)
        else:
            db.session.commit()
            flash(_("The session is saved."), "success")
            if promoted:
                flash(
                    ngettext(
                        "%(num)d person moved from the waiting list to confirmed.",
                        "%(num)d people moved from the waiting list to confirmed.",
                        len(promoted),
                    ),
                    "success",
                )
            return redirect(url_for("trainings.roster", session_id=session.id))
    return render_template(
        "trainings/manage/session_form.html", form=form, course=session.course, session=session
    )


def _registrations_with_users(session_id: int) -> list[Registration]:
    """``session.registrations`` (same order), with each registrant loaded in the same query."""
    return db.session.scalars(
        select(Registration)
        .where(Registration.session_id == session_id)
        .order_by(Registration.id)
        .options(joinedload(Registration.user))
    ).all()


@bp.route("/manage/sessions/<id:session_id>")
@coordinator_required
def roster(session_id):
    session = db.get_or_404(TrainingSession, session_id)
    groups = {state: [] for state in RegistrationState}
    for reg in _registrations_with_users(session.id):
        groups[reg.state].append(reg)
    # The same registrations, their users already loaded: one query, in queue order.
    groups[RegistrationState.waiting] = services.waiting_list(session)
    log = db.session.scalars(
        select(RegistrationMove)
        .join(Registration)
        .where(Registration.session_id == session.id)
        .order_by(RegistrationMove.id.desc())
        .limit(200)
        .options(
            contains_eager(RegistrationMove.registration).joinedload(Registration.user),
            joinedload(RegistrationMove.actor),
        )
    ).all()
    return render_template(
        "trainings/manage/roster.html",
        session=session,
        course=session.course,
        groups=groups,
        move_form=MoveForm(),
        cancel_form=CancelSessionForm(),
        form=ButtonForm(),
        confirmed=len(groups[RegistrationState.confirmed]),
        log=log,
    )


@bp.route("/manage/sessions/<id:session_id>/attendance", methods=["POST"])
@coordinator_required
def attendance(session_id):
    session = db.get_or_404(TrainingSession, session_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    ids = {int(v) for v in request.form.getlist("attended") if v.isdigit() and len(v) < 12}
    count = services.mark_attendance(session, ids)
    db.session.commit()
    flash(_("Attendance saved: %(n)d present.", n=count), "success")
    return redirect(url_for("trainings.roster", session_id=session.id))


@bp.route("/manage/registrations/<id:registration_id>/move", methods=["POST"])
@coordinator_required
def move(registration_id):
    reg = db.get_or_404(Registration, registration_id)
    if reg.session is None:
        abort(404)
    form = MoveForm()
    if form.validate_on_submit():
        try:
            services.move_registration(
                reg,
                to_state=RegistrationState(form.to_state.data),
                actor=current_user,
                reason=form.reason.data,
            )
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(_("The move is saved and the person is told by email."), "success")
    else:
        for _id, label, message in form.all_errors:
            flash(f"{label} : {message}", "error")
    return redirect(url_for("trainings.roster", session_id=reg.session_id))


@bp.route("/manage/sessions/<id:session_id>/cancel", methods=["POST"])
@coordinator_required
def session_cancel(session_id):
    session = db.get_or_404(TrainingSession, session_id)
    form = CancelSessionForm()
    if form.validate_on_submit():
        try:
            told = services.cancel_session(
                session, actor=current_user, reason=form.reason.data or ""
            )
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(
                ngettext(
                    "The session is cancelled; %(num)d person is told by email.",
                    "The session is cancelled; %(num)d people are told by email.",
                    told,
                ),
                "success",
            )
    else:
        for _id, label, message in form.all_errors:
            flash(f"{label} : {message}", "error")
    return redirect(url_for("trainings.roster", session_id=session.id))


@bp.route("/manage/sessions/<id:session_id>/registrants.csv")
@coordinator_required
def roster_csv(session_id):
    session = db.get_or_404(TrainingSession, session_id)
    header = [
        "Nom",
        "Courriel",
        "État",
        "Rang sur la liste d'attente",
        "Présence",
        "Besoins d'accommodement",
        "Inscrit le",
    ]
    waiting = {r.id: i for i, r in enumerate(services.waiting_list(session), start=1)}
    states = {"confirmed": "Confirmé", "waiting": "En attente", "cancelled": "Annulé"}

    def rows():
        # Runs while the response streams, after the view's session is closed: load afresh.
        for reg in _registrations_with_users(session.id):
            presence = "" if reg.attended is None else ("Présent" if reg.attended else "Absent")
            yield [
                reg.user.display_name,
                reg.user.email,
                states[reg.state.value],
                waiting.get(reg.id, ""),
                presence,
                ", ".join(reg.user.accommodation_labels()),
                reg.created_at.strftime("%Y-%m-%d %H:%M UTC"),
            ]

    filename = f"inscriptions-{session.course.slug}-{session.starts_at:%Y-%m-%d}.csv"
    return csv_response(filename, header, rows())
