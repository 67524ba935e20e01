"""News: the public list, a post, its picture, the Atom feed; the coordinators' tools."""

from __future__ import annotations

from flask import Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from communaute import uploads
from communaute.auth.access import coordinator_required
from communaute.cache import cached_for_visitors
from communaute.db import utcnow
from communaute.extensions import db
from communaute.forms import ButtonForm
from communaute.i18n import local_to_utc, utc_to_local
from communaute.news import bp, services
from communaute.news.forms import NewsForm
from communaute.news.models import NewsPost
from communaute.web import paginate, require_button, shown_on, unit_of_work

PER_PAGE = 10


@bp.route("/")
@cached_for_visitors("news")
def index():
    page = paginate(services.published_query(), per_page=PER_PAGE)
    return render_template("news/index.html", page=page)


def _visible(post_id: int) -> NewsPost:
    post = db.get_or_404(NewsPost, post_id)
    if not post.is_published() and not getattr(current_user, "is_coordinator", False):
        abort(404)
    return post


@bp.route("/<id:post_id>")
@cached_for_visitors("news")
def detail(post_id):
    return render_template("news/detail.html", post=_visible(post_id))


@bp.route("/<id:post_id>/picture")
def picture(post_id):
    post = _visible(post_id)
    return uploads.send_stored(
        post.picture_name, download_name=post.picture_name or "image", as_attachment=False
    )


@bp.route("/feed.atom")
@cached_for_visitors("news")
def feed():
    posts = db.session.scalars(services.published_query().limit(20)).all()
    body = render_template("news/feed.xml", posts=posts)
    return Response(body, mimetype="application/atom+xml")


# Coordinators ------------------------------------------------------------------------------


@bp.route("/manage/")
@coordinator_required
def manage():
    posts = db.session.scalars(
        select(NewsPost).order_by(NewsPost.created_at.desc(), NewsPost.id.desc())
    ).all()
    return render_template("news/manage.html", posts=posts, now=utcnow())


def _published_at(form: NewsForm, post: NewsPost | None):
    if form.publish.data == "draft":
        return None
    if form.publish.data == "later":
        return local_to_utc(form.publish_date.data, form.publish_time.data)
    if post is not None and post.is_published():
        return post.published_at  # already out: keeps its date
    return utcnow()


def _form_for(post: NewsPost | None) -> NewsForm:
    if post is None or request.method != "GET":
        return NewsForm()
    form = NewsForm(
        obj=post,
        en_title=post.title_en,
        en_body=post.body_en,
        en_picture_alt=post.picture_alt_en,
        publish={"draft": "draft", "scheduled": "later", "published": "now"}[post.state()],
    )
    if post.state() == "scheduled":
        form.publish_date.data, form.publish_time.data = utc_to_local(post.published_at)
    return form


def _edit(post: NewsPost | None):
    uploads.allow_upload(uploads.MAX_PICTURE_BYTES)
    form = _form_for(post)
    if form.validate_on_submit():
        with unit_of_work(form, field="body") as work:
            saved = services.save_post(
                post or NewsPost(),
                services.NewsData(
                    title=form.title.data,
                    title_en=form.en_title.data or None,
                    body=form.body.data,
                    body_en=form.en_body.data or None,
                    picture_alt=form.picture_alt.data or None,
                    picture_alt_en=form.en_picture_alt.data or None,
                    published_at=_published_at(form, post),
                ),
                actor=current_user,
                picture=form.picture.data,
                remove_picture=form.remove_picture.data,
            )
            db.session.add(saved)
            work.flash(_("The news was saved."))
        if not work.failed:
            return redirect(url_for("news.manage"))
    return render_template("news/edit.html", form=form, post=post)


@bp.route("/manage/new", methods=["GET", "POST"])
@coordinator_required
def new():
    return _edit(None)


@bp.route("/manage/<id:post_id>", methods=["GET", "POST"])
@coordinator_required
def edit(post_id):
    return _edit(db.get_or_404(NewsPost, post_id))


@bp.route("/manage/<id:post_id>/delete", methods=["POST"])
@shown_on("news.manage")
@coordinator_required
def delete(post_id):
    post = db.get_or_404(NewsPost, post_id)
    require_button(ButtonForm())
    with unit_of_work() as work:
        services.delete_post(post)
        work.flash(_("The news was deleted."))
    return redirect(url_for("news.manage"))
