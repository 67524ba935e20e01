"""Publications: the public list and page, the PDF; the coordinators' tools. Thin."""

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
from communaute.publications import bp, services
from communaute.publications.forms import PublicationForm
from communaute.publications.models import Publication, lines
from communaute.web import paginate, require_button, shown_on, unit_of_work

#: Form field -> column, for the English values (the form names them en_*).
ENGLISH = {
    "en_title": "title_en",
    "en_summary": "summary_en",
    "en_sections": "sections_en",
    "en_recommendations": "recommendations_en",
}
COLUMNS = ("title", "issued_on", "summary", "sections", "recommendations", "authors",
           "contributors", "link_url", "published")  # fmt: skip


@bp.route("/")
@cached_for_visitors("publications")
def index():
    page = paginate(services.public_query(), per_page=20)
    return render_template("publications/index.html", page=page)


def _visible(publication_id: int) -> Publication:
    publication = db.get_or_404(Publication, publication_id)
    if not publication.published and not getattr(current_user, "is_coordinator", False):
        abort(404)
    return publication


@bp.route("/<id:publication_id>")
@cached_for_visitors("publications")
def detail(publication_id):
    p = _visible(publication_id)
    recommendations = localized(p, "recommendations")
    return render_template(
        "publications/detail.html",
        p=p,
        recommendations=recommendations,
        recommendation_list=lines(recommendations.text),
    )


@bp.route("/<id:publication_id>/document.pdf")
def document(publication_id):
    p = _visible(publication_id)
    title = localized(p, "title").text
    safe = "".join(c if c.isalnum() else "-" for c in title)[:60].strip("-") or "document"
    return uploads.send_stored(p.file_name, download_name=f"{safe}.pdf")


@bp.route("/manage/")
@coordinator_required
def manage():
    rows = db.session.scalars(select(Publication).order_by(Publication.issued_on.desc())).all()
    return render_template("publications/manage.html", publications=rows)


def _edit(publication: Publication | None):
    uploads.allow_upload(uploads.MAX_PDF_BYTES)
    if publication is not None and request.method == "GET":
        form = PublicationForm(
            obj=publication, **{f: getattr(publication, c) for f, c in ENGLISH.items()}
        )
    else:
        form = PublicationForm()
    if form.validate_on_submit():
        values = {c: getattr(form, c).data for c in COLUMNS}
        values.update({c: getattr(form, f).data or None for f, c in ENGLISH.items()})
        with unit_of_work(form, field="file") as work:
            saved = services.save_publication(
                publication or Publication(), values, pdf=form.file.data,
                remove_file=form.remove_file.data,
            )  # fmt: skip
            db.session.add(saved)
            work.flash(_("The publication was saved."))
        if not work.failed:
            return redirect(url_for("publications.manage"))
    return render_template("publications/edit.html", form=form, publication=publication)


@bp.route("/manage/new", methods=["GET", "POST"])
@coordinator_required
def new():
    return _edit(None)


@bp.route("/manage/<id:publication_id>", methods=["GET", "POST"])
@coordinator_required
def edit(publication_id):
    return _edit(db.get_or_404(Publication, publication_id))


@bp.route("/manage/<id:publication_id>/delete", methods=["POST"])
@shown_on("publications.manage")
@coordinator_required
def delete(publication_id):
    publication = db.get_or_404(Publication, publication_id)
    require_button(ButtonForm())
    with unit_of_work() as work:
        services.delete_publication(publication)
        work.flash(_("The publication was deleted."))
    return redirect(url_for("publications.manage"))
