"""Magazine pages. Thin: load, check access, validate, call one service, commit, redirect."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from communaute.auth.access import confirmed_required, coordinator_required
from communaute.cache import cached_for_visitors
from communaute.db import utcnow
from communaute.exports import csv_response
from communaute.extensions import db
from communaute.forms import ButtonForm
from communaute.magazine import bp, services
from communaute.magazine.cards import cards
from communaute.magazine.forms import (
    AssignEditionForm,
    ConsentsForm,
    EditionForm,
    EditTextForm,
    MessageForm,
    ReviewActionForm,
    SubmissionForm,
    ThemeForm,
)
from communaute.magazine.models import (
    FORM_LABELS,
    STATE_LABELS,
    TEXT_MAX,
    ConsentPurpose,
    Edition,
    Form,
    RevisionState,
    Submission,
    SubmissionState,
    TextRevision,
    Theme,
)
from communaute.magazine.services import QUEUE_PAGE
from communaute.routing import whole_number
from communaute.web import paginate, paginate_rows, require_button, shown_on, unit_of_work

PER_PAGE = 20


def _themes():
    return db.session.scalars(select(Theme).order_by(Theme.name)).all()


def _editions():
    return db.session.scalars(select(Edition).order_by(Edition.number.desc())).all()


# Public -----------------------------------------------------------------------------------


@bp.route("/")
@cached_for_visitors("magazine", "people")
def index():
    theme_id = request.args.get("theme", type=whole_number)
    form = request.args.get("form") if request.args.get("form") in Form.__members__ else None
    edition_id = request.args.get("edition", type=whole_number)
    statement, params = services.published_cards_query(theme_id, form, edition_id)
    # Newest first is the order of an index: the total counted apart, the page reads 10 rows.
    testimonies = paginate_rows(statement, params=params, per_page=PER_PAGE, count_apart=True)
    # Every edition, once: the published ones for the filter, every label for the cards.
    editions = _editions()
    return render_template(
        "magazine/index.html",
        testimonies=testimonies,
        cards=cards(testimonies.items, editions={e.id: e.label for e in editions}),
        themes=_themes(),
        editions=[e for e in editions if e.published_at is not None],
        forms=FORM_LABELS,
        selected={"theme": theme_id, "form": form, "edition": edition_id},
    )


@bp.route("/<id:submission_id>")
@cached_for_visitors("magazine", "people")
def testimony(submission_id):
    submission = db.get_or_404(Submission, submission_id)
    if submission.state == SubmissionState.withdrawn and submission.published_at is not None:
        # It was public: say it left, without a word of it.
        return render_template("magazine/withdrawn.html"), 410
    if submission.state != SubmissionState.published:
        abort(404)
    return render_template("magazine/testimony.html", s=submission)


@bp.route("/feed.xml")
@cached_for_visitors("magazine", "people")
def feed():
    testimonies = db.session.scalars(services.published_query().limit(30)).all()
    body = render_template("magazine/feed.xml", testimonies=testimonies)
    return Response(body, mimetype="application/atom+xml")


# The author -------------------------------------------------------------------------------


def _form_data(form: SubmissionForm) -> services.SubmissionData:
    return services.SubmissionData(
        title=form.title.data or "",
        text=form.text.data or "",
        form=form.form.data,
        perspective=form.perspective.data,
        language=form.language.data,
        byline=form.byline.data,
        pen_name=form.pen_name.data,
        third_party=form.third_party.data,
        theme_ids=form.themes.data or [],
        consents={p: bool(form[f"consent_{p.value}"].data) for p in ConsentPurpose},
    )


def _load(submission_id: int, *, lock: bool = False) -> Submission:
    """A submission or 404. ``lock`` (for changes) takes its row lock first, so two people
    acting at once are served one after the other and the second sees the first's move."""
    query = select(Submission).where(Submission.id == submission_id)
    if lock:
        query = query.with_for_update()
    submission = db.session.scalar(query)
    if submission is None:
        abort(404)
    return submission


def _own(submission_id: int, *, lock: bool = False) -> Submission:
    """The author's own submission; anyone else gets 404, as if it did not exist."""
    submission = _load(submission_id, lock=lock)
    if submission.author_id != current_user.id:
        abort(404)
    return submission


