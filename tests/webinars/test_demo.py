from sqlalchemy import func, select

from communaute.demo import load_demo
from communaute.extensions import db
from communaute.webinars import services
from communaute.webinars.models import Signup, Webinar


def test_demo_series_is_realistic_and_idempotent(app):
    list(load_demo())
    webinars = db.session.scalar(select(func.count()).select_from(Webinar))
    signups = db.session.scalar(select(func.count()).select_from(Signup))
    assert webinars == 6 and signups > 20
    assert len(services.upcoming_webinars()) == 3
    report = services.series_report()
    assert len(report) == 3 and all(r["attended"] for r in report)
    assert all(r["webinar"].recording_url for r in report)
    list(load_demo())
    assert db.session.scalar(select(func.count()).select_from(Webinar)) == webinars
    assert db.session.scalar(select(func.count()).select_from(Signup)) == signups
