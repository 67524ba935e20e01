"""Pages: the public page, the footer's links, the coordinators' tools. Thin."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from communaute.auth.access import coordinator_required
from communaute.cache import SITE, cached_for_visitors
from communaute.extensions import db
from communaute.forms import ButtonForm
from communaute.pages import bp, services
from communaute.pages.forms import PageForm
from communaute.pages.models import SLUG_MAX, Page
from communaute.web import require_button, shown_on, unit_of_work


@bp.app_context_processor
def footer_pages():
    return {"footer_pages": services.footer_links}


@bp.route("/<slug:slug>")
@cached_for_visitors(SITE)
def show(slug):
    if len(slug) > SLUG_MAX:
        abort(404)
    page = db.session.scalar(select(Page).where(Page.slug == slug))
    if page is None or not (page.published or getattr(current_user, "is_coordinator", False)):
        abort(404)
    return render_template("pages/show.html", page=page)


@bp.route("/manage/")
@coordinator_required
def manage():
    pages = db.session.scalars(select(Page).order_by(Page.position, Page.title)).all()
    return render_template("pages/manage.html", pages=pages)


def _edit(page: Page | None):
    if page is not None and request.method == "GET":
        form = PageForm(obj=page, en_title=page.title_en, en_body=page.body_en)
    else:
        form = PageForm()
    if form.validate_on_submit():
        values = {
            "title": form.title.data,
            "title_en": form.en_title.data or None,
            "slug": form.slug.data,
            "body": form.body.data,
            "body_en": form.en_body.data or None,
            "position": form.position.data or 0,
            "published": form.published.data,
        }
        with unit_of_work(form, field="slug") as work:
            services.save_page(page or Page(), values)
            work.flash(_("The page was saved."))
        if not work.failed:
            return redirect(url_for("pages.manage"))
    return render_template("pages/edit.html", form=form, page=page)


@bp.route("/manage/new", methods=["GET", "POST"])
@coordinator_required
def new():
    return _edit(None)


@bp.route("/manage/<id:page_id>", methods=["GET", "POST"])
@coordinator_required
def edit(page_id):
    return _edit(db.get_or_404(Page, page_id))


@bp.route("/manage/<id:page_id>/delete", methods=["POST"])
@shown_on("pages.manage")
@coordinator_required
def delete(page_id):
    page = db.get_or_404(Page, page_id)
    require_button(ButtonForm())
    with unit_of_work() as work:
        services.delete_page(page)
        work.flash(_("The page was deleted."))
    return redirect(url_for("pages.manage"))
