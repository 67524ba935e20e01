from flask import Response, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from communaute import calendar, subscriptions
from communaute.auth.access import coordinator_required
from communaute.cache import cached_for_visitors
from communaute.db import utcnow
from communaute.email import render_email
from communaute.exports import csv_response
from communaute.extensions import db, limiter
from communaute.forms import ButtonForm
from communaute.i18n import current_language, format_local
from communaute.limits import limit_per_recipient
from communaute.routing import whole_number
from communaute.web import (
    paginate_rows,
    require_button,
    search_query,
    shown_on,
    streamed_page,
    unit_of_work,
)
from communaute.webinars import bp, emails, services
from communaute.webinars import series as repeats
from communaute.webinars.cards import cards
from communaute.webinars.forms import (
    NEWS_CONSENT_TEXT,
    AttendanceForm,
    GuestSignupForm,
    RescheduleForm,
    SignupManageForm,
    WebinarCreateForm,
    WebinarEditForm,
)
from communaute.webinars.models import Signup, SignupState, Webinar
from communaute.webinars.services import TokenError

# Public pages --------------------------------------------------------------------------


@bp.route("/")
@cached_for_visitors("webinars")
def series():
    statement, params = services.past_webinars_query()
    past = paginate_rows(statement, params=params, per_page=services.PAST_PER_PAGE)
    upcoming, more = [], False
    if past.page == 1:
        # The next ones first: a phone or a screen reader then reaches the recordings
        # without going through a year of cards. ``?upcoming=all`` shows them all.
        upcoming, more = services.upcoming_for_series(every=request.args.get("upcoming") == "all")
    shown = cards(upcoming + past.items)  # one statement for the speakers of both lists
    return render_template(
        "webinars/series.html",
        upcoming=shown[: len(upcoming)],
        more=more,
        past=past,
        past_cards=shown[len(upcoming) :],
    )


def _detail_page(webinar: Webinar, form: GuestSignupForm | None = None):
    mine = position = None
    if current_user.is_authenticated:
        mine = services.signup_of(webinar, current_user)
        position = services.waiting_position(mine) if mine else None
    if form is None:
        # The emails come in the language of the page the guest reads, unless they choose.
        form = GuestSignupForm(language=current_language())
    return render_template(
        "webinars/detail.html",
        webinar=webinar,
        form=form,
        member_form=ButtonForm(),
        mine=mine,
        position=position,
        box=_box(webinar, mine, position, manage=True) if mine else None,
    )


def _box(webinar: Webinar, signup: Signup, position, *, manage: bool, ics_url=None) -> dict:
    """What the "you are in" box shows: when, how to join, calendars, manage or cancel.
    ``manage``: the page may link to the sign-up's own page (its link is secret)."""
    event = emails.calendar_event(webinar, signup, language=current_language())
    token = services.make_cancel_token(signup)
    return {
        "webinar": webinar,
        "signup": signup,
        "position": position,
        "ics_url": ics_url or url_for("webinars.signup_ics", token=token),
        "google_url": calendar.google_link(event),
        "outlook_url": calendar.outlook_link(event),
        "manage_url": url_for("webinars.my_signup", token=token) if manage else None,
        "cancel_url": url_for("webinars.cancel", token=token) if manage else None,
    }


#: The sign-ups this browser just made as a guest (webinar id -> sign-up id), so that its
#: confirmation page and .ics can be shown without a link; a few at most.
SESSION_KEY = "webinar_signups"


def _remember(signup_: Signup) -> None:
    made = {k: v for k, v in session.get(SESSION_KEY, {}).items() if k != str(signup_.webinar_id)}
    made[str(signup_.webinar_id)] = signup_.id
    session[SESSION_KEY] = dict(list(made.items())[-5:])


