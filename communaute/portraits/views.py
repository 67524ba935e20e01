"""Portraits: the public page, a photo, the member's withdrawal, the coordinators' tools."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from communaute import uploads
from communaute.auth.access import coordinator_required
from communaute.cache import cached_for_visitors
from communaute.extensions import db
from communaute.forms import ButtonForm
from communaute.portraits import bp, services
from communaute.portraits.forms import PortraitForm
from communaute.portraits.models import Portrait
from communaute.web import require_button, shown_on, unit_of_work


@bp.route("/")
@cached_for_visitors("portraits")
def index():
    portraits = db.session.scalars(services.shown_query()).all()
    return render_template("portraits/index.html", portraits=portraits)


@bp.route("/<id:portrait_id>/photo")
def photo(portrait_id):
    portrait = db.get_or_404(Portrait, portrait_id)
    mine = current_user.is_authenticated and portrait.user_id == current_user.id
    if not (portrait.shown or mine or getattr(current_user, "is_coordinator", False)):
        abort(404)
    return uploads.send_stored(portrait.photo_name, download_name="portrait",
                               as_attachment=False)  # fmt: skip


@bp.route("/<id:portrait_id>/withdraw", methods=["POST"])
@shown_on("main.me")
@login_required
def withdraw_mine(portrait_id):
    """The member shown in a portrait withdraws their consent themself."""
    portrait = db.get_or_404(Portrait, portrait_id)
    if portrait.user_id != current_user.id:
        abort(404)
    require_button(ButtonForm())
    with unit_of_work() as work:
        services.withdraw_consent(portrait, actor=current_user)
        work.flash(_("Your consent is withdrawn: your portrait is no longer on the website."))
    return redirect(url_for("main.me"))


# Coordinators ------------------------------------------------------------------------------


@bp.route("/manage/")
@coordinator_required
def manage():
    portraits = db.session.scalars(select(Portrait).order_by(Portrait.id.desc())).all()
    return render_template("portraits/manage.html", portraits=portraits)


def _edit(portrait: Portrait | None):
    uploads.allow_upload(uploads.MAX_PICTURE_BYTES)
    if portrait is not None and request.method == "GET":
        form = PortraitForm(
            obj=portrait,
            en_role=portrait.role_en,
            en_quote=portrait.quote_en,
            en_photo_alt=portrait.photo_alt_en,
            account_email=portrait.person.email if portrait.person else "",
            consent=portrait.has_consent,
        )
    else:
        form = PortraitForm()
    if form.validate_on_submit():
        with unit_of_work(form, field="name") as work:
            services.save_portrait(
                portrait or Portrait(),
                services.PortraitData(
                    name=form.name.data,
                    role=form.role.data,
                    role_en=form.en_role.data or None,
                    quote=form.quote.data,
                    quote_en=form.en_quote.data or None,
                    photo_alt=form.photo_alt.data or None,
                    photo_alt_en=form.en_photo_alt.data or None,
                    published=form.published.data,
                ),
                actor=current_user,
                photo=form.photo.data,
                remove_photo=form.remove_photo.data,
                account_email=form.account_email.data or None,
                consent=form.consent.data,
                consent_on=form.consent_on.data,
                consent_note=form.consent_note.data,
            )
            work.flash(_("The portrait was saved."))
        if not work.failed:
            return redirect(url_for("portraits.manage"))
    return render_template("portraits/edit.html", form=form, portrait=portrait, button=ButtonForm())


@bp.route("/manage/new", methods=["GET", "POST"])
@coordinator_required
def new():
    return _edit(None)


@bp.route("/manage/<id:portrait_id>", methods=["GET", "POST"])
@coordinator_required
def edit(portrait_id):
    return _edit(db.get_or_404(Portrait, portrait_id))


@bp.route("/manage/<id:portrait_id>/withdraw", methods=["POST"])
@shown_on("portraits.edit")
@coordinator_required
def withdraw(portrait_id):
    """A coordinator records that the person withdrew their consent (by phone, by email)."""
    portrait = db.get_or_404(Portrait, portrait_id)
    require_button(ButtonForm())
    with unit_of_work() as work:
        services.withdraw_consent(portrait, actor=current_user)
        work.flash(_("The withdrawal is recorded: the portrait is no longer on the website."))
    return redirect(url_for("portraits.edit", portrait_id=portrait.id))


@bp.route("/manage/<id:portrait_id>/delete", methods=["POST"])
@shown_on("portraits.manage")
@coordinator_required
def delete(portrait_id):
    portrait = db.get_or_404(Portrait, portrait_id)
    require_button(ButtonForm())
    with unit_of_work() as work:
        services.delete_portrait(portrait)
        work.flash(_("The portrait was deleted."))
    return redirect(url_for("portraits.manage"))