def _edit(submission: Submission | None):
    form = SubmissionForm(obj=submission if request.method == "GET" else None)
    form.themes.choices = [(t.id, t.name) for t in _themes()]
    if request.method == "GET":
        if submission is not None:
            form.themes.data = [t.id for t in submission.themes]
            for p in ConsentPurpose:
                form[f"consent_{p.value}"].data = submission.consent_granted(p)
            form.form.data = submission.form.value
            form.perspective.data = submission.perspective.value
            form.byline.data = submission.byline.value
            form.third_party.data = submission.third_party.value
        else:
            form.language.data = current_user.language
    if form.validate_on_submit():
        sending = request.form.get("send") is not None
        with unit_of_work(form, field="text") as work:
            data = _form_data(form)
            if sending:
                saved = services.submit(data, author=current_user, submission=submission)
                work.flash(_("Thank you: your text is sent. We emailed you a receipt."))
            else:
                saved = services.save_draft(data, author=current_user, submission=submission)
                work.flash(_("Your draft is saved. You can finish it later."))
            saved_id = saved.id
        if not work.failed:
            return redirect(url_for("magazine.submission", submission_id=saved_id))
    return render_template(
        "magazine/submit.html", form=form, submission=submission, text_max=TEXT_MAX
    )


@bp.route("/submit", methods=["GET", "POST"])
@confirmed_required
def submit():
    return _edit(None)


@bp.route("/submissions/<id:submission_id>/edit", methods=["GET", "POST"])
@confirmed_required
def edit(submission_id):
    submission = _own(submission_id, lock=request.method == "POST")
    if submission.state not in services.EDITABLE:
        flash(_("This text cannot be changed now."), "warning")
        return redirect(url_for("magazine.submission", submission_id=submission.id))
    return _edit(submission)


def _consents_form(submission: Submission) -> ConsentsForm:
    form = ConsentsForm(formdata=None)
    for p in ConsentPurpose:
        form[f"consent_{p.value}"].data = submission.consent_granted(p)
    return form


def _render_submission(submission, *, message_form=None, consents_form=None, answer_form=None):
    revision = submission.pending_revision
    return render_template(
        "magazine/submission.html",
        s=submission,
        message_form=message_form or MessageForm(formdata=None),
        consents_form=consents_form or _consents_form(submission),
        answer_form=answer_form or MessageForm(formdata=None),
        revision=revision,
        diff=services.side_by_side(revision.old_text, revision.new_text) if revision else None,
        button=ButtonForm(),
        editable=submission.state in services.EDITABLE,
    )


@bp.route("/submissions/<id:submission_id>")
@login_required
def submission(submission_id):
    return _render_submission(_own(submission_id))


@bp.route("/submissions/<id:submission_id>/message", methods=["POST"])
@shown_on("magazine.submission")
@login_required
def message(submission_id):
    submission = _own(submission_id, lock=True)
    form = MessageForm()
    if form.validate_on_submit():
        with unit_of_work(form, field="message") as work:
            services.post_message(submission, form.message.data, sender=current_user)
            work.flash(_("Your message is sent to the team."))
        if not work.failed:
            return redirect(url_for("magazine.submission", submission_id=submission_id))
    return _render_submission(submission, message_form=form), 400


@bp.route("/submissions/<id:submission_id>/consents", methods=["POST"])
@shown_on("magazine.submission")
@login_required
def consents(submission_id):
    submission = _own(submission_id, lock=True)
    form = ConsentsForm()
    if form.validate_on_submit():
        with unit_of_work() as work:
            changed = [
                services.change_consent(
                    submission, p, bool(form[f"consent_{p.value}"].data), author=current_user
                )
                for p in ConsentPurpose
            ]
            if any(changed):
                work.flash(_("Your choices are recorded. We emailed you a confirmation."))
            else:
                work.flash(_("Nothing changed."))
        return redirect(url_for("magazine.submission", submission_id=submission_id))
    return _render_submission(submission, consents_form=form), 400


