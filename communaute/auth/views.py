"""Account pages. Thin: load, check, validate, call one service, commit, redirect."""

import json
import time
from urllib.parse import urlsplit

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from communaute import subscriptions
from communaute.audit import EventKind, record_event
from communaute.auth import bp, readable_export, second_factor, services, sessions
from communaute.auth.forms import (
    CodeForm,
    DeleteAccountForm,
    EmailChangeForm,
    LoginForm,
    MailPreferencesForm,
    PasswordChangeForm,
    ProfileForm,
    RecoveryCodesForm,
    RegisterForm,
    ResetPasswordForm,
    ResetRequestForm,
)
from communaute.auth.services import TokenError
from communaute.extensions import db, limiter
from communaute.forms import ButtonForm
from communaute.i18n import lazy_gettext as _l
from communaute.limits import account_key, limit_per_recipient
from communaute.web import require_button, shown_on, unit_of_work

PRIVACY_CONSENT_TEXT = _l(
    "I have read the privacy policy and I agree that Expériences keeps my account information."
)

#: Wrong passwords typed on the pages of a logged-in member (password and email change,
#: deletion), counted per account across the three: a borrowed session cannot guess on.
password_checks = limiter.shared_limit(
    "10 per hour",
    scope="password-checks",
    key_func=account_key,
    methods=["POST"],
    deduct_when=lambda response: response.status_code != 302,
)


def _pending_key() -> str:
    """Codes are counted per account whose password was given, whatever the client."""
    return sessions.pending_account_key(session) or f"client:{get_remote_address()}"


#: Codes typed after a coordinator's password, or at enrolment: per client and per account.
code_attempts_per_client = limiter.shared_limit(
    "10 per minute;30 per hour", scope="code-attempts-client", methods=["POST"]
)
code_attempts_per_account = limiter.shared_limit(
    "5 per minute;20 per hour",
    scope="code-attempts-account",
    key_func=_pending_key,
    methods=["POST"],
)


def me():
    """The logged-in User itself: services and Flask-Login get objects, never the proxy."""
    return current_user._get_current_object()


#: Where to go once the address is confirmed: the page the person was on when they chose to
#: create an account (a course, say), kept in their session.
AFTER_CONFIRM = "next_after_confirm"


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: never another host, scheme or protocol-relative URL."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(c in target for c in "\r\n\\"):
        return None
    return target


def log_refusal(work) -> None:
    """A wrong password or code goes to the security log after the rollback that undid the
    action it was for, in a transaction of its own."""
    event = getattr(work.error, "event", None)
    if event is not None:
        record_event(event, user_id=work.error.user_id)
        db.session.commit()


# Sessions ------------------------------------------------------------------------------


def _open_session(user, *, remember: bool, second_factor_given: bool) -> None:
    """Logs ``user`` in on a fresh session (nothing from before the login survives)."""
    session.clear()
    # Flask-WTF keeps this request's CSRF token in g: it belonged to the session just cleared,
    # and a page rendered now (the recovery codes) must carry one of the new session.
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    login_user(user)
    sessions.begin(session, remember=remember, second_factor=second_factor_given, now=time.time())
    session["lang"] = user.language


def _close_session() -> None:
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


@bp.before_app_request
def enforce_session_limits():
    """Every request: a session past its time is closed, and a coordinator's session that
    never gave a code (opened before codes were required, or a member promoted since) becomes
    a pending login: the code, or the enrolment, comes first."""
    if request.endpoint == "static":
        return None
    user = current_user._get_current_object()
    if not user.is_authenticated:
        return None
    now = time.time()
    if sessions.expired(session, user, now):
        _close_session()
        flash(_("Your session has ended. Log in again to go on."), "info")
        return None
    if user.is_coordinator and not session.get(sessions.SECOND_FACTOR):
        remember = session.permanent
        back = safe_next(request.full_path.rstrip("?")) if request.method == "GET" else None
        _close_session()
        sessions.begin_pending(session, user, remember=remember, next_url=back, now=now)
        return redirect(_second_step(user))
    sessions.touch(session, now)
    return None


def _second_step(user) -> str:
    if user.has_second_factor:
        return url_for("auth.login_code")
    return url_for("auth.second_factor_setup")


def _after_login(user, next_url: str | None):
    flash(_("Welcome, %(name)s.", name=user.display_name), "success")
    default = url_for("coordination.home") if user.is_coordinator else url_for("main.me")
    return redirect(next_url or default)


