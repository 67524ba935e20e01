"""Make a request, the requester's private page, the coordinators' queue. Thin views."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from communaute.auth.access import coordinator_required
from communaute.extensions import db, limiter
from communaute.i18n import current_language
from communaute.limits import limit_per_recipient
from communaute.requests import bp, services
from communaute.requests.forms import AssignForm, MessageForm, NoteForm, RequestForm, StateForm
from communaute.requests.models import STATE_LABELS, CollaborationRequest, RequestState
from communaute.web import paginate, shown_on, unit_of_work

PER_PAGE = 25


# Make a request ----------------------------------------------------------------------------


def _new_page(form: RequestForm, status: int = 200):
    form.started.data = services.started_token()  # each showing starts the clock again
    form.website.data = ""
    if not form.name.data and current_user.is_authenticated and request.method == "GET":
        form.name.data = current_user.display_name
        form.email.data = current_user.email
    return render_template("requests/new.html", form=form), status


@bp.route("/new", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
@limit_per_recipient("email", "3 per hour;10 per day")
def new():
    form = RequestForm()
    if request.method == "GET":
        return _new_page(form)
    if not form.validate_on_submit():
        return _new_page(form)
    if form.website.data:
        # A robot filled the field people never see: it is thanked and nothing is kept.
        return redirect(url_for("requests.sent"))
    with unit_of_work(form, field="project") as work:
        services.check_fill_time(form.started.data)
        services.submit_request(
            name=form.name.data,
            organisation=form.organisation.data,
            position=form.position.data,
            email=form.email.data,
            phone=form.phone.data,
            kind=form.kind.data,
            project=form.project.data,
            involvement=form.involvement.data,
            dates=form.dates.data,
            compensation=form.compensation.data,
            meeting_languages=form.meeting_languages.data,
            accessibility=form.accessibility.data,
            language=current_language(),
            user=current_user,
        )
    if work.failed:
        return _new_page(form)
    return redirect(url_for("requests.sent"))


@bp.route("/sent")
def sent():
    return render_template("requests/sent.html")


# The requester's private page --------------------------------------------------------------


def _followed(token: str) -> CollaborationRequest:
    if len(token) > 300:
        abort(404)
    req = services.request_for_token(token)
    if req is None:
        abort(404)
    return req


def _follow_page(req, token, form=None):
    return render_template("requests/follow.html", req=req, token=token, form=form or MessageForm())


@bp.route("/follow/<token>")
def follow(token):
    response = _follow_page(_followed(token), token)
    return response, 200, {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


@bp.route("/follow/<token>/reply", methods=["POST"])
@shown_on("requests.follow")
@limiter.limit("20 per hour")
def reply(token):
    req = _followed(token)
    form = MessageForm()
    if not form.validate_on_submit():
        return _follow_page(req, token, form)
    with unit_of_work(form, field="message") as work:
        services.reply_as_requester(req, form.message.data)
        work.flash(_("Your answer was sent to the team."))
    if work.failed:
        return _follow_page(req, token, form)
    return redirect(url_for("requests.follow", token=token))


# The coordinators' queue -------------------------------------------------------------------


@bp.route("/")
@coordinator_required
def queue():
    state = request.args.get("state")
    state = state if state in RequestState.__members__ else None
    page = paginate(services.queue_query(state), per_page=PER_PAGE)
    return render_template("requests/queue.html", page=page, state=state, state_labels=STATE_LABELS)


def _assign_form(req, form=None) -> AssignForm:
    form = form or AssignForm(assignee=str(req.assignee_id or ""))
    form.assignee.choices = [("", _("Nobody yet"))] + [
        (str(p.id), p.display_name) for p in services.coordinators()
    ]
    return form


def _detail_page(req, **forms):
    return render_template(
        "requests/detail.html",
        req=req,
        message_form=forms.get("message_form") or MessageForm(),
        note_form=forms.get("note_form") or NoteForm(),
        state_form=forms.get("state_form") or StateForm(state=req.state.value),
        assign_form=_assign_form(req, forms.get("assign_form")),
    )


@bp.route("/<id:request_id>")
@coordinator_required
def detail(request_id):
    return _detail_page(db.get_or_404(CollaborationRequest, request_id))


@bp.route("/<id:request_id>/message", methods=["POST"])
@shown_on("requests.detail")
@coordinator_required
def message(request_id):
    req = db.get_or_404(CollaborationRequest, request_id)
    form = MessageForm()
    if not form.validate_on_submit():
        return _detail_page(req, message_form=form)
    with unit_of_work(form, field="message") as work:
        services.send_team_message(req, form.message.data, actor=current_user)
        work.flash(_("The message was sent to %(email)s.", email=req.email))
    if work.failed:
        return _detail_page(req, message_form=form)
    return redirect(url_for("requests.detail", request_id=req.id))


@bp.route("/<id:request_id>/note", methods=["POST"])
@shown_on("requests.detail")
@coordinator_required
def note(request_id):
    req = db.get_or_404(CollaborationRequest, request_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return _detail_page(req, note_form=form)
    with unit_of_work(form, field="note") as work:
        services.add_note(req, form.note.data, actor=current_user)
        work.flash(_("The note was added."))
    if work.failed:
        return _detail_page(req, note_form=form)
    return redirect(url_for("requests.detail", request_id=req.id))


@bp.route("/<id:request_id>/state", methods=["POST"])
@shown_on("requests.detail")
@coordinator_required
def change_state(request_id):
    req = db.get_or_404(CollaborationRequest, request_id)
    form = StateForm()
    if not form.validate_on_submit():
        return _detail_page(req, state_form=form)
    with unit_of_work(form, field="state") as work:
        services.set_state(req, form.state.data, actor=current_user)
        work.flash(_("The state was changed."))
    if work.failed:
        return _detail_page(req, state_form=form)
    return redirect(url_for("requests.detail", request_id=req.id))


@bp.route("/<id:request_id>/assign", methods=["POST"])
@shown_on("requests.detail")
@coordinator_required
def assign(request_id):
    req = db.get_or_404(CollaborationRequest, request_id)
    form = _assign_form(req, AssignForm())
    if not form.validate_on_submit():
        return _detail_page(req, assign_form=form)
    with unit_of_work(form, field="assignee") as work:
        services.assign(req, int(form.assignee.data) if form.assignee.data else None,
                        actor=current_user)  # fmt: skip
        work.flash(_("The request was assigned."))
    if work.failed:
        return _detail_page(req, assign_form=form)
    return redirect(url_for("requests.detail", request_id=req.id))
