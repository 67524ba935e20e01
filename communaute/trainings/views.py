"""Catalog, course pages, registration, and the coordinators' tools. Thin: rules are in services."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select

from communaute import calendar, seats
from communaute.auth.access import coordinator_required
from communaute.cache import cached_for_visitors, depends_on
from communaute.content import Localized, localized_item
from communaute.db import utcnow
from communaute.exports import csv_response
from communaute.extensions import db
from communaute.forms import CONTROL, ButtonForm
from communaute.i18n import (
    FORMATTED,
    current_language,
    format_local,
    ngettext,
    pgettext,
    translations,
)
from communaute.i18n import gettext as _
from communaute.routing import whole_number
from communaute.trainings import bp, emails, services
from communaute.trainings.forms import CancelSessionForm, CourseForm, MoveForm, SessionForm
from communaute.trainings.models import (
    AUDIENCE_LABELS,
    FORMAT_LABELS,
    LANGUAGE_LABELS,
    REGISTRATION_STATE_LABELS,
    SESSION_STATE_LABELS,
    SYSTEM_REASONS,
    Course,
    CourseFormat,
    Registration,
    RegistrationState,
    SessionState,
    TrainingSession,
)
from communaute.trainings.services import copies
from communaute.web import paginate_rows, require_button, unit_of_work

LABELS = {
    "formats": FORMAT_LABELS,
    "audiences": AUDIENCE_LABELS,
    "languages": LANGUAGE_LABELS,
    "session_states": SESSION_STATE_LABELS,
    "registration_states": REGISTRATION_STATE_LABELS,
    "system_reasons": SYSTEM_REASONS,
}


def seats_badge(seats: int | None, state: SessionState | None = None) -> Markup:
    """A session's seats as a badge: cancelled, closed, free (how many), or full."""
    return _seats_badge(seats, state, translations())


@lru_cache(maxsize=FORMATTED)
def _seats_badge(seats: int | None, state: SessionState | None, _in) -> Markup:
    """``seats_badge`` once per number, state and language (``_in``: the language's
    translations, which live as long as the process): a catalog page shows ten."""
    if state == SessionState.cancelled:
        look, text = "badge-err", pgettext("feminine", "Cancelled")
    elif state == SessionState.closed:
        look, text = "badge-warn", _("Registration closed")
    elif seats is None:
        look, text = "badge-ok", _("Seats available")
    elif seats > 0:
        look, text = "badge-ok", ngettext("%(num)d place left", "%(num)d places left", seats)
    else:
        look, text = "badge-warn", _("Full: waiting list")
    return Markup('<span class="badge {}">{}</span>').format(look, text)


@bp.context_processor
def labels():
    return {**LABELS, "seats_badge": seats_badge}


class Card(NamedTuple):
    """One course of the catalog, every text ready: the template only prints fields."""

    url: str
    title: Localized
    summary: Localized
    duration: Localized
    #: format · language · audience
    meta: str
    self_paced: bool
    #: "Next session: ..." (empty when there is none)
    next_session: str
    badge: Markup | None


def _cards(rows) -> list[Card]:
    """The catalog's cards, made in Python: the same texts the template made per card with
    macros and lazy labels, for about half of what rendering them cost."""
    lang = current_language()
    formats = {key: str(label) for key, label in FORMAT_LABELS.items()}
    audiences = {key: str(label) for key, label in AUDIENCE_LABELS.items()}
    languages = {key: str(label) for key, label in LANGUAGE_LABELS.items()}
    cards = []
    for row in rows:
        self_paced = row.format == CourseFormat.self_paced
        nxt = not self_paced and row.next_starts_at is not None
        meta = " · ".join(
            (
                formats[row.format],
                languages.get(row.language, row.language),
                audiences[row.audience],
            )
        )
        cards.append(
            Card(
                url=url_for("trainings.course", slug=row.slug),
                title=localized_item(row, "title", lang),
                summary=localized_item(row, "summary", lang),
                duration=localized_item(row, "duration", lang),
                meta=meta,
                self_paced=self_paced,
                next_session=_(
                    "Next session: %(date)s",
                    date=format_local(row.next_starts_at, "datetime", lang),
                )
                if nxt
                else "",
                badge=seats_badge(seats.left(row.next_capacity, row.next_confirmed), row.next_state)
                if nxt
                else None,
            )
        )
    return cards