# Registration and login -------------------------------------------------------------------


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
@limit_per_recipient("email")
def register():
    next_url = safe_next(request.values.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("main.me"))
    form = RegisterForm()
    if request.method == "GET":
        form.language.data = session.get("lang", "fr")
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            user = services.register_member(
                email=form.email.data,
                display_name=form.display_name.data,
                password=form.password.data,
                language=form.language.data,
                participation=form.participation.data or None,
                privacy_text=str(PRIVACY_CONSENT_TEXT),
            )
        if not work.failed:
            _open_session(user, remember=False, second_factor_given=False)
            flash(
                _(
                    "Your account is created. We sent a link to %(email)s: open it to confirm "
                    "your address.",
                    email=user.email,
                ),
                "success",
            )
            if next_url:
                # Back where the person was going (the course), and there again once the
                # address is confirmed from the email (in this browser).
                session[AFTER_CONFIRM] = next_url
            return redirect(next_url or url_for("main.me"))
    return render_template("auth/register.html", form=form, next_url=next_url)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute;50 per hour", methods=["POST"])
def login():
    """The password. A member is logged in; a coordinator goes on to the code (or to setting
    up the second factor) and is not logged in before it is right."""
    next_url = safe_next(request.values.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("main.me"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            db.session.commit()  # the failure, in the security log
            form.password.errors.append(_("The email address or the password is not right."))
        elif user.is_coordinator:
            db.session.commit()  # a password hash upgraded on the way
            session.clear()
            session["lang"] = user.language
            sessions.begin_pending(
                session, user, remember=form.remember.data, next_url=next_url, now=time.time()
            )
            return redirect(_second_step(user))
        else:
            services.record_login(user)
            db.session.commit()
            _open_session(user, remember=form.remember.data, second_factor_given=False)
            return _after_login(user, next_url)
    return render_template("auth/login.html", form=form, next_url=next_url)


def _pending_or_restart():
    user = sessions.pending_user(session, time.time())
    if user is None:
        session.pop(sessions.PENDING, None)
        flash(_("Your login took too long or was interrupted. Log in again."), "info")
    return user


@bp.route("/login/code", methods=["GET", "POST"])
@code_attempts_per_client
@code_attempts_per_account
def login_code():
    """The second step of a coordinator's login: a code from the app, or a recovery code."""
    user = _pending_or_restart()
    if user is None:
        return redirect(url_for("auth.login"))
    if not user.has_second_factor:
        return redirect(url_for("auth.second_factor_setup"))
    form = CodeForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            used = second_factor.verify(user, form.code.data)
            services.record_login(user, used)
            left = second_factor.recovery_codes_left(user)
        if not work.failed:
            remember, next_url = sessions.pending_choice(session)
            _open_session(user, remember=remember, second_factor_given=True)
            if used == EventKind.recovery_code_used:
                flash(
                    _(
                        "You used a recovery code: %(left)d left. Each one works once.",
                        left=left,
                    ),
                    "warning",
                )
            return _after_login(user, next_url)
        log_refusal(work)
    return render_template("auth/login_code.html", form=form)


@bp.route("/login/second-factor", methods=["GET", "POST"])
@code_attempts_per_client
@code_attempts_per_account
def second_factor_setup():
    """A coordinator without a second factor sets it up after the password, before any page."""
    user = _pending_or_restart()
    if user is None:
        return redirect(url_for("auth.login"))
    if user.has_second_factor:
        return redirect(url_for("auth.login_code"))
    setup = session.get("second_factor_setup")
    if not isinstance(setup, dict) or setup.get("user") != user.id:
        # The key lives in this session only until it is confirmed: reloading the page shows
        # the same QR code, and nothing is written to the database before the code is right.
        setup = {"user": user.id, "secret": second_factor.new_secret()}
        session["second_factor_setup"] = setup
    secret = setup["secret"]
    form = CodeForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            codes = second_factor.enable(user, secret, form.code.data)
            services.record_login(user, EventKind.second_factor_used)
        if not work.failed:
            remember, next_url = sessions.pending_choice(session)
            _open_session(user, remember=remember, second_factor_given=True)
            flash(_("Your second factor is on."), "success")
            return render_template(
                "auth/recovery_codes.html",
                codes=codes,
                next_url=next_url or url_for("coordination.home"),
            )
    return render_template(
        "auth/second_factor_setup.html",
        form=form,
        qr=second_factor.qr_data_uri(secret, user.email),
        key=second_factor.grouped(secret),
    )


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        with unit_of_work():
            # A copied session cookie dies with the token it carries.
            current_user.rotate_session_token()
    _close_session()
    flash(_("You are logged out."), "info")
    return redirect(url_for("main.home"))


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm(token):
    """GET shows a button (a mail scanner opening the link changes nothing); POST confirms."""
    form = ButtonForm()
    try:
        services.read_token("confirm", token, services.CONFIRM_MAX_AGE)
    except TokenError as exc:
        return render_template("auth/token_problem.html", message=exc.message), 400
    if form.validate_on_submit():
        with unit_of_work(show=False) as work:
            email = services.confirm_email(token).email
            work.flash(_("Thank you. Your email address is confirmed."))
        if work.failed:
            return render_template("auth/token_problem.html", message=work.error.message), 400
        back = safe_next(session.pop(AFTER_CONFIRM, None))
        return redirect(
            (back or url_for("main.me"))
            if current_user.is_authenticated
            else url_for("auth.login", email=email, next=back)
        )
    return render_template("auth/confirm.html", form=form)


@bp.route("/confirm/resend", methods=["POST"])
@login_required
@limiter.limit("5 per hour")
def resend_confirmation():
    require_button(ButtonForm())
    with unit_of_work() as work:
        services.resend_confirmation(me())
        work.flash(_("We sent the link again to %(email)s.", email=current_user.email))
    return redirect(url_for("main.me"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit("5 per minute;20 per hour", methods=["POST"])
@limit_per_recipient("email")
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            services.request_password_reset(form.email.data)
        if not work.failed:
            return render_template("auth/reset_sent.html", email=form.email.data)
    return render_template("auth/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def reset_password(token):
    try:
        services.user_for_token("reset", token, services.RESET_MAX_AGE, lambda u: u.password_hash)
    except TokenError as exc:
        return render_template("auth/token_problem.html", message=exc.message), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            services.reset_password(token, form.password.data)
        if not work.failed:
            _close_session()
            flash(_("Your password is changed. You can log in with it now."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)


def _profile_page(status: int = 200, **forms):
    """The account page with its forms; the one that was sent comes back with its errors."""
    forms.setdefault("form", ProfileForm(obj=current_user))
    forms.setdefault("email_form", EmailChangeForm(prefix="email"))
    forms.setdefault("password_form", PasswordChangeForm(prefix="pw"))
    forms.setdefault("codes_form", RecoveryCodesForm(prefix="codes"))
    left = second_factor.recovery_codes_left(me()) if current_user.has_second_factor else 0
    return render_template("auth/profile.html", recovery_codes_left=left, **forms), status


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if request.method == "GET":
        form.participation.data = (
            current_user.participation.value if current_user.participation else ""
        )
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            services.update_profile(
                me(),
                display_name=form.display_name.data,
                full_name=form.full_name.data or None,
                language=form.language.data,
                participation=form.participation.data,
                needs_captions=form.needs_captions.data,
                needs_sign_language=form.needs_sign_language.data,
                needs_large_print=form.needs_large_print.data,
                needs_phone_only=form.needs_phone_only.data,
                needs_helper=form.needs_helper.data,
                needs_other=form.needs_other.data or None,
                **(
                    {"coordinator_alerts": form.coordinator_alerts.data}
                    if current_user.is_coordinator
                    and form.coordinator_alerts.data in ("each", "digest", "none")
                    else {}
                ),
            )
            work.flash(_("Your profile is saved."))
        if not work.failed:
            session["lang"] = current_user.language
            return redirect(url_for("auth.profile"))
    return _profile_page(form=form)


@bp.route("/mail", methods=["GET", "POST"])
@login_required
def mail_preferences():
    """Which emails I receive. Confirmations and changes to my own sign-ups always come."""
    user = me()
    form = MailPreferencesForm()
    if request.method == "GET":
        form.wants_reminders.data = user.wants_reminders
        form.webinar_news.data = subscriptions.is_subscribed(
            subscriptions.Purpose.webinar_news, user.email
        )
        form.language.data = user.language
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            services.update_mail_preferences(
                user,
                wants_reminders=form.wants_reminders.data,
                webinar_news=form.webinar_news.data,
                language=form.language.data,
            )
            work.flash(_("Your email choices are saved."))
        if not work.failed:
            session["lang"] = user.language
            return redirect(url_for("auth.mail_preferences"))
    return render_template(
        "auth/mail_preferences.html", form=form, news_text=subscriptions.PURPOSE_TEXTS
    )


@bp.route("/profile/password", methods=["POST"])
@shown_on("auth.profile")
@login_required
@password_checks
def change_password():
    password_form = PasswordChangeForm(prefix="pw")
    if password_form.validate_on_submit():
        with unit_of_work(password_form) as work:
            services.change_password(
                me(), password_form.current_password.data, password_form.password.data
            )
        if not work.failed:
            # The token changed: every other session is over; this one carries on.
            login_user(me())
            flash(_("Your password is changed. Your other sessions are closed."), "success")
            return redirect(url_for("auth.profile"))
        log_refusal(work)
    return _profile_page(400, password_form=password_form)


@bp.route("/profile/email", methods=["POST"])
@shown_on("auth.profile")
@login_required
@limiter.limit("10 per hour", methods=["POST"])
@limit_per_recipient("email-new_email")
@password_checks
def change_email():
    email_form = EmailChangeForm(prefix="email")
    if email_form.validate_on_submit():
        with unit_of_work(email_form) as work:
            services.request_email_change(
                me(), email_form.new_email.data, email_form.current_password.data
            )
        if work.failed:
            log_refusal(work)
        else:
            flash(
                _(
                    "We sent a link to %(email)s. Your address changes when you open it.",
                    email=current_user.pending_email,
                ),
                "success",
            )
            return redirect(url_for("auth.profile"))
    return _profile_page(400, email_form=email_form)


@bp.route("/profile/recovery-codes", methods=["POST"])
@shown_on("auth.profile")
@login_required
@password_checks
def new_recovery_codes():
    """Ten new recovery codes for the second factor (the old ones stop working), shown once."""
    if not current_user.has_second_factor:
        abort(404)
    codes_form = RecoveryCodesForm(prefix="codes")
    if codes_form.validate_on_submit():
        with unit_of_work(codes_form) as work:
            codes = second_factor.renew_recovery_codes(me(), codes_form.current_password.data)
        if not work.failed:
            return render_template(
                "auth/recovery_codes.html", codes=codes, next_url=url_for("auth.profile")
            )
        log_refusal(work)
    return _profile_page(400, codes_form=codes_form)


@bp.route("/email/<token>", methods=["GET", "POST"])
def confirm_email_change(token):
    form = ButtonForm()
    try:
        services.read_token("email", token, services.CONFIRM_MAX_AGE)
    except TokenError as exc:
        return render_template("auth/token_problem.html", message=exc.message), 400
    if form.validate_on_submit():
        with unit_of_work(show=False) as work:
            services.confirm_email_change(token)
            work.flash(_("Your new email address is confirmed."))
        if work.failed:
            return render_template("auth/token_problem.html", message=work.error.message), 400
        return redirect(
            url_for("main.me") if current_user.is_authenticated else url_for("auth.login")
        )
    return render_template("auth/confirm.html", form=form, email_change=True)


@bp.route("/export")
@login_required
def export():
    data = services.export_account(me())
    with unit_of_work():
        # A line in the security log, as a server log would keep it; nothing the page shows.
        record_event(EventKind.account_exported, user_id=current_user.id)
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": 'attachment; filename="mes-donnees-experiences.json"',
            "Cache-Control": "private, no-store",
        },
    )


@bp.route("/export/page")
@login_required
def export_page():
    """The same data as the download, as a page to read or print."""
    data = services.export_account(me())
    with unit_of_work():
        record_event(EventKind.account_exported, user_id=current_user.id)
    response = current_app.make_response(
        render_template(
            "auth/export_page.html",
            data=data,
            label=readable_export.label,
            value=readable_export.value,
        )
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/delete", methods=["GET", "POST"])
@login_required
@password_checks
def delete():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            services.delete_account(me(), form.password.data)
        if work.failed:
            log_refusal(work)
        else:
            _close_session()
            flash(_("Your account and your personal information are deleted."), "success")
            return redirect(url_for("main.home"))
    return render_template("auth/delete.html", form=form)
