"""Layout, languages, errors, headers, health, coordinator-only pages."""

import pytest

from tests.factories import login, make_coordinator, make_member


def test_pages_answer_in_french_by_default_and_english_on_request(client):
    fr = client.get("/").get_data(as_text=True)
    assert '<html lang="fr">' in fr
    assert "Aller au contenu principal" in fr
    en = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in en
    assert "Skip to main content" in en


def test_the_language_choice_sticks(client):
    client.get("/privacy?lang=en")
    assert '<html lang="en">' in client.get("/auth/login").get_data(as_text=True)
    client.get("/?lang=fr")
    assert '<html lang="fr">' in client.get("/auth/login").get_data(as_text=True)


def test_a_members_saved_language_wins_at_login(client):
    user = make_member(language="en")
    client.get("/?lang=fr")
    login(client, user)
    assert '<html lang="en">' in client.get("/me").get_data(as_text=True)


def test_language_switch_keeps_the_query(client):
    html = client.get("/auth/login?next=/me").get_data(as_text=True)
    assert 'href="/auth/login?next=%2Fme&amp;lang=en"' in html


@pytest.mark.parametrize(("lang", "title"), [("fr", "Page introuvable"), ("en", "Page not found")])
def test_404_in_both_languages(client, lang, title):
    response = client.get(f"/nulle-part?lang={lang}")
    assert response.status_code == 404
    assert title in response.get_data(as_text=True)


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_is_httponly_and_lax(client):
    user = make_member()
    response = login(client, user)
    cookie = response.headers.get("Set-Cookie")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" in cookie, "COMMUNAUTE_PUBLIC_URL is https in tests"


def test_no_external_resources_in_the_layout(client):
    html = client.get("/").get_data(as_text=True)
    assert "http://" not in html.replace("http://localhost", "")
    assert "https://" not in html
    assert client.get("/static/site.css").status_code == 200


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"


def test_every_page_has_one_h1_and_the_landmarks(client):
    for path in ("/", "/privacy", "/auth/login", "/auth/register", "/auth/reset"):
        html = client.get(path).get_data(as_text=True)
        assert html.count("<h1") == 1, path
        for landmark in ("<header", "<nav", "<main", "<footer", 'class="skip-link"'):
            assert landmark in html, (path, landmark)


def test_privacy_page_names_the_person_in_charge(client):
    html = client.get("/privacy").get_data(as_text=True)
    assert "Marie-Ève Tremblay" in html
    assert "vie-privee@experiences.example" in html


COORDINATOR_PAGES = ["/coordination", "/outbox/", "/outbox/?state=sent"]


@pytest.mark.parametrize("path", COORDINATOR_PAGES)
def test_coordinator_pages_walk(client, path):
    assert client.get(path).status_code == 302, "anonymous: to the login page"
    member = make_member()
    login(client, member)
    assert client.get(path).status_code == 403, "member: forbidden"
    client.post(
        "/auth/logout",
        data={"csrf_token": __import__("tests.factories").factories.csrf_token(client, "/me")},
    )
    login(client, make_coordinator())
    assert client.get(path).status_code == 200


def test_403_page_in_the_members_language(client):
    login(client, make_member(language="en"))
    response = client.get("/outbox/")
    assert response.status_code == 403
    assert "You do not have access to this page" in response.get_data(as_text=True)


def test_login_is_rate_limited_with_a_clear_page(client):
    make_member("cible@exemple.ca")
    from tests.factories import csrf_token

    token = csrf_token(client, "/auth/login")
    codes = []
    for _ in range(12):
        r = client.post(
            "/auth/login",
            data={
                "email": "cible@exemple.ca",
                "password": "mauvais mot de passe",
                "csrf_token": token,
            },
        )
        codes.append(r.status_code)
    assert codes[:10] == [200] * 10
    assert codes[-1] == 429
    assert "Trop d’essais" in r.get_data(as_text=True)


def test_unconfirmed_member_sees_how_to_confirm(client):
    login(client, make_member(confirmed=False))
    html = client.get("/me").get_data(as_text=True)
    assert "Confirmez votre adresse courriel" in html
    assert "Renvoyer le lien" in html


def test_a_busy_database_answers_503_not_500(app, client, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from communaute.extensions import db

    def busy(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("database is locked"))

    monkeypatch.setattr(db.session, "execute", busy)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "Rien n’a été perdu" in response.get_data(as_text=True)
