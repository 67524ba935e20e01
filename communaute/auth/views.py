"""Account pages. Thin: load, check, validate, call one service, commit, redirect."""

import json
from urllib.parse import urlsplit

from flask import Response, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from communaute.auth import bp, services
from communaute.auth.forms import (
    DeleteAccountForm,
    EmailChangeForm,
    LoginForm,
    PasswordChangeForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
    ResetRequestForm,
)
from communaute.auth.services import AccountError, TokenError
from communaute.extensions import db, limiter
from communaute.forms import ButtonForm
from communaute.limits import account_key, limit_per_recipient

PRIVACY_CONSENT_TEXT = _l(
    "I have read the privacy policy and I agree that Expériences keeps my account information."
)


def me():
    """The logged-in User itself: services and Flask-Login get objects, never the proxy."""
    return current_user._get_current_object()


#: Wrong passwords typed on the pages of a logged-in member (password and email change,
#: deletion), counted per account across the three: a borrowed session cannot guess on.
password_checks = limiter.shared_limit(
    "10 per hour",
    scope="password-checks",
    key_func=account_key,
    methods=["POST"],
    deduct_when=lambda response: response.status_code != 302,
)


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: never another host, scheme or protocol-relative URL."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(c in target for c in "\r\n\\"):
        return None
    return target


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
@limit_per_recipient("email")
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.me"))
    form = RegisterForm()
    if request.method == "GET":
        form.language.data = session.get("lang", "fr")
    if form.validate_on_submit():
        try:
            user = services.register_member(
                email=form.email.data,
                display_name=form.display_name.data,
                password=form.password.data,
                language=form.language.data,
                participation=form.participation.data or None,
                privacy_text=str(PRIVACY_CONSENT_TEXT),
            )
        except AccountError as exc:
            form[exc.field or "email"].errors.append(exc.message)
        else:
            db.session.commit()
            login_user(user)
            session["lang"] = user.language
            flash(
                _(
                    "Your account is created. We sent a link to %(email)s: open it to confirm "
                    "your address.",
                    email=user.email,
                ),
                "success",
            )
            return redirect(url_for("main.me"))
    return render_template("auth/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute;50 per hour", methods=["POST"])
