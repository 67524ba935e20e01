from flask import render_template

from communaute.webinars import bp


@bp.route("/")
def series():
    return render_template("webinars/series.html")