@bp.route("/submissions/<id:submission_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(submission_id):
    """GET asks to confirm (it cannot be undone); POST withdraws."""
    submission = _own(submission_id, lock=request.method == "POST")
    if request.method == "GET":
        if submission.state in (SubmissionState.draft, SubmissionState.withdrawn):
            return redirect(url_for("magazine.submission", submission_id=submission_id))
        return render_template("magazine/withdraw.html", s=submission, form=ButtonForm())
    require_button(ButtonForm())
    with unit_of_work() as work:
        services.withdraw(submission, author=current_user)
        work.flash(_("Your text is withdrawn. Nobody can read it on the website anymore."))
    return redirect(url_for("magazine.submission", submission_id=submission_id))


def _own_revision(revision_id: int) -> TextRevision:
    revision = db.get_or_404(TextRevision, revision_id)
    if revision.submission.author_id != current_user.id:
        abort(404)
    return revision


@bp.route("/revisions/<id:revision_id>/approve", methods=["POST"])
@login_required
def approve_revision(revision_id):
    revision = _own_revision(revision_id)
    submission_id = revision.submission_id
    require_button(ButtonForm())
    with unit_of_work() as work:
        services.approve_revision(revision, author=current_user)
        work.flash(_("You approved the edited text."))
    return redirect(url_for("magazine.submission", submission_id=submission_id))


@bp.route("/revisions/<id:revision_id>/answer", methods=["GET", "POST"])
@login_required
def answer_revision(revision_id):
    revision = _own_revision(revision_id)
    submission_id = revision.submission_id
    if request.method == "GET":  # after a failed answer: the language switch, a reload
        return redirect(url_for("magazine.submission", submission_id=submission_id))
    form = MessageForm()
    if form.validate_on_submit():
        with unit_of_work(form, field="message") as work:
            services.answer_revision(revision, form.message.data, author=current_user)
            work.flash(_("Your answer is sent to the team. Your text stays as it was."))
        if not work.failed:
            return redirect(url_for("magazine.submission", submission_id=submission_id))
    return _render_submission(revision.submission, answer_form=form), 400


# Coordinators -----------------------------------------------------------------------------


@bp.route("/review/")
@coordinator_required
def review_queue():
    state = request.args.get("state", "submitted")
    if state not in SubmissionState.__members__ or state == "draft":
        state = "submitted"
    return render_template(
        "magazine/review_queue.html",
        items=paginate(services.queue_query(SubmissionState(state)), per_page=QUEUE_PAGE),
        state=SubmissionState(state),
        counts=services.state_counts(),
        labels=STATE_LABELS,
        now=utcnow(),
    )


def _review_submission(submission_id: int, *, lock: bool = False) -> Submission:
    submission = _load(submission_id, lock=lock)
    if submission.state == SubmissionState.draft:
        abort(404)  # a draft is the author's alone
    return submission


def _render_review(submission, *, action_form=None, edit_form=None, assign_form=None):
    editions = _editions()
    action_form = action_form or ReviewActionForm(formdata=None)
    action_form.edition.choices = [(0, _("No edition"))] + [(e.id, e.label) for e in editions]
    assign_form = assign_form or AssignEditionForm(formdata=None, edition=submission.edition_id)
    assign_form.edition.choices = action_form.edition.choices
    edit_form = edit_form or EditTextForm(formdata=None, text=submission.text)
    allowed = [
        value
        for value, _label in action_form.action.choices
        if value == "message" or services.can_move(submission, SubmissionState(value), current_user)
    ]
    action_form.action.choices = [c for c in action_form.action.choices if c[0] in allowed]
    return render_template(
        "magazine/review.html",
        s=submission,
        action_form=action_form,
        edit_form=edit_form,
        assign_form=assign_form,
        labels=STATE_LABELS,
        text_max=TEXT_MAX,
        editable=submission.state in services.TEAM_EDITABLE and not submission.pending_revision,
        revisions=submission.revisions,
        RevisionState=RevisionState,
    )


@bp.route("/review/<id:submission_id>")
@coordinator_required
def review(submission_id):
    return _render_review(_review_submission(submission_id))


@bp.route("/review/<id:submission_id>/action", methods=["POST"])
@shown_on("magazine.review")
@coordinator_required
def review_action(submission_id):
    submission = _review_submission(submission_id, lock=request.method == "POST")
    form = ReviewActionForm()
    form.edition.choices = [(0, "")] + [(e.id, e.label) for e in _editions()]
    if form.validate_on_submit():
        edition = db.session.get(Edition, form.edition.data) if form.edition.data else None
        decision = dict(
            submission=submission,
            decision=form.action.data,
            actor=current_user,
            message=form.message.data,
            edition=edition,
        )
        if request.form.get("back"):  # from the preview: change the message first
            return _render_review(submission, action_form=form)
        if request.form.get("confirm") != "1":
            # First the email the author will get, then a second click sends it.
            with unit_of_work(form, field="message") as work:
                subject, text = services.preview_decision(**decision)
            if not work.failed:
                return render_template(
                    "magazine/review_preview.html",
                    s=submission,
                    form=form,
                    decision_label=dict(form.action.choices)[form.action.data],
                    subject=subject,
                    text=text,
                )
        else:
            with unit_of_work(form, field="message") as work:
                services.decide(**decision)
                work.flash(_("Done. The author was told by email."))
            if not work.failed:
                return redirect(url_for("magazine.review", submission_id=submission_id))
    return _render_review(submission, action_form=form), 400


@bp.route("/review/<id:submission_id>/text", methods=["POST"])
@shown_on("magazine.review")
@coordinator_required
def review_edit_text(submission_id):
    submission = _review_submission(submission_id, lock=request.method == "POST")
    form = EditTextForm()
    if form.validate_on_submit():
        with unit_of_work(form, field="text") as work:
            services.coordinator_edit_text(submission, form.text.data, actor=current_user)
            work.flash(_("The edited text was sent to the author for approval."))
        if not work.failed:
            return redirect(url_for("magazine.review", submission_id=submission_id))
    return _render_review(submission, edit_form=form), 400


@bp.route("/review/<id:submission_id>/edition", methods=["POST"])
@shown_on("magazine.review")
@coordinator_required
def review_assign(submission_id):
    submission = _review_submission(submission_id, lock=request.method == "POST")
    form = AssignEditionForm()
    form.edition.choices = [(0, "")] + [(e.id, e.label) for e in _editions()]
    if form.validate_on_submit():
        edition = db.session.get(Edition, form.edition.data) if form.edition.data else None
        with unit_of_work(form, field="edition") as work:
            services.assign_edition(submission, edition, actor=current_user)
            work.flash(_("The edition is saved."))
        if not work.failed:
            return redirect(url_for("magazine.review", submission_id=submission_id))
    return _render_review(submission, assign_form=form), 400


@bp.route("/review/editions/", methods=["GET", "POST"])
@coordinator_required
def editions():
    form = EditionForm()
    if form.validate_on_submit():
        with unit_of_work(form, field="number") as work:
            services.save_edition(
                number=form.number.data, label=form.label.data, editorial=form.editorial.data or ""
            )
            work.flash(_("The edition is created."))
        if not work.failed:
            return redirect(url_for("magazine.editions"))
    return render_template("magazine/editions.html", form=form, editions=_editions())


@bp.route("/review/editions/<id:edition_id>", methods=["GET", "POST"])
@coordinator_required
def edition(edition_id):
    ed = db.get_or_404(Edition, edition_id)
    form = EditionForm(obj=ed)
    if form.validate_on_submit():
        with unit_of_work(form, field="number") as work:
            services.save_edition(
                number=form.number.data,
                label=form.label.data,
                editorial=form.editorial.data or "",
                edition=ed,
            )
            work.flash(_("The edition is saved."))
        if not work.failed:
            return redirect(url_for("magazine.edition", edition_id=edition_id))
    return render_template("magazine/edition.html", form=form, ed=ed, button=ButtonForm())


@bp.route("/review/editions/<id:edition_id>/publish", methods=["POST"])
@coordinator_required
def edition_publish(edition_id):
    ed = db.get_or_404(Edition, edition_id)
    require_button(ButtonForm())
    with unit_of_work() as work:
        done = services.publish_edition(ed, actor=current_user)
        work.flash(_("The edition is published (%(n)d new texts).", n=len(done)))
    return redirect(url_for("magazine.edition", edition_id=edition_id))


@bp.route("/review/editions/<id:edition_id>.csv")
@coordinator_required
def edition_csv(edition_id):
    """The edition's texts for the printer, signed as each author chose (never more)."""
    ed = db.get_or_404(Edition, edition_id)
    header = ["Numéro", "Titre", "Signature", "Forme", "Point de vue", "Texte"]

    def rows():
        # Runs while the response streams, after the view's session is closed: load afresh.
        for s in db.session.get(Edition, ed.id).submissions:
            if s.state in (SubmissionState.accepted, SubmissionState.published):
                yield [
                    s.id,
                    s.title,
                    s.byline_text or _("Anonymous"),
                    s.form_label,
                    s.perspective_label,
                    s.text,
                ]

    return csv_response(f"edition-{ed.number}.csv", header, rows())


@bp.route("/review/themes/", methods=["GET", "POST"])
@coordinator_required
def themes():
    form = ThemeForm()
    if form.validate_on_submit():
        with unit_of_work(form, field="name") as work:
            services.add_theme(form.name.data)
            work.flash(_("The theme is added."))
        if not work.failed:
            return redirect(url_for("magazine.themes"))
    return render_template("magazine/themes.html", form=form, themes=_themes(), button=ButtonForm())


@bp.route("/review/themes/<id:theme_id>/delete", methods=["POST"])
@coordinator_required
def theme_delete(theme_id):
    theme = db.get_or_404(Theme, theme_id)
    require_button(ButtonForm())
    with unit_of_work() as work:
        services.delete_theme(theme)
        work.flash(_("The theme is removed."))
    return redirect(url_for("magazine.themes"))
