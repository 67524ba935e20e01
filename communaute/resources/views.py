"""Resources: the public list and page, the PDF download, the coordinators' tools. Thin."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from communaute import uploads
from communaute.auth.access import coordinator_required
from communaute.cache import cached_for_visitors
from communaute.content import localized
from communaute.extensions import db
from communaute.forms import ButtonForm
from communaute.resources import bp, services
from communaute.resources.forms import ResourceForm
from communaute.resources.models import (
    AUDIENCE_LABELS,
    KIND_LABELS,
    LANGUAGE_LABELS,
    Resource,
)
from communaute.web import paginate, require_button, shown_on, unit_of_work

PER_PAGE = 20


@bp.route("/")
@cached_for_visitors("resources")
def index():
    filters = {k: request.args.get(k) for k in ("kind", "language", "audience")}
    filters = {
        "kind": filters["kind"] if filters["kind"] in KIND_LABELS else None,
        "language": filters["language"] if filters["language"] in LANGUAGE_LABELS else None,
        "audience": filters["audience"] if filters["audience"] in AUDIENCE_LABELS else None,
    }
    page = paginate(services.public_query(**filters), per_page=PER_PAGE)
    return render_template(
        "resources/index.html",
        page=page,
        filters=filters,
        args={k: v for k, v in filters.items() if v},
        kind_labels=KIND_LABELS,
        language_labels=LANGUAGE_LABELS,
        audience_labels=AUDIENCE_LABELS,
    )


def _visible(resource_id: int) -> Resource:
    resource = db.get_or_404(Resource, resource_id)
    if not resource.published and not getattr(current_user, "is_coordinator", False):
        abort(404)
    return resource


@bp.route("/<id:resource_id>")
@cached_for_visitors("resources")
def detail(resource_id):
    return render_template("resources/detail.html", r=_visible(resource_id))


@bp.route("/<id:resource_id>/document.pdf")
def document(resource_id):
    resource = _visible(resource_id)
    title = localized(resource, "title").text
    safe = "".join(c if c.isalnum() else "-" for c in title)[:60].strip("-") or "document"
    return uploads.send_stored(resource.file_name, download_name=f"{safe}.pdf")


# Coordinators ------------------------------------------------------------------------------


@bp.route("/manage/")
@coordinator_required
def manage():
    resources = db.session.scalars(
        select(Resource).order_by(Resource.created_at.desc(), Resource.id.desc())
    ).all()
    return render_template("resources/manage.html", resources=resources, button=ButtonForm())


def _data(form: ResourceForm) -> services.ResourceData:
    return services.ResourceData(
        title=form.title.data,
        title_en=form.en_title.data or None,
        description=form.description.data,
        description_en=form.en_description.data or None,
        kind=form.kind.data,
        content_language=form.content_language.data,
        subtitle_language=form.subtitle_language.data or None,
        duration_minutes=form.duration_minutes.data,
        page_count=form.page_count.data,
        audience=form.audience.data,
        link_url=form.link_url.data or None,
        transcript=form.transcript.data or None,
        published=form.published.data,
    )


def _edit(resource: Resource | None):
    uploads.allow_upload(uploads.MAX_PDF_BYTES)
    if resource is not None and request.method == "GET":
        form = ResourceForm(obj=resource, en_title=resource.title_en,
                            en_description=resource.description_en)  # fmt: skip
    else:
        form = ResourceForm()
    if form.validate_on_submit():
        with unit_of_work(form, field="link_url") as work:
            saved = services.save_resource(
                resource or Resource(), _data(form), pdf=form.file.data,
                remove_file=form.remove_file.data,
            )  # fmt: skip
            db.session.add(saved)
            work.flash(_("The resource was saved."))
        if not work.failed:
            return redirect(url_for("resources.manage"))
    return render_template("resources/edit.html", form=form, resource=resource)


@bp.route("/manage/new", methods=["GET", "POST"])
@coordinator_required
def new():
    return _edit(None)


@bp.route("/manage/<id:resource_id>", methods=["GET", "POST"])
@coordinator_required
def edit(resource_id):
    return _edit(db.get_or_404(Resource, resource_id))


@bp.route("/manage/<id:resource_id>/delete", methods=["POST"])
@shown_on("resources.manage")
@coordinator_required
def delete(resource_id):
    resource = db.get_or_404(Resource, resource_id)
    require_button(ButtonForm())
    with unit_of_work() as work:
        services.delete_resource(resource)
        work.flash(_("The resource was deleted."))
    return redirect(url_for("resources.manage"))
