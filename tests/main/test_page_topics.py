"""Which cached pages a write renders again, per kind of write (communaute/cache.py).

Every public page is visited twice first (the second visit is a hit), then one write is
made the way people make it, then every page is visited again: a page the write changed
must render again (``miss``), and, so that a noon rush of sign-ups does not empty the cache,
the others must still be served from it (``hit``). Each page is checked for its content
too where the write shows on it, so "miss" is not taken on trust.

Run with the versions in the database (the embedded default) and in Redis, on both
databases (TEST_DATABASE_URL).
"""

import uuid

import pytest
from sqlalchemy import update

from communaute.cache import EVERYTHING, TOPICS, topics_of_row
from communaute.email import deliver_due
from communaute.extensions import db
from communaute.magazine import services as magazine
from communaute.magazine.models import SubmissionState
from communaute.pages.models import Page
from communaute.pages.services import save_page
from communaute.webinars.models import Webinar
from tests.factories import CSRF_FIELD, csrf_token, login, make_coordinator, make_member, post
from tests.magazine.conftest import make_submission
from tests.main.test_page_cache import REDIS_URL, forget
from tests.trainings.conftest import make_course, make_session
from tests.webinars.conftest import make_webinar


@pytest.fixture(params=["database", "redis"])
def app_config(request):
    key = f"test:pages:{uuid.uuid4().hex}"
    yield {"PAGE_CACHE_URL": REDIS_URL, "PAGE_CACHE_KEY": key, "PAGE_CACHE_STORE": request.param}
    forget(key)


@pytest.fixture
def site(app):
    """Two webinars, two courses with a session each, a published testimony, a page."""
    coordinator = make_coordinator("coordo@exemple.ca", name="Marie Coordination")
    author = make_member("auteure@exemple.ca", name="Sylvie Gagnon")
    one, two = make_webinar(capacity=5), make_webinar(capacity=5, days=9)
    first, second = make_course(), make_course()
    make_session(first, capacity=4)
    make_session(second, capacity=4)
    text = make_submission(
        author, coordinator, SubmissionState.published, byline="full_name", pen_name=""
    )
    db.session.add(Page(slug="a-propos", title="À propos", body="Qui nous sommes."))
    db.session.commit()
    pages = {
        "home": "/",
        "privacy": "/privacy",
        "series": "/webinars/",
        "webinar one": f"/webinars/{one.id}",
        "webinar two": f"/webinars/{two.id}",
        "catalog": "/trainings/",
        "course one": f"/trainings/{first.slug}",
        "course two": f"/trainings/{second.slug}",
        "magazine": "/magazine/",
        "testimony": f"/magazine/{text.id}",
        "news": "/news/",
        "page": "/pages/a-propos",
    }
    return {
        "pages": pages,
        "webinar": one,
        "course": first,
        "session": first.sessions[0],
        "author": author,
        "coordinator": coordinator,
        "testimony": text,
    }


def warm(app, pages: dict) -> None:
    for path in pages.values():
        app.test_client().get(path)
        assert app.test_client().get(path).headers.get("X-Page-Cache") == "hit", path


def rendered_again(app, pages: dict) -> set[str]:
    """The names of the pages that were rendered again (a miss), each visited once."""
    again = set()
    for name, path in pages.items():
        page = app.test_client().get(path)
        assert page.status_code == 200, path
        if page.headers.get("X-Page-Cache") == "miss":
            again.add(name)
        else:
            assert page.headers.get("X-Page-Cache") == "hit", path
    return again


def text_of(app, path: str) -> str:
    return app.test_client().get(path).get_data(as_text=True)


def sign_up_guest(app, path: str, email: str = "lea@exemple.ca") -> None:
    guest = app.test_client()
    token = csrf_token(guest, path)  # a hit: the cached page's form works
    form = {"csrf_token": token, "name": "Léa Côté", "email": email, "language": "fr"}
    assert guest.post(path + "/signup", data=form).status_code == 302


