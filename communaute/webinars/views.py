from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from communaute.auth.access import coordinator_required
from communaute.cache import cached_for_visitors
from communaute.exports import csv_response
from communaute.extensions import db, limiter
from communaute.forms import ButtonForm
from communaute.i18n import MONTREAL, format_local
from communaute.limits import limit_per_recipient
from communaute.webinars import bp, services
from communaute.webinars.forms import (
    NEWS_CONSENT_TEXT,
    AttendanceForm,
    GuestSignupForm,
    RescheduleForm,
    WebinarCreateForm,
    WebinarEditForm,
)
from communaute.webinars.models import Signup, SignupState, Webinar
from communaute.webinars.services import SignupError, TokenError, WebinarError

# Public pages --------------------------------------------------------------------------


@bp.route("/")
@cached_for_visitors
def series():
    # Past webinars come a page at a time; a tampered page number falls back to the first.
    page = request.args.get("page", 1, type=int)
    page = page if 1 <= page <= 10_000 else 1
    past, older = services.past_webinars(page=page)
    return render_template(
        "webinars/series.html",
        upcoming=services.upcoming_webinars() if page == 1 else [],
        past=past,
        page=page,
        older=older,
    )


def _detail_page(webinar: Webinar, form: GuestSignupForm | None = None, status: int = 200):
    mine = None
    if current_user.is_authenticated:
        mine = services.signup_of(webinar, current_user)
    return (
        render_template(
            "webinars/detail.html",
            webinar=webinar,
            form=form or GuestSignupForm(),
            member_form=ButtonForm(),
            mine=mine,
            cancel_token=services.make_cancel_token(mine) if mine else None,
            seats_left=services.seats_left(webinar),
        ),
        status,
    )


@bp.route("/<id:webinar_id>")
@cached_for_visitors
def detail(webinar_id):
    return _detail_page(db.get_or_404(Webinar, webinar_id))


@bp.route("/<id:webinar_id>/signup", methods=["POST"])
@limiter.limit("60 per hour")
@limit_per_recipient("email", "10 per hour;20 per day")
def signup(webinar_id):
    webinar = db.get_or_404(Webinar, webinar_id)
    if current_user.is_authenticated:
        form = ButtonForm()
        if not form.validate_on_submit():
            abort(400)
        if not current_user.is_confirmed:
            flash(_("Confirm your email address first. We can send you the link again."), "warning")
            return redirect(url_for("main.me"))
        try:
            signup_, created = services.sign_up(webinar, member=current_user)
        except SignupError as exc:
            flash(str(exc.message), "error")
            return redirect(url_for("webinars.detail", webinar_id=webinar.id))
        message = _signed_up_message(signup_, created)  # before the commit expires it
        db.session.commit()
        flash(*message)
        return redirect(url_for("webinars.detail", webinar_id=webinar_id))

    form = GuestSignupForm()
    if not form.validate_on_submit():
        return _detail_page(webinar, form, 200)
    try:
        signup_, created = services.sign_up(
            webinar,
            email=form.email.data,
            name=form.name.data,
            language=form.language.data,
            how_heard=form.how_heard.data or None,
            news_consent=form.news_consent.data,
            news_consent_text=str(NEWS_CONSENT_TEXT),
        )
    except SignupError as exc:
        if exc.field:
            form[exc.field].errors.append(exc.message)
        else:
            flash(str(exc.message), "error")
        return _detail_page(webinar, form, 200)
    db.session.commit()
    # The same words whether the address was new or not: nobody learns who signed up.
    flash(
        _(
            "Thank you. We sent an email to %(email)s with the details. "
            "If it does not arrive, check your junk mail.",
            email=form.email.data,
        ),
        "success",
    )
    return redirect(url_for("webinars.detail", webinar_id=webinar_id))


def _signed_up_message(signup_: Signup, created: bool) -> tuple[str, str]:
    if signup_.state == SignupState.waiting:
        return _("The webinar is full: you are on the waiting list. We sent you an email."), "info"
    if created:
        return _("You are signed up. We sent you an email with the join link."), "success"
    return _("You were already signed up. We sent the confirmation email again."), "info"