def _viewers_signup(webinar: Webinar) -> Signup | None:
    """The sign-up of whoever looks: a member's own, or the one this browser just made."""
    if current_user.is_authenticated:
        return services.signup_of(webinar, current_user)
    signup_id = session.get(SESSION_KEY, {}).get(str(webinar.id))
    signup_ = db.session.get(Signup, signup_id) if isinstance(signup_id, int) else None
    return signup_ if signup_ is not None and signup_.webinar_id == webinar.id else None


def _ics_response(body: bytes, filename: str) -> Response:
    return Response(
        body,
        mimetype="text/calendar",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )


@bp.route("/<id:webinar_id>")
@cached_for_visitors("webinar:{webinar_id}")
def detail(webinar_id):
    return _detail_page(db.get_or_404(Webinar, webinar_id))


@bp.route("/<id:webinar_id>/signup", methods=["POST"])
@shown_on("webinars.detail")
@limiter.limit("60 per hour")
@limit_per_recipient("email", "10 per hour;20 per day")
def signup(webinar_id):
    webinar = db.get_or_404(Webinar, webinar_id)
    if current_user.is_authenticated:
        return _member_signup(webinar)
    return _guest_signup(webinar)


def _member_signup(webinar: Webinar):
    """One click: the account's name, address and language."""
    require_button(ButtonForm())
    webinar_id = webinar.id
    with unit_of_work() as work:
        signup_, created = services.sign_up_member(webinar, current_user)
        work.flash(*_signed_up_message(signup_, created))
    if work.failed and work.error.action == "confirm":
        return redirect(url_for("main.me"))
    # The id read before the commit: after it, webinar.id would load the row again.
    if work.failed:
        return redirect(url_for("webinars.detail", webinar_id=webinar_id))
    return redirect(url_for("webinars.confirmation", webinar_id=webinar_id))


def _guest_signup(webinar: Webinar):
    """Name and address typed in the form; errors come back next to their fields."""
    form = GuestSignupForm()
    if not form.validate_on_submit():
        return _detail_page(webinar, form)
    webinar_id = webinar.id  # read before the commit: after it, webinar.id loads the row again
    with unit_of_work(form) as work:
        signup_, _created = services.sign_up_guest(
            webinar,
            email=form.email.data,
            name=form.name.data,
            full_name=form.full_name.data or None,
            language=form.language.data,
            how_heard=form.how_heard.data or None,
            news_consent=form.news_consent.data,
            news_consent_text=str(NEWS_CONSENT_TEXT),
            accessibility_needs=form.accessibility_needs.data or None,
        )
        _remember(signup_)
        # The same words whether the address was new or not: nobody learns who signed up.
        work.flash(
            _(
                "Thank you. We sent an email to %(email)s with the details. "
                "If it does not arrive, check your junk mail.",
                email=form.email.data,
            )
        )
    if work.failed:
        return _detail_page(webinar, form)
    return redirect(url_for("webinars.confirmation", webinar_id=webinar_id))


@bp.route("/<id:webinar_id>/confirmation")
def confirmation(webinar_id):
    """After a sign-up (POST/redirect/GET): what, when, how to join, calendars, what next.

    A guest's page says the same whether the address was new or not, and gives no power
    over the sign-up: changing or cancelling it takes the link sent to the address."""
    webinar = db.get_or_404(Webinar, webinar_id)
    signup_ = _viewers_signup(webinar)
    if signup_ is None or signup_.state == SignupState.cancelled:
        return redirect(url_for("webinars.detail", webinar_id=webinar.id))
    member = current_user.is_authenticated
    return render_template(
        "webinars/confirmation.html",
        webinar=webinar,
        box=_box(
            webinar,
            signup_,
            services.waiting_position(signup_),
            manage=member,
            ics_url=url_for("webinars.ics", webinar_id=webinar.id),
        ),
        guest=not member,
    )


