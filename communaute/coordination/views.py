"""The coordination home: every line a thing that needs a person, linked to where it is done."""

from __future__ import annotations

import re

from flask import Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select

from communaute.auth.access import coordinator_required
from communaute.auth.models import User
from communaute.coordination import (
    attendance,
    bp,
    certificates,
    certificates_bp,
    people,
    reports,
    services,
)
from communaute.coordination.forms import (
    HandRegistrationForm,
    PersonNameForm,
    ReportImportForm,
    RosterMessageForm,
)
from communaute.coordination.models import Audience, ParentKind
from communaute.db import utcnow
from communaute.errors import DomainError
from communaute.extensions import db
from communaute.forms import ButtonForm
from communaute.i18n import fold
from communaute.i18n import lazy_gettext as _l
from communaute.registry import coordination_item_providers, coordination_links
from communaute.routing import whole_number
from communaute.web import require_button, search_query, show_error, shown_on, unit_of_work

#: The sections of the home, in the order they are read: what waits for an answer first.
GROUPS = {
    "texts": _l("Texts waiting for the team"),
    "replies": _l("Authors’ replies and approvals not answered"),
    "requests": _l("Collaboration requests not taken up"),
    "emails": _l("Emails that failed"),
    "filling": _l("Nearly full, or people waiting"),
    "upcoming": _l("Today and the next 7 days"),
    "follow_up": _l("Follow-up emails not sent"),
    "attendance": _l("Attendance not taken"),
}


def gather(now) -> list[dict]:
    """The home's sections that have lines: [{"key", "title", "items"}], in GROUPS order."""
    found: dict[str, list] = {key: [] for key in GROUPS}
    for provider in coordination_item_providers():
        for item in provider.items(now):
            found.setdefault(item.group, []).append(item)
    return [
        {
            "key": key,
            "title": GROUPS.get(key, key),
            "items": sorted(items, key=lambda i: (i.sort_key is None, i.sort_key or 0)),
        }
        for key, items in found.items()
        if items
    ]


@bp.route("/")
@coordinator_required
def home():
    now = utcnow()
    links = [{"url": url_for(link.endpoint), "label": link.label} for link in coordination_links()]
    return render_template("coordination/home.html", sections=gather(now), coordination_links=links)


# Messages to the people of a session or a webinar -----------------------------------------


def _parent(kind: str, parent_id: int):
    if kind not in ParentKind.__members__:
        abort(404)
    kind = ParentKind(kind)
    parent = db.get_or_404(services.MODELS[kind], parent_id)
    if kind == ParentKind.session:
        back = url_for("trainings.roster", session_id=parent.id)
    else:
        back = url_for("webinars.attendance", webinar_id=parent.id)
    return kind, parent, back


def _messages_page(kind, parent, back, form, preview=None):
    return render_template(
        "coordination/messages.html",
        kind=kind,
        parent=parent,
        title=services.parent_title(kind, parent),
        start_at=services.parent_start(kind, parent),
        back=back,
        form=form,
        preview=preview,
        log=services.messages_of(kind, parent.id),
        per_day=services.PER_PARENT_PER_DAY,
    )


@bp.route("/messages/<kind>/<id:parent_id>", methods=["GET", "POST"])
@coordinator_required
def messages(kind, parent_id):
    """Write, preview, send; the log of what was sent below."""
    kind, parent, back = _parent(kind, parent_id)
    form = RosterMessageForm()
    if request.method == "GET" or not form.token.data:
        form.token.data = services.new_token()
    if not form.validate_on_submit():
        return _messages_page(kind, parent, back, form)
    audience = Audience(form.audience.data)
    values = {
        "subject_fr": form.subject_fr.data,
        "body_fr": form.body_fr.data,
        "subject_en": form.subject_en.data or "",
        "body_en": form.body_en.data or "",
    }
    if request.form.get("action") != "send":
        try:
            services.check_message(**values)
        except services.MessageError as exc:
            show_error(form, exc)
            return _messages_page(kind, parent, back, form)
        people = services.recipients(kind, parent, audience)
        sample = people[0].name if people else _("Camille")
        preview = {
            "count": len(people),
            "english": sum(1 for p in people if p.language == "en"),
            "subject": services.personalise(values["subject_fr"], sample),
            "body": services.personalise(values["body_fr"], sample),
            "subject_en": services.personalise(values["subject_en"], sample),
            "body_en": services.personalise(values["body_en"], sample),
        }
        return _messages_page(kind, parent, back, form, preview)
    with unit_of_work(form) as work:
        message, created = services.send_message(
            kind, parent, audience=audience, token=form.token.data, sender=current_user, **values
        )
        if created:
            work.flash(
                ngettext(
                    "Message sent to %(num)d person.",
                    "Message sent to %(num)d people.",
                    message.recipient_count,
                )
            )
        else:
            work.flash(_("This message was already sent: it was not sent again."), "info")
    if work.failed:
        return _messages_page(kind, parent, back, form)
    return redirect(url_for("coordination.messages", kind=kind.value, parent_id=parent.id))


