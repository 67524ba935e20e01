from flask import render_template

from communaute.trainings import bp


@bp.route("/")
def catalog():
    return render_template("trainings/catalog.html")