@bp.route("/<id:webinar_id>/calendar.ics")
def ics(webinar_id):
    """The webinar for a calendar: with the join link for whoever signed up (a member, or
    the guest who just did in this browser), without it for everyone else."""
    webinar = db.get_or_404(Webinar, webinar_id)
    signup_ = _viewers_signup(webinar)
    if signup_ is not None and signup_.state == SignupState.cancelled:
        signup_ = None
    if signup_ is not None:
        body = emails.build_ics(webinar, signup_)
    else:
        event = emails.calendar_event(webinar, language=current_language())
        body = calendar.build_ics(event, cancelled=webinar.is_cancelled)
    return _ics_response(body, f"webinaire-{webinar.id}.ics")


@bp.route("/calendar.ics")
def series_feed():
    """The public feed of the series: every webinar to come and of the last months."""
    lang = current_language()
    events = [
        (emails.calendar_event(w, language=lang), w.is_cancelled) for w in services.feed_webinars()
    ]
    name = _("Lunchtime webinars, Expériences")
    return Response(
        calendar.build_ics(events=events, name=name),
        mimetype="text/calendar",
        headers={"Cache-Control": "public, max-age=900"},
    )


def _signup_or_problem(token: str):
    try:
        return services.signup_for_token(token), None
    except TokenError as exc:
        return None, render_template("webinars/cancel.html", problem=exc.message)


@bp.route("/signup/<token>", methods=["GET", "POST"])
def my_signup(token):
    """Manage my sign-up, from the link in the email: name, language, accessibility needs;
    cancelling is one link away (with its own confirmation step)."""
    signup_, problem = _signup_or_problem(token)
    if problem is not None:
        return problem, 400
    webinar = signup_.webinar
    form = SignupManageForm(obj=signup_)
    if form.validate_on_submit() and signup_.state != SignupState.cancelled:
        with unit_of_work(form) as work:
            services.update_signup(
                signup_,
                name=form.name.data,
                language=form.language.data,
                accessibility_needs=form.accessibility_needs.data or None,
            )
            work.flash(_("Your changes are saved."))
        if not work.failed:
            return redirect(url_for("webinars.my_signup", token=token))
    return render_template(
        "webinars/my_signup.html",
        webinar=webinar,
        signup=signup_,
        form=form,
        box=_box(webinar, signup_, services.waiting_position(signup_), manage=True),
    )


@bp.route("/signup/<token>/calendar.ics")
def signup_ics(token):
    signup_, problem = _signup_or_problem(token)
    if problem is not None:
        abort(404)
    cancelled = signup_.state == SignupState.cancelled or signup_.webinar.is_cancelled
    return _ics_response(
        emails.build_ics(signup_.webinar, signup_, cancelled=cancelled),
        f"webinaire-{signup_.webinar_id}.ics",
    )


def _signed_up_message(signup_: Signup, created: bool) -> tuple[str, str]:
    if signup_.state == SignupState.waiting:
        return _(
            "The webinar is full: you are on the waiting list, in position %(n)d. "
            "We sent you an email.",
            n=services.waiting_position(signup_),
        ), "info"
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
        require_button(form)
        with unit_of_work() as work:
            services.cancel_signup(signup_, actor=current_user if _is_own(signup_) else None)
            work.flash(
                _(
                    "Your sign-up is cancelled. Thank you for letting us know. "
                    "We sent you an email that removes it from your calendar."
                )
            )
        return redirect(url_for("webinars.cancel", token=token))
    return render_template(
        "webinars/cancel.html", signup=signup_, webinar=signup_.webinar, form=form
    )