# Public ------------------------------------------------------------------------------------


@bp.route("/")
@cached_for_visitors("trainings")
def catalog():
    filters = {
        # Control characters (NUL among them) cannot reach PostgreSQL: dropped.
        "q": " ".join(CONTROL.sub(" ", request.args.get("q", "")).split())[:100],
        # Not "lang": that parameter switches the interface language on every page.
        "lang": request.args.get("language", ""),
        "format": request.args.get("format", ""),
        "audience": request.args.get("audience", ""),
    }
    statement, params = services.catalog_query(**filters)
    result = paginate_rows(
        statement, params=params, per_page=services.PAGE_SIZE, around=services.with_seats
    )
    return render_template(
        "trainings/catalog.html",
        result=result,
        cards=_cards(result.items),
        filters=filters,
    )


SLUG = re.compile(r"[a-z0-9-]{1,80}")


def _get_course(slug: str) -> Course:
    if not SLUG.fullmatch(slug):
        abort(404)
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is not None and depends_on(f"course:{course.id}"):
        # Rendered for the page cache: read again, now that its version is known, so that
        # a change landing in between cannot be kept under the newer version.
        db.session.refresh(course)
    if course is None or course.slug != slug or not course.visible_to(current_user):
        abort(404)
    return course


@bp.route("/<slug:slug>")
@cached_for_visitors()
def course(slug):
    course = _get_course(slug)
    now = utcnow()
    upcoming = [s for s in course.sessions if s.starts_at > now]
    past = [s for s in course.sessions if s.starts_at <= now]
    mine = {}
    boxes = {}
    self_paced = None
    if current_user.is_authenticated:
        regs = services.course_registrations(course, current_user)
        positions = services.waitlist_positions(regs.values())
        mine = {sid: (reg, positions.get(reg.id)) for sid, reg in regs.items()}
        boxes = {sid: _box(reg, positions.get(reg.id)) for sid, reg in regs.items()}
        if course.is_self_paced:
            self_paced = services.self_paced_registration(course, current_user)
    counts = services.state_counts(s.id for s in upcoming)
    seats = services.seats_left_of(upcoming, counts)
    member = current_user if current_user.is_authenticated else None
    info = {
        s.id: {
            "seats": seats[s.id],
            "waiting": counts[s.id].get(RegistrationState.waiting, 0),
            # Why this visitor or member may not register (None: the button is shown).
            "refusal": services.why_not_register(s, member, now),
        }
        for s in upcoming
    }
    return render_template(
        "trainings/course.html",
        course=course,
        upcoming=upcoming,
        past=past[::-1],
        mine=mine,
        boxes=boxes,
        other_seat=any(s.id in mine for s in upcoming),
        info=info,
        self_paced=self_paced,
    )


def _box(reg: Registration, position=None) -> dict:
    """What the "you are in" box of a registration shows (course page, its own page)."""
    event = emails.calendar_event(
        reg.session, language=current_language(), with_link=reg.state.value == "confirmed"
    )
    return {
        "reg": reg,
        "session": reg.session,
        "course": reg.course,
        "position": position,
        "ics_url": url_for("trainings.registration_ics", registration_id=reg.id),
        "google_url": calendar.google_link(event),
        "outlook_url": calendar.outlook_link(event),
    }


def _ics_response(body: bytes, filename: str) -> Response:
    return Response(
        body,
        mimetype="text/calendar",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )


def _visible_session(session_id: int) -> TrainingSession:
    session = db.get_or_404(TrainingSession, session_id)
    if not session.course.visible_to(current_user):
        abort(404)
    return session