def test_a_guest_sign_up_renders_again_only_the_seats_line_of_its_webinar(app, site):
    """At noon, a sign-up renders again the seats line of its webinar's page (a hole of the
    cached page, filled at each visit); that page, the series, the home and the rest stay
    as they were kept, and the line is right at once, in the visitor's language."""
    pages = site["pages"]
    warm(app, pages)
    sign_up_guest(app, pages["webinar one"])

    assert rendered_again(app, pages) == set()
    page = app.test_client().get(pages["webinar one"])
    assert page.headers["X-Page-Cache"] == "hit"
    html = page.get_data(as_text=True)
    assert html.count("<p>4 places restantes.</p>") == 1
    assert "5 places restantes" not in html
    assert "\ue000" not in html, "no marker reaches the visitor"
    assert "<p>5 places restantes.</p>" in text_of(app, pages["webinar two"])
    english = app.test_client().get(pages["webinar one"] + "?lang=en").get_data(as_text=True)
    assert "<p>4 places left.</p>" in english


def test_the_seats_line_follows_the_waiting_list_and_a_new_capacity(app, site):
    pages = site["pages"]
    path = pages["webinar one"]
    first = app.test_client().get(path)
    assert "\ue000" not in first.get_data(as_text=True), "the render kept is filled in too"
    for n in range(5):  # 5 seats
        sign_up_guest(app, path, f"personne{n}@exemple.ca")
    html = text_of(app, path)
    assert (
        "<p>Le webinaire est complet : vous pouvez vous inscrire sur la liste d’attente.</p>"
        in html
    )
    assert "places restantes" not in html
    webinar = db.session.get(Webinar, site["webinar"].id)
    webinar.capacity = 8  # the coordinator adds seats: the webinar's own row
    db.session.commit()
    assert "<p>3 places restantes.</p>" in text_of(app, path)


def test_the_series_and_the_home_show_nothing_a_sign_up_changes(app, site):
    """What lets a sign-up leave them cached: rendered again after sign-ups (the last seat
    taken, someone on the waiting list), they are the same pages, byte for byte."""
    pages = site["pages"]
    shown = {name: pages[name] for name in ("series", "home")}
    before = {name: CSRF_FIELD.sub("", text_of(app, path)) for name, path in shown.items()}
    for n in range(6):  # 5 seats: the sixth waits
        sign_up_guest(app, pages["webinar one"], f"personne{n}@exemple.ca")
    assert "liste d’attente" in text_of(app, pages["webinar one"]).lower()
    app.extensions["page_cache"].bump(["webinars"])  # as if something they show had changed
    for name, path in shown.items():
        page = app.test_client().get(path)
        assert page.headers["X-Page-Cache"] == "miss"
        assert CSRF_FIELD.sub("", page.get_data(as_text=True)) == before[name], name


def test_a_login_and_a_profile_change_render_no_public_page_again(app, site):
    pages = site["pages"]
    member = make_member("membre@exemple.ca", name="Paul")
    warm(app, pages)
    client = app.test_client()
    login(client, member)  # writes last_login_at and a security event
    assert rendered_again(app, pages) == set()

    profile = {"display_name": "Paul", "language": "en", "participation": ""}
    assert post(client, "/auth/profile", profile).status_code == 302
    assert db.session.get(type(member), member.id).language == "en"
    assert rendered_again(app, pages) == set()


def test_a_changed_name_renders_again_the_testimony_signed_with_it(app, site):
    """A testimony "under my name" shows the account's name: it must follow."""
    pages = site["pages"]
    warm(app, pages)
    client = app.test_client()
    login(client, site["author"])
    profile = {"display_name": "Sylvie G.", "language": "fr", "participation": ""}
    assert post(client, "/auth/profile", profile).status_code == 302

    assert rendered_again(app, pages) == {"magazine", "testimony", "home"}
    assert "Sylvie G." in text_of(app, pages["testimony"])


