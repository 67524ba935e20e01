"""CSV exports (communaute/exports.py): what a spreadsheet opens as it should."""

from tests.factories import login, make_coordinator
from tests.webinars.conftest import make_webinar


def test_a_csv_says_its_charset_once(app, client):
    login(client, make_coordinator())
    webinar = make_webinar(days=-2)
    response = client.get(f"/webinars/{webinar.id}/attendance.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers.getlist("Content-Type") == ["text/csv; charset=utf-8"]