def _own_registration(registration_id: int) -> Registration:
    """A member's own registration; anyone else's is a 404 (it does not exist for them)."""
    reg = db.get_or_404(Registration, registration_id)
    if reg.user_id != current_user.id:
        abort(404)
    return reg


@bp.route("/sessions/<id:session_id>/register", methods=["POST"])
@login_required
def register(session_id):
    session = _visible_session(session_id)
    target = url_for("trainings.course", slug=session.course.slug)
    require_button(ButtonForm())
    with unit_of_work(show=False) as work:
        reg, created = services.register_for_session(session, member=current_user)
        if not created:
            work.flash(_("You are already registered for this session."), "info")
        elif reg.state == RegistrationState.confirmed:
            work.flash(_("You are registered. A confirmation email is on its way."))
        else:
            work.flash(
                _(
                    "The session is full: you are on the waiting list, in position %(n)d. "
                    "If a seat frees up, it will be yours automatically.",
                    n=services.waitlist_position(reg),
                )
            )
        registration_id = reg.id
    if work.failed:
        if work.error.action == "switch":
            return redirect(url_for("trainings.switch", session_id=session_id))
        flash(str(work.error.message), "error")
        return redirect(target)
    return redirect(url_for("trainings.registration", registration_id=registration_id))


@bp.route("/registrations/<id:registration_id>")
@login_required
def registration(registration_id):
    """The confirmation page of a registration: when, where, calendars, change or cancel."""
    reg = _own_registration(registration_id)
    if reg.session is None:
        return redirect(url_for("trainings.course", slug=reg.course.slug, _anchor="materiel"))
    position = services.waitlist_position(reg) if reg.state == RegistrationState.waiting else None
    return render_template(
        "trainings/registration.html", box=_box(reg, position), form=ButtonForm()
    )


@bp.route("/registrations/<id:registration_id>/calendar.ics")
@login_required
def registration_ics(registration_id):
    reg = _own_registration(registration_id)
    if reg.session is None:
        abort(404)
    cancelled = reg.state == RegistrationState.cancelled or (
        reg.session.state == SessionState.cancelled
    )
    return _ics_response(
        emails.build_ics(reg, cancelled=cancelled), f"formation-{reg.session_id}.ics"
    )


@bp.route("/sessions/<id:session_id>/calendar.ics")
def session_ics(session_id):
    """A session for anyone's calendar: no online link (that goes to registrants only)."""
    session = _visible_session(session_id)
    event = emails.calendar_event(session, language=current_language(), with_link=False)
    return _ics_response(
        calendar.build_ics(event, cancelled=session.state == SessionState.cancelled),
        f"formation-{session.id}.ics",
    )


@bp.route("/sessions/<id:session_id>/switch", methods=["GET", "POST"])
@login_required
def switch(session_id):
    """One seat per course: "You are registered for X; switch to Y?" (GET asks, POST moves)."""
    session = _visible_session(session_id)
    current = services.other_seat(session, current_user)
    if current is None:
        return redirect(url_for("trainings.course", slug=session.course.slug))
    form = ButtonForm()
    if request.method == "POST":
        require_button(form)
        with unit_of_work() as work:
            new = services.switch_session(current, session, member=current_user)
            new_id = new.id
            work.flash(_("Your registration moved to the new date. An email is on its way."))
        if not work.failed:
            return redirect(url_for("trainings.registration", registration_id=new_id))
    return render_template(
        "trainings/switch.html",
        current=current,
        session=session,
        course=session.course,
        form=form,
        refusal=services.why_not_register(session, current_user),
    )


@bp.route("/<slug:slug>/register", methods=["POST"])
@login_required
def register_self_paced(slug):
    course = _get_course(slug)
    require_button(ButtonForm())
    with unit_of_work() as work:
        _reg, created = services.register_for_self_paced(course, member=current_user)
        if created:
            work.flash(_("You are registered. The material link is below, and in your email."))
    if work.failed:
        return redirect(url_for("trainings.course", slug=slug))
    return redirect(url_for("trainings.course", slug=slug, _anchor="materiel"))