def test_a_training_registration_renders_again_its_course_the_catalog_and_home(app, site):
    pages = site["pages"]
    member = make_member("inscrite@exemple.ca")
    warm(app, pages)
    client = app.test_client()
    login(client, member)
    response = post(
        client, f"/trainings/sessions/{site['session'].id}/register", form_page=pages["course one"]
    )
    assert response.status_code == 302

    assert rendered_again(app, pages) == {"course one", "catalog", "home"}
    assert '<span class="badge badge-ok">3 places restantes</span>' in text_of(
        app, pages["course one"]
    )


def test_publishing_a_testimony_renders_again_the_magazine_and_home(app, site):
    pages = site["pages"]
    warm(app, pages)
    with app.test_request_context("/"):
        other = make_submission(
            site["author"],
            site["coordinator"],
            SubmissionState.accepted,
            title="Un deuxième texte",
        )
        magazine.publish(other, actor=site["coordinator"])
        db.session.commit()

    assert rendered_again(app, pages) == {"magazine", "testimony", "home"}
    assert "Un deuxième texte" in text_of(app, pages["magazine"])


def test_a_change_to_a_site_page_renders_every_page_again(app, site):
    """Every page's footer lists the site's pages."""
    pages = site["pages"]
    warm(app, pages)
    page = db.session.scalar(db.select(Page))
    values = {"slug": page.slug, "title": "Qui sommes-nous", "body": page.body}
    save_page(page, values)
    db.session.commit()

    assert rendered_again(app, pages) == set(pages)
    assert "Qui sommes-nous" in text_of(app, pages["privacy"])


def test_a_write_that_names_no_row_renders_every_page_of_its_table_again(app, site):
    pages = site["pages"]
    warm(app, pages)
    db.session.execute(update(Webinar).values(title="Titre changé pour tous"))
    db.session.commit()

    assert rendered_again(app, pages) == {"webinar one", "webinar two", "series", "home"}
    assert "Titre changé pour tous" in text_of(app, pages["webinar two"])


def test_delivering_emails_renders_no_page_again(app, site, mailbox):
    pages = site["pages"]
    warm(app, pages)
    assert deliver_due().sent >= 1  # the emails of the testimony's journey
    assert rendered_again(app, pages) == set()


def test_every_table_says_which_pages_show_it(app):
    """A new table must be declared with page_topics() in its blueprint's hooks.

    Undeclared, its writes change every page (never stale, but the cache is emptied by
    each of them); this test names it so it gets declared."""
    undeclared = {t.name for t in db.metadata.sorted_tables} - set(TOPICS)
    assert undeclared == set()


def test_a_row_of_an_undeclared_table_changes_every_page(app):
    class Unknown:
        __tablename__ = "not_declared_anywhere"

    assert topics_of_row(Unknown()) == (EVERYTHING,)


def test_sign_ups_at_once_to_two_webinars_all_land_and_show_at_once(app, site, pg_only):
    """Real concurrent requests on PostgreSQL: with the versions in the database, every
    sign-up writes them in its own transaction (rows locked in one order: no deadlock);
    each page then shows every sign-up."""
    import threading

    pages = site["pages"]
    warm(app, pages)
    paths = [pages["webinar one"], pages["webinar two"]] * 4
    clients = [app.test_client() for _ in paths]
    tokens = [csrf_token(c, p) for c, p in zip(clients, paths, strict=True)]
    barrier = threading.Barrier(len(clients))
    statuses = []

    def send(i):
        barrier.wait(5)
        form = {
            "csrf_token": tokens[i],
            "name": "Invitée",
            "email": f"ensemble{i}@exemple.ca",
            "language": "fr",
        }
        statuses.append(clients[i].post(paths[i] + "/signup", data=form).status_code)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert statuses == [302] * len(clients)
    for webinar in ("webinar one", "webinar two"):  # 5 seats, 4 taken
        assert "<p>1 place restante.</p>" in text_of(app, pages[webinar])
    # The two pages were rendered again just above; the rest shows no seats.
    assert rendered_again(app, pages) == set()