@bp.route("/cancel/<token>", methods=["GET", "POST"])
def cancel(token):
    """GET asks to confirm (a mail scanner opening the link changes nothing); POST cancels."""
    try:
        signup_ = services.signup_for_token(token)
    except TokenError as exc:
        return render_template("webinars/cancel.html", problem=exc.message), 400
    form = ButtonForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            services.cancel_signup(signup_)
        except SignupError as exc:
            flash(str(exc.message), "error")
            return redirect(url_for("webinars.cancel", token=token))
        db.session.commit()
        flash(_("Your sign-up is cancelled. Thank you for letting us know."), "success")
        return redirect(url_for("webinars.cancel", token=token))
    return render_template(
        "webinars/cancel.html", signup=signup_, webinar=signup_.webinar, form=form
    )


# Coordinators ----------------------------------------------------------------------------


@bp.route("/manage/")
@coordinator_required
def manage():
    webinars = db.session.scalars(select(Webinar).order_by(Webinar.start_at.desc())).all()
    return render_template(
        "webinars/manage.html",
        webinars=webinars,
        counts=services.attendance_counts_of(w.id for w in webinars),
    )


@bp.route("/manage/new", methods=["GET", "POST"])
@coordinator_required
def create():
    form = WebinarCreateForm()
    if form.validate_on_submit():
        try:
            webinar = services.create_webinar(
                start_at=form.start_at(), speakers=form.speakers(), **form.values()
            )
        except WebinarError as exc:
            form[exc.field or "title"].errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("The webinar is created."), "success")
            return redirect(url_for("webinars.detail", webinar_id=webinar.id))
    return render_template("webinars/edit.html", form=form, webinar=None)


@bp.route("/manage/<id:webinar_id>/edit", methods=["GET", "POST"])
@coordinator_required
def edit(webinar_id):
    webinar = db.get_or_404(Webinar, webinar_id)
    form = WebinarEditForm(obj=webinar)
    if request.method == "GET":
        form.fill_speakers(webinar.speakers)
    if form.validate_on_submit():
        try:
            promoted = services.update_webinar(webinar, speakers=form.speakers(), **form.values())
        except WebinarError as exc:
            form[exc.field or "title"].errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("The webinar is saved."), "success")
            if promoted:
                flash(
                    _(
                        "%(n)d people moved up from the waiting list and were told.",
                        n=len(promoted),
                    ),
                    "info",
                )
            return redirect(url_for("webinars.manage"))
    return render_template("webinars/edit.html", form=form, webinar=webinar)


@bp.route("/manage/<id:webinar_id>/reschedule", methods=["GET", "POST"])
@coordinator_required
def reschedule(webinar_id):
    webinar = db.get_or_404(Webinar, webinar_id)
    form = RescheduleForm()
    if request.method == "GET":
        local = webinar.start_at.astimezone(MONTREAL)
        form.start_date.data, form.start_time.data = local.date(), local.time()
        form.duration_minutes.data = webinar.duration_minutes
    if form.validate_on_submit():
        try:
            told = services.reschedule_webinar(
                webinar, start_at=form.start_at(), duration_minutes=form.duration_minutes.data
            )
        except WebinarError as exc:
            form[exc.field or "start_date"].errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("The webinar is moved. %(n)d people were told by email.", n=told), "success")
            return redirect(url_for("webinars.manage"))
    return render_template("webinars/reschedule.html", form=form, webinar=webinar)


@bp.route("/manage/<id:webinar_id>/cancel", methods=["GET", "POST"])
@coordinator_required
def cancel_webinar(webinar_id):
    webinar = db.get_or_404(Webinar, webinar_id)
    form = ButtonForm()
    if form.validate_on_submit():
        try:
            told = services.cancel_webinar(webinar)
        except WebinarError as exc:
            flash(str(exc.message), "error")
        else:
            db.session.commit()
            flash(
                _("The webinar is cancelled. %(n)d people were told by email.", n=told), "success"
            )
        return redirect(url_for("webinars.manage"))
    return render_template("webinars/cancel_webinar.html", form=form, webinar=webinar)