# Attendance: a participant report imported, people checked in on a phone ------------------


def _attendance_back(kind, parent):
    if kind == ParentKind.session:
        return url_for("trainings.roster", session_id=parent.id)
    return url_for("webinars.attendance", webinar_id=parent.id)


def _import_page(kind, parent, form, matching=None, report=None, threshold=None):
    return render_template(
        "coordination/import.html",
        kind=kind,
        parent=parent,
        title=services.parent_title(kind, parent),
        start_at=services.parent_start(kind, parent),
        back=_attendance_back(kind, parent),
        form=form,
        matching=matching,
        report=report,
        threshold=threshold,
        started=attendance.started(kind, parent),
    )


@bp.route("/attendance/<kind>/<id:parent_id>/import", methods=["GET", "POST"])
@coordinator_required
def import_report(kind, parent_id):
    """Upload, preview (matched, unmatched, ambiguous), then one click records it all."""
    request.max_content_length = reports.MAX_BYTES + 64 * 1024  # the form around the file
    kind, parent, _back = _parent(kind, parent_id)
    if request.method == "POST" and request.form.get("action") == "record":
        require_button(ButtonForm())
        present = {}
        for value in request.form.getlist("present"):
            seat_id, _colon, came = value.partition(":")
            try:
                present[whole_number(seat_id)] = came == "1"
            except ValueError:
                abort(400)
        with unit_of_work() as work:
            count = attendance.record_import(kind, parent, present)
            work.flash(
                ngettext(
                    "Attendance recorded: %(num)d person present.",
                    "Attendance recorded: %(num)d people present.",
                    count,
                )
            )
        return redirect(
            _attendance_back(kind, parent)
            if not work.failed
            else url_for("coordination.import_report", kind=kind.value, parent_id=parent.id)
        )
    form = ReportImportForm()
    if not form.validate_on_submit():
        return _import_page(kind, parent, form)
    try:
        attendance.check_started(kind, parent)
        report = reports.read_report(form.report.data.read(reports.MAX_BYTES + 1))
    except DomainError as exc:
        show_error(form, exc)
        return _import_page(kind, parent, form)
    matching = attendance.match_report(kind, parent.id, report)
    return _import_page(kind, parent, form, matching, report, form.threshold.data)


@bp.route("/checkin/<kind>/<id:parent_id>")
@coordinator_required
def checkin(kind, parent_id):
    """The roster as large buttons: one tap (a plain form) marks a person present."""
    kind, parent, _back = _parent(kind, parent_id)
    q = search_query()
    everyone = attendance.seats(kind, parent.id)
    wanted = fold(q)
    shown = [
        s for s in everyone if not wanted or wanted in fold(f"{s.name} {s.full_name} {s.email}")
    ]
    return render_template(
        "coordination/checkin.html",
        kind=kind,
        parent=parent,
        title=services.parent_title(kind, parent),
        start_at=services.parent_start(kind, parent),
        back=_attendance_back(kind, parent),
        seats=shown,
        present=sum(1 for s in everyone if s.attended),
        total=len(everyone),
        q=q,
        started=attendance.started(kind, parent),
        form=ButtonForm(),
    )


@bp.route("/checkin/<kind>/<id:parent_id>/<id:seat_id>", methods=["POST"])
@shown_on("coordination.checkin")
@coordinator_required
def checkin_one(kind, parent_id, seat_id):
    kind, parent, _back = _parent(kind, parent_id)
    require_button(ButtonForm())
    came = request.form.get("came") == "1"
    with unit_of_work() as work:
        attendance.check_in(kind, parent, seat_id, came)
    q = request.form.get("q", "")[:100]
    args = {"q": q} if q else {}
    anchor = None if work.failed else f"seat-{seat_id}"
    return redirect(
        url_for(
            "coordination.checkin", kind=kind.value, parent_id=parent.id, _anchor=anchor, **args
        )
    )