def _is_own(signup_: Signup) -> bool:
    return current_user.is_authenticated and signup_.user_id == current_user.id


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
        with unit_of_work(form) as work:
            weeks = form.repeat_weeks.data or 1
            if weeks > 1 or (form.skip_dates.data or "").strip():
                made = repeats.create_series(
                    first=form.start_date.data,
                    at=form.start_time.data,
                    weeks=weeks,
                    skip=repeats.parse_dates(form.skip_dates.data),
                    speakers=form.speakers(),
                    **form.values(),
                )
                work.flash(
                    ngettext(
                        "%(num)d webinar is created: %(dates)s. Each one can be edited.",
                        "%(num)d webinars are created: %(dates)s. Each one can be edited.",
                        len(made),
                        dates=repeats.describe(made),
                    )
                )
                target = url_for("webinars.manage")
            else:
                webinar = services.create_webinar(
                    start_at=form.start_at(), speakers=form.speakers(), **form.values()
                )
                work.flash(_("The webinar is created."))
                target = url_for("webinars.detail", webinar_id=webinar.id)
        if not work.failed:
            return redirect(target)
    return render_template("webinars/edit.html", form=form, webinar=None)


@bp.route("/manage/<id:webinar_id>/duplicate", methods=["POST"])
@coordinator_required
def duplicate(webinar_id):
    """A copy without the people, a week later, opened for editing."""
    webinar = db.get_or_404(Webinar, webinar_id)
    require_button(ButtonForm())
    with unit_of_work() as work:
        copy = repeats.duplicate_webinar(webinar)
        copy_id = copy.id
        work.flash(_("A copy is made, without the people. Check its date and save it."))
    return redirect(url_for("webinars.edit", webinar_id=copy_id))


@bp.route("/manage/<id:webinar_id>/edit", methods=["GET", "POST"])
@coordinator_required
def edit(webinar_id):
    webinar = db.get_or_404(Webinar, webinar_id)
    form = WebinarEditForm(obj=webinar)
    if request.method == "GET":
        form.fill_speakers(webinar.speakers)
        form.en_title.data, form.en_description.data = webinar.title_en, webinar.description_en
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            promoted = services.update_webinar(webinar, speakers=form.speakers(), **form.values())
            work.flash(_("The webinar is saved."))
            if promoted:
                work.flash(
                    _(
                        "%(n)d people moved up from the waiting list and were told.",
                        n=len(promoted),
                    ),
                    "info",
                )
        if not work.failed:
            return redirect(url_for("webinars.manage"))
    return render_template("webinars/edit.html", form=form, webinar=webinar)


@bp.route("/manage/<id:webinar_id>/reschedule", methods=["GET", "POST"])
@coordinator_required
def reschedule(webinar_id):
    webinar = db.get_or_404(Webinar, webinar_id)
    form = RescheduleForm()
    if request.method == "GET":
        form.fill(webinar)
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            told = services.reschedule_webinar(
                webinar, start_at=form.start_at(), duration_minutes=form.duration_minutes.data
            )
            work.flash(_("The webinar is moved. %(n)d people were told by email.", n=told))
        if not work.failed:
            return redirect(url_for("webinars.manage"))
    return render_template("webinars/reschedule.html", form=form, webinar=webinar)


@bp.route("/manage/<id:webinar_id>/cancel", methods=["GET", "POST"])
@coordinator_required
def cancel_webinar(webinar_id):
    webinar = db.get_or_404(Webinar, webinar_id)
    form = ButtonForm()
    if request.method == "POST":
        require_button(form)
        with unit_of_work() as work:
            told = services.cancel_webinar(webinar)
            work.flash(_("The webinar is cancelled. %(n)d people were told by email.", n=told))
        return redirect(url_for("webinars.manage"))
    return render_template("webinars/cancel_webinar.html", form=form, webinar=webinar)