def login():
    next_url = safe_next(request.values.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("main.me"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(_("The email address or the password is not right."))
        else:
            db.session.commit()
            session.clear()
            login_user(user, remember=form.remember.data)
            session["lang"] = user.language
            flash(_("Welcome, %(name)s.", name=user.display_name), "success")
            return redirect(next_url or url_for("main.me"))
    return render_template("auth/login.html", form=form, next_url=next_url)


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        # A copied session or remember-me cookie dies with the token it carries.
        current_user.rotate_session_token()
        db.session.commit()
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
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
        try:
            user = services.confirm_email(token)
        except TokenError as exc:
            return render_template("auth/token_problem.html", message=exc.message), 400
        db.session.commit()
        flash(_("Thank you. Your email address is confirmed."), "success")
        return redirect(
            url_for("main.me")
            if current_user.is_authenticated
            else url_for("auth.login", email=user.email)
        )
    return render_template("auth/confirm.html", form=form)


@bp.route("/confirm/resend", methods=["POST"])
@login_required
@limiter.limit("5 per hour")
def resend_confirmation():
    form = ButtonForm()
    if form.validate_on_submit():
        try:
            services.resend_confirmation(me())
        except AccountError as exc:
            flash(exc.message, "info")
        else:
            db.session.commit()
            flash(_("We sent the link again to %(email)s.", email=current_user.email), "success")
    return redirect(url_for("main.me"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit("5 per minute;20 per hour", methods=["POST"])
@limit_per_recipient("email")
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
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
        try:
            services.reset_password(token, form.password.data)
        except AccountError as exc:
            form.password.errors.append(exc.message)
        else:
            db.session.commit()
            logout_user()
            flash(_("Your password is changed. You can log in with it now."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if request.method == "GET":
        form.participation.data = (
            current_user.participation.value if current_user.participation else ""
        )
    if form.validate_on_submit():
        services.update_profile(
            me(),
            display_name=form.display_name.data,
            language=form.language.data,
            participation=form.participation.data,
            needs_captions=form.needs_captions.data,
            needs_sign_language=form.needs_sign_language.data,
            needs_large_print=form.needs_large_print.data,
            needs_phone_only=form.needs_phone_only.data,
            needs_helper=form.needs_helper.data,
            needs_other=form.needs_other.data or None,
        )
        db.session.commit()
        session["lang"] = current_user.language
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("auth.profile"))
    return render_template(
        "auth/profile.html",
        form=form,
        email_form=EmailChangeForm(prefix="email"),
        password_form=PasswordChangeForm(prefix="pw"),
    )


@bp.route("/profile/password", methods=["POST"])
@login_required
@password_checks
def change_password():
    password_form = PasswordChangeForm(prefix="pw")
    if password_form.validate_on_submit():
        try:
            services.change_password(
                me(), password_form.current_password.data, password_form.password.data
            )
        except AccountError as exc:
            password_form[exc.field or "password"].errors.append(exc.message)
        else:
            db.session.commit()
            # The token changed: every other session is over; this one carries on.
            login_user(me())
            flash(_("Your password is changed. Your other sessions are closed."), "success")
            return redirect(url_for("auth.profile"))
    form = ProfileForm(obj=current_user)
    return render_template(
        "auth/profile.html",
        form=form,
        email_form=EmailChangeForm(prefix="email"),
        password_form=password_form,
    ), 400


@bp.route("/profile/email", methods=["POST"])
@login_required
@limiter.limit("10 per hour", methods=["POST"])
@limit_per_recipient("email-new_email")
@password_checks
def change_email():
    email_form = EmailChangeForm(prefix="email")
    if email_form.validate_on_submit():
        try:
            services.request_email_change(
                me(), email_form.new_email.data, email_form.current_password.data
            )
        except AccountError as exc:
            email_form[exc.field or "new_email"].errors.append(exc.message)
        else:
            db.session.commit()
            flash(
                _(
                    "We sent a link to %(email)s. Your address changes when you open it.",
                    email=current_user.pending_email,
                ),
                "success",
            )
            return redirect(url_for("auth.profile"))
    form = ProfileForm(obj=current_user)
    return render_template(
        "auth/profile.html",
        form=form,
        email_form=email_form,
        password_form=PasswordChangeForm(prefix="pw"),
    ), 400


@bp.route("/email/<token>", methods=["GET", "POST"])
def confirm_email_change(token):
    form = ButtonForm()
    try:
        services.read_token("email", token, services.CONFIRM_MAX_AGE)
    except TokenError as exc:
        return render_template("auth/token_problem.html", message=exc.message), 400
    if form.validate_on_submit():
        try:
            services.confirm_email_change(token)
        except TokenError as exc:
            return render_template("auth/token_problem.html", message=exc.message), 400
        db.session.commit()
        flash(_("Your new email address is confirmed."), "success")
        return redirect(
            url_for("main.me") if current_user.is_authenticated else url_for("auth.login")
        )
    return render_template("auth/confirm.html", form=form, email_change=True)


@bp.route("/export")
@login_required
def export():
    data = services.export_account(me())
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": 'attachment; filename="mes-donnees-experiences.json"',
            "Cache-Control": "private, no-store",
        },
    )


@bp.route("/delete", methods=["GET", "POST"])
@login_required
@password_checks
def delete():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            services.delete_account(me(), form.password.data)
        except AccountError as exc:
            form.password.errors.append(exc.message)
        else:
            db.session.commit()
            logout_user()
            lang = session.get("lang")
            session.clear()
            if lang:
                session["lang"] = lang
            flash(_("Your account and your personal information are deleted."), "success")
            return redirect(url_for("main.home"))
    return render_template("auth/delete.html", form=form)