@bp.route("/registrations/<id:registration_id>/cancel", methods=["POST"])
@login_required
def cancel(registration_id):
    reg = db.get_or_404(Registration, registration_id)
    if reg.user_id != current_user.id:
        abort(404)
    slug = reg.course.slug
    require_button(ButtonForm())
    with unit_of_work() as work:
        services.cancel_registration(reg, actor=current_user)
        work.flash(_("Your registration is cancelled."))
    if request.form.get("next", "") == "me":
        return redirect(url_for("main.me"))
    return redirect(url_for("trainings.course", slug=slug))


@bp.route("/give-back/<token>", methods=["GET", "POST"])
def give_back(token):
    """The link in the promotion email: a confirm page (GET changes nothing), then POST."""
    reg = services.registration_for_token(token)
    form = ButtonForm()
    if reg is None:
        return render_template("trainings/give_back.html", reg=None), 404
    if request.method == "POST" and form.validate_on_submit():
        with unit_of_work() as work:
            services.give_back_seat(reg)
        if work.failed:
            return render_template("trainings/give_back.html", reg=reg, form=form)
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


@bp.route("/manage/courses/new", methods=["GET", "POST"])
@bp.route("/manage/courses/<id:course_id>", methods=["GET", "POST"])
@coordinator_required
def course_form(course_id=None):
    course = db.get_or_404(Course, course_id) if course_id else None
    form = CourseForm(obj=course)
    if course and request.method == "GET":
        form.format.data = course.format.value
        form.audience.data = course.audience.value
        form.fill_english(course)
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            saved_id = services.save_course(course, **form.values()).id
            work.flash(_("The course is saved."))
        if not work.failed:
            return redirect(url_for("trainings.manage_course", course_id=saved_id))
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
    require_button(ButtonForm())
    with unit_of_work() as work:
        services.set_published(course, not course.published)
        work.flash(
            _("The course is published.") if course.published else _("The course is back to draft.")
        )
    return redirect(url_for("trainings.manage_course", course_id=course_id))


@bp.route("/manage/courses/<id:course_id>/duplicate", methods=["POST"])
@coordinator_required
def course_duplicate(course_id):
    """A draft copy of the course, without its sessions and people, opened for editing."""
    course = db.get_or_404(Course, course_id)
    require_button(ButtonForm())
    with unit_of_work() as work:
        copy_id = copies.duplicate_course(course).id
        work.flash(_("A draft copy is made, without sessions nor people. Check its address."))
    return redirect(url_for("trainings.course_form", course_id=copy_id))


@bp.route("/manage/sessions/<id:session_id>/duplicate", methods=["POST"])
@coordinator_required
def session_duplicate(session_id):
    """The same session a week later, nobody in it, opened for editing."""
    session = db.get_or_404(TrainingSession, session_id)
    require_button(ButtonForm())
    with unit_of_work() as work:
        copy_id = copies.duplicate_session(session).id
        work.flash(_("A copy is made a week later, without the people. Check its date."))
    return redirect(url_for("trainings.session_edit", session_id=copy_id))


@bp.route("/manage/courses/<id:course_id>/sessions/new", methods=["GET", "POST"])
@coordinator_required
def session_new(course_id):
    course = db.get_or_404(Course, course_id)
    form = SessionForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            services.create_session(course, **form.values(), state=SessionState(form.state.data))
            work.flash(_("The session is added."))
        if not work.failed:
            return redirect(url_for("trainings.manage_course", course_id=course_id))
    return render_template("trainings/manage/session_form.html", form=form, course=course)


@bp.route("/manage/sessions/<id:session_id>/edit", methods=["GET", "POST"])
@coordinator_required
def session_edit(session_id):
    session = db.get_or_404(TrainingSession, session_id)
    form = SessionForm()
    if request.method == "GET":
        form.fill(session)
    elif form.validate_on_submit():
        with unit_of_work(form) as work:
            promoted = services.update_session(
                session, **form.values(), state=SessionState(form.state.data)
            )
            work.flash(_("The session is saved."))
            if promoted:
                work.flash(
                    ngettext(
                        "%(num)d person moved from the waiting list to confirmed.",
                        "%(num)d people moved from the waiting list to confirmed.",
                        len(promoted),
                    )
                )
        if not work.failed:
            return redirect(url_for("trainings.roster", session_id=session_id))
    return render_template(
        "trainings/manage/session_form.html", form=form, course=session.course, session=session
    )