@bp.route("/manage/<id:webinar_id>/follow-up", methods=["POST"])
@coordinator_required
def follow_up(webinar_id):
    webinar = db.get_or_404(Webinar, webinar_id)
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        thanked, missed = services.send_follow_up(webinar)
    except WebinarError as exc:
        flash(str(exc.message), "error")
    else:
        db.session.commit()
        flash(
            _(
                "Sent: %(thanked)d thank-you and %(missed)d sorry-we-missed-you emails.",
                thanked=thanked,
                missed=missed,
            ),
            "success",
        )
    return redirect(url_for("webinars.attendance", webinar_id=webinar.id))


@bp.route("/manage/report")
@coordinator_required
def report():
    rows = services.series_report()
    return render_template("webinars/report.html", rows=rows, chart=_chart(rows))


def _chart(rows: list[dict]) -> dict:
    """Geometry of the bar chart, computed here so the template only draws."""
    top = max([r["active"] for r in rows] + [1])
    height, bar, gap = 160, 14, 16
    bars = []
    for i, r in enumerate(rows):
        x = 40 + i * (2 * bar + gap)
        h_signed = round(height * r["active"] / top)
        h_came = round(height * r["attended"] / top)
        bars.append(
            {
                "x": x,
                "signed_y": 10 + height - h_signed,
                "signed_h": h_signed,
                "came_y": 10 + height - h_came,
                "came_h": h_came,
                "label_x": x + bar,
                "row": r,
            }
        )
    return {
        "bars": bars,
        "bar": bar,
        "height": height,
        "top": top,
        # Room on the right for the legend.
        "width": max(360, 40 + len(rows) * (2 * bar + gap) + 150),
    }


# Attendance --------------------------------------------------------------------------------


def _filtered(signups: list[Signup], q: str) -> list[Signup]:
    q = (q or "").strip().casefold()
    if not q:
        return list(signups)
    return [s for s in signups if q in s.name.casefold() or q in s.email.casefold()]


@bp.route("/<id:webinar_id>/attendance", methods=["GET", "POST"])
@coordinator_required
def attendance(webinar_id):
    webinar = db.get_or_404(Webinar, webinar_id)
    form = AttendanceForm()
    if form.validate_on_submit():
        ids = set()
        for raw in request.form.getlist("attended"):
            if raw.isdigit() and len(raw) < 12:
                ids.add(int(raw))
        count = services.record_attendance(webinar, ids)
        db.session.commit()
        flash(_("Attendance saved: %(n)d people attended.", n=count), "success")
        return redirect(url_for("webinars.attendance", webinar_id=webinar.id))
    q = request.args.get("q", "")[:100]
    return render_template(
        "webinars/attendance.html",
        webinar=webinar,
        form=form,
        follow_form=ButtonForm(),
        signups=_filtered(services.attendance_list(webinar), q),
        q=q,
        counts=services.attendance_counts(webinar),
    )


CSV_HEADERS = [
    "Nom",
    "Courriel",
    "Membre ou invité",
    "Langue",
    "Inscrit le",
    "État",
    "Annulé le",
    "Présent",
    "Besoins d'accommodement",
    "Comment a connu",
]
STATE_FR = {"confirmed": "Inscrit", "waiting": "Liste d'attente", "cancelled": "Annulé"}


@bp.route("/<id:webinar_id>/attendance.csv")
@coordinator_required
def attendance_csv(webinar_id):
    db.get_or_404(Webinar, webinar_id)

    def rows():
        # Runs while the response streams: load afresh, by the route's id, 500 rows at a
        # time, each sign-up with its member (one query, not one per member).
        signups = services.iter_attendance(webinar_id)
        with force_locale("fr_CA"):  # French headers: French cells too (accommodation labels)
            for s in signups:
                yield (
                    s.name,
                    s.email,
                    "Membre" if s.is_member else "Invité",
                    s.language,
                    format_local(s.created_at, "short", "fr"),
                    STATE_FR[s.state.value],
                    format_local(s.cancelled_at, "short", "fr"),
                    "oui" if s.attended else "non",
                    "; ".join(s.user.accommodation_labels()) if s.user else "",
                    s.how_heard or "",
                )

    return csv_response(f"presences-webinaire-{webinar_id}.csv", CSV_HEADERS, rows())