@bp.route("/manage/<id:webinar_id>/announce", methods=["GET", "POST"])
@coordinator_required
def announce(webinar_id):
    """Shows who will get the news and the email itself, then sends it on confirmation."""
    webinar = db.get_or_404(Webinar, webinar_id)
    form = ButtonForm()
    if request.method == "POST":
        require_button(form)
        with unit_of_work() as work:
            sent = services.announce(webinar)
            work.flash(
                ngettext(
                    "The news was sent to %(num)d person.",
                    "The news was sent to %(num)d people.",
                    sent,
                )
            )
        if not work.failed:
            return redirect(url_for("webinars.manage"))
    refusal = services.why_not_announce(webinar)
    preview = None
    if refusal is None:
        preview = render_email(
            "webinars/emails/announcement",
            current_language(),
            webinar=webinar,
            page_link=url_for("webinars.detail", webinar_id=webinar.id, _external=True),
            unsubscribe_link=url_for("main.unsubscribe", token="…", _external=True),  # noqa: S106 (a sample)
        )
    return render_template(
        "webinars/announce.html",
        form=form,
        webinar=webinar,
        refusal=refusal,
        audience=services.announcement_audience(webinar),
        already=subscriptions.sent_count(services.announcement_topic(webinar)),
        preview=preview,
    )


@bp.route("/manage/<id:webinar_id>/follow-up", methods=["POST"])
@coordinator_required
def follow_up(webinar_id):
    webinar = db.get_or_404(Webinar, webinar_id)
    require_button(ButtonForm())
    with unit_of_work() as work:
        thanked, missed = services.send_follow_up(webinar)
        work.flash(
            _(
                "Sent: %(thanked)d thank-you and %(missed)d sorry-we-missed-you emails.",
                thanked=thanked,
                missed=missed,
            )
        )
    return redirect(url_for("webinars.attendance", webinar_id=webinar_id))


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


def _filtered(signups, q: str) -> list[Signup]:
    """The sign-ups whose name or address contains ``q`` (a search, never empty here)."""
    q = q.strip().casefold()
    return [s for s in signups if q in s.name.casefold() or q in s.email.casefold()]


@bp.route("/<id:webinar_id>/attendance", methods=["GET", "POST"])
@coordinator_required
def attendance(webinar_id):
    webinar = db.get_or_404(Webinar, webinar_id)
    form = AttendanceForm()
    if form.validate_on_submit():
        if webinar.start_at > utcnow():
            flash(_("Attendance can be taken once the webinar has started."), "error")
            return redirect(url_for("webinars.attendance", webinar_id=webinar_id))
        ids = set(request.form.getlist("attended", type=whole_number))
        with unit_of_work() as work:
            count = services.record_attendance(webinar, ids)
            work.flash(
                ngettext(
                    "Attendance saved: %(num)d person attended.",
                    "Attendance saved: %(num)d people attended.",
                    count,
                )
            )
        return redirect(url_for("webinars.attendance", webinar_id=webinar_id))
    q = search_query()
    counts = services.attendance_counts(webinar)
    if q:
        signups = _filtered(services.iter_attendance(webinar.id), q)
        shown = len(signups)
        # Saving a filtered list must not unmark the people it does not show.
        unseen = sorted(services.attended_ids(webinar.id) - {s.id for s in signups})
    else:
        # Every sign-up, read 500 at a time while the page is sent.
        signups, shown, unseen = services.iter_attendance(webinar.id), counts["signups"], []
    return streamed_page(
        "webinars/attendance.html",
        webinar=webinar,
        form=form,
        follow_form=ButtonForm(),
        signups=signups,
        shown=shown,
        unseen=unseen,
        q=q,
        counts=counts,
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
    "Nom complet (attestations)",
]
STATE_FR = {"confirmed": "Inscrit", "waiting": "Liste d'attente", "cancelled": "Annulé"}


def _needs(s: Signup) -> list[str]:
    """A member's needs from the account, a guest's as they typed them."""
    labels = list(s.user.accommodation_labels()) if s.user else []
    return [*labels, s.accessibility_needs] if s.accessibility_needs else labels


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
                    "; ".join(_needs(s)),
                    s.how_heard or "",
                    s.attestation_name,
                )

    return csv_response(f"presences-webinaire-{webinar_id}.csv", CSV_HEADERS, rows())