# People ----------------------------------------------------------------------------------


@bp.route("/people/")
@coordinator_required
def people_search():
    q = search_query()
    return render_template("coordination/people.html", people=people.search(q), q=q)


def _person_page(user, name_form=None, hand_form=None):
    return render_template(
        "coordination/person.html",
        user=user,
        info=people.person(user),
        name_form=name_form or PersonNameForm(obj=user, formdata=None),
        hand_form=hand_form or HandRegistrationForm(formdata=None),
    )


@bp.route("/people/<id:user_id>")
@coordinator_required
def person(user_id):
    return _person_page(db.get_or_404(User, user_id))


@bp.route("/people/<id:user_id>/name", methods=["POST"])
@shown_on("coordination.person")
@coordinator_required
def person_name(user_id):
    """A name corrected by a coordinator (a typo, a name that changed); logged."""
    user = db.get_or_404(User, user_id)
    form = PersonNameForm()
    if not form.validate_on_submit():
        return _person_page(user, name_form=form)
    with unit_of_work(form) as work:
        user.display_name = form.display_name.data
        user.full_name = form.full_name.data or None
        work.flash(_("The name is corrected."))
    return redirect(url_for("coordination.person", user_id=user.id))


@bp.route("/people/<id:user_id>/register", methods=["POST"])
@shown_on("coordination.person")
@coordinator_required
def person_register(user_id):
    """A registration by hand (on the phone): the usual service, the usual email."""
    from communaute.trainings import services as trainings
    from communaute.trainings.models import TrainingSession
    from communaute.webinars import services as webinars
    from communaute.webinars.models import Webinar

    user = db.get_or_404(User, user_id)
    form = HandRegistrationForm()
    if not form.validate_on_submit():
        return _person_page(user, hand_form=form)
    kind, _dash, raw_id = form.target.data.partition("-")
    try:
        target_id = whole_number(raw_id)
    except ValueError:
        abort(400)
    if kind not in ("session", "webinar"):
        abort(400)
    with unit_of_work(form, field="target") as work:
        if kind == "session":
            reg, _created = trainings.register_for_session(
                db.get_or_404(TrainingSession, target_id), member=user
            )
            waiting = reg.state.value == "waiting"
        else:
            signup, _created = webinars.sign_up_member(db.get_or_404(Webinar, target_id), user)
            waiting = signup.state.value == "waiting"
        work.flash(
            _("Registered on the waiting list; the email is on its way.")
            if waiting
            else _("Registered; the confirmation email is on its way.")
        )
    if work.failed:
        return _person_page(user, hand_form=form)
    return redirect(url_for("coordination.person", user_id=user.id))


# Certificates of attendance ----------------------------------------------------------------

CODE = re.compile(r"^EXP-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$")


def _certificate(code: str) -> certificates.Certificate:
    code = (code or "").strip().upper()
    if not CODE.match(code):
        abort(404)
    cert = db.session.scalar(
        select(certificates.Certificate).where(certificates.Certificate.code == code)
    )
    if cert is None:
        abort(404)
    return cert


@certificates_bp.route("/<code>")
def certificate(code):
    """Public: genuine, for whom, what; or no longer valid."""
    return render_template("coordination/certificate.html", cert=_certificate(code))


@certificates_bp.route("/<code>/attestation.pdf")
@login_required
def certificate_pdf(code):
    cert = _certificate(code)
    if not cert.is_valid or (cert.user_id != current_user.id and not current_user.is_coordinator):
        abort(404)
    pdf = certificates.render_pdf(
        cert, url_for("certificates.certificate", code=cert.code, _external=True)
    )
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="attestation-{cert.code}.pdf"'},
    )


@bp.route("/certificates/session/<id:session_id>", methods=["POST"])
@coordinator_required
def issue_certificates(session_id):
    from communaute.trainings.models import TrainingSession

    session = db.get_or_404(TrainingSession, session_id)
    require_button(ButtonForm())
    with unit_of_work() as work:
        count = certificates.issue_for_session(session, actor=current_user)
        work.flash(
            ngettext(
                "%(num)d certificate issued: the person finds it in their space.",
                "%(num)d certificates issued: each person finds theirs in their space.",
                count,
            )
            if count
            else _("Nobody marked present is waiting for a certificate.")
        )
    return redirect(url_for("trainings.roster", session_id=session.id))
