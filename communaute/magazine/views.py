from flask import render_template

from communaute.magazine import bp


@bp.route("/")
def index():
    return render_template("magazine/index.html")