@bp.route("/manage/sessions/<id:session_id>")
@coordinator_required
def roster(session_id):
    session = db.get_or_404(TrainingSession, session_id)
    groups = services.roster_groups(session)
    return render_template(
        "trainings/manage/roster.html",
        session=session,
        course=session.course,
        groups=groups,
        move_form=MoveForm(),
        cancel_form=CancelSessionForm(),
        form=ButtonForm(),
        confirmed=len(groups[RegistrationState.confirmed]),
        log=services.session_log(session),
    )


@bp.route("/manage/sessions/<id:session_id>/attendance", methods=["POST"])
@coordinator_required
def attendance(session_id):
    session = db.get_or_404(TrainingSession, session_id)
    require_button(ButtonForm())
    ids = set(request.form.getlist("attended", type=whole_number))
    with unit_of_work() as work:
        count = services.mark_attendance(session, ids)
        work.flash(
            ngettext(
                "Attendance saved: %(num)d person attended.",
                "Attendance saved: %(num)d people attended.",
                count,
            )
        )
    return redirect(url_for("trainings.roster", session_id=session_id))


@bp.route("/manage/registrations/<id:registration_id>/move", methods=["POST"])
@coordinator_required
def move(registration_id):
    reg = db.get_or_404(Registration, registration_id)
    if reg.session is None:
        abort(404)
    session_id = reg.session_id
    form = MoveForm()
    if form.validate_on_submit():
        with unit_of_work() as work:
            services.move_registration(
                reg,
                to_state=RegistrationState(form.to_state.data),
                actor=current_user,
                reason=form.reason.data,
            )
            work.flash(_("The move is saved and the person is told by email."))
    else:
        _flash_errors(form)
    return redirect(url_for("trainings.roster", session_id=session_id))


def _flash_errors(form) -> None:
    """The roster's small forms sit in a long page: their errors come back as messages."""
    for _id, label, message in form.all_errors:
        flash(f"{label} : {message}", "error")


@bp.route("/manage/sessions/<id:session_id>/cancel", methods=["POST"])
@coordinator_required
def session_cancel(session_id):
    session = db.get_or_404(TrainingSession, session_id)
    form = CancelSessionForm()
    if form.validate_on_submit():
        with unit_of_work() as work:
            told = services.cancel_session(
                session, actor=current_user, reason=form.reason.data or ""
            )
            work.flash(
                ngettext(
                    "The session is cancelled; %(num)d person is told by email.",
                    "The session is cancelled; %(num)d people are told by email.",
                    told,
                )
            )
    else:
        _flash_errors(form)
    return redirect(url_for("trainings.roster", session_id=session_id))


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
        "Nom complet (attestations)",
    ]
    waiting = {r.id: i for i, r in enumerate(services.waiting_list(session), start=1)}
    states = {"confirmed": "Confirmé", "waiting": "En attente", "cancelled": "Annulé"}

    def rows():
        # Runs while the response streams, after the view's session is closed: load afresh.
        for reg in services.registrations_with_users(session_id):
            presence = "" if reg.attended is None else ("Présent" if reg.attended else "Absent")
            yield [
                reg.user.display_name,
                reg.user.email,
                states[reg.state.value],
                waiting.get(reg.id, ""),
                presence,
                ", ".join(reg.user.accommodation_labels()),
                reg.created_at.strftime("%Y-%m-%d %H:%M UTC"),
                reg.user.full_name or "",
            ]

    filename = f"inscriptions-{session.course.slug}-{session.starts_at:%Y-%m-%d}.csv"
    return csv_response(filename, header, rows())
