"""The public page cache (communaute/cache.py), with each place its versions can live: a
real Redis on 127.0.0.1:6379, the database (the embedded default), the process's memory.

What a visitor relies on: a cached page is the same page, its forms work, and a seat count is
never stale after a registration, whichever app process or server took the registration.
Which pages a write changes, per kind of write: tests/main/test_page_topics.py.
"""

import re
import threading
import time
import uuid

import pytest
import redis
from flask import before_render_template, request
from sqlalchemy import select

from communaute import create_app
from communaute.cache import RedisStore
from communaute.email import OutboxMessage, deliver_due
from communaute.extensions import db
from communaute.i18n import select_language
from communaute.webinars.models import Signup
from tests.conftest import IsolatedClient, make_config
from tests.factories import CSRF_FIELD, csrf_token, login, make_member, token_in
from tests.querycount import count_queries
from tests.trainings.conftest import make_course
from tests.webinars.conftest import make_webinar

REDIS_URL = "redis://127.0.0.1:6379/15"


STORES = ("redis", "database", "process")


def forget(prefix: str) -> None:
    """What Redis does when it restarts (it keeps nothing on disk here)."""
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


@pytest.fixture
def cache_key():
    key = f"test:pages:{uuid.uuid4().hex}"
    yield key
    forget(key)


@pytest.fixture(params=STORES)
def store(request):
    return request.param


@pytest.fixture
def app_config(cache_key, store):
    return {"PAGE_CACHE_URL": REDIS_URL, "PAGE_CACHE_KEY": cache_key, "PAGE_CACHE_STORE": store}


def visitor(app):
    """A new browser: no cookie, not logged in."""
    return app.test_client()


def guest_form(token: str, email: str) -> dict:
    return {"csrf_token": token, "name": "Léa Côté", "email": email, "language": "fr"}


def test_second_visit_is_served_from_memory_with_at_most_one_query(app, store):
    webinar = make_webinar(capacity=3)
    path = f"/webinars/{webinar.id}"
    first = visitor(app).get(path)
    assert first.status_code == 200 and first.headers["X-Page-Cache"] == "miss"
    with count_queries() as log:
        second = visitor(app).get(path)
    assert second.headers["X-Page-Cache"] == "hit"
    # The database store reads the versions of the page's topics: one small SELECT.
    assert log.count == (1 if store == "database" else 0), log
    strip = lambda r: CSRF_FIELD.sub("", r.get_data(as_text=True))  # noqa: E731
    assert strip(first) == strip(second)
    assert second.content_type == first.content_type
    # Security headers are added to a cached page as to any other.
    assert second.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]


def test_seat_count_is_never_stale_after_a_sign_up(app):
    webinar = make_webinar(capacity=3)
    path = f"/webinars/{webinar.id}"
    assert "3 places" in visitor(app).get(path).get_data(as_text=True)
    assert visitor(app).get(path).headers["X-Page-Cache"] == "hit"

    guest = visitor(app)
    token = csrf_token(guest, path)
    assert guest.post(path + "/signup", data=guest_form(token, "lea@exemple.ca")).status_code == 302

    after = visitor(app).get(path)
    # The page stays kept; its seats line is a hole, filled in from the sign-ups of now.
    assert after.headers["X-Page-Cache"] == "hit"
    assert "<p>2 places restantes.</p>" in after.get_data(as_text=True)
    assert "3 places" not in after.get_data(as_text=True)


def test_each_visitor_gets_a_working_form_of_their_own(app):
    webinar = make_webinar(capacity=10)
    path = f"/webinars/{webinar.id}"
    visitor(app).get(path)  # cached now
    people = [visitor(app) for _ in range(3)]
    pages = [c.get(path) for c in people]
    assert all(p.headers["X-Page-Cache"] == "hit" for p in pages)
    tokens = [token_in(p.get_data(as_text=True)) for p in pages]
    assert len(set(tokens)) == 3, "a cached page must not carry someone else's CSRF token"
    for i, (client, token) in enumerate(zip(people, tokens, strict=True)):
        response = client.post(path + "/signup", data=guest_form(token, f"p{i}@exemple.ca"))
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert len(db.session.scalars(select(Signup)).all()) == 3


def test_members_and_flash_messages_are_never_cached(app):
    webinar = make_webinar(capacity=10)
    path = f"/webinars/{webinar.id}"
    member = make_member(email="membre@exemple.ca")
    client = app.test_client()
    login(client, member)
    page = client.get(path)
    assert "X-Page-Cache" not in page.headers
    # The guest who just signed up sees a message; the next visitor must not.
    guest = visitor(app)
    token = csrf_token(guest, path)
    guest.post(path + "/signup", data=guest_form(token, "guest@exemple.ca"))
    with_flash = guest.get(path)
    assert "X-Page-Cache" not in with_flash.headers
    assert 'class="flash' in with_flash.get_data(as_text=True)
    other = visitor(app).get(path)
    assert 'class="flash' not in other.get_data(as_text=True)
    assert "Se déconnecter" not in other.get_data(as_text=True)


def test_each_language_has_its_own_page(app):
    webinar = make_webinar(capacity=5)
    path = f"/webinars/{webinar.id}"
    assert 'lang="fr"' in visitor(app).get(path).get_data(as_text=True)
    english = visitor(app)
    assert 'lang="en"' in english.get(path + "?lang=en").get_data(as_text=True)
    # The choice sticks (session) and the cached French page is not served.
    again = english.get(path)
    assert 'lang="en"' in again.get_data(as_text=True)
    assert 'lang="fr"' in visitor(app).get(path).get_data(as_text=True)


@pytest.mark.parametrize("store", ["redis", "database"])
def test_a_write_on_another_server_is_seen_at_once(
    app, database_url, smtp_server, cache_key, store
):
    """Two app instances (two servers) share the database and Redis, nothing else."""
    webinar = make_webinar(capacity=5, title="Titre d'origine")
    path = f"/webinars/{webinar.id}"
    assert "Titre d&#39;origine" in visitor(app).get(path).get_data(as_text=True)
    assert visitor(app).get(path).headers["X-Page-Cache"] == "hit"

    other = second_instance(app, database_url, smtp_server, cache_key, store)
    with other.app_context():
        from communaute.extensions import db as other_db
        from communaute.webinars.models import Webinar

        row = other_db.session.get(Webinar, webinar.id)
        row.title = "Nouveau titre"
        other_db.session.commit()
        other_db.session.remove()
        other_db.engine.dispose()

    db.session.remove()  # this test's own session (a request's ends with the request)
    page = visitor(app).get(path)
    assert page.headers["X-Page-Cache"] == "miss"
    assert "Nouveau titre" in page.get_data(as_text=True)


def test_email_delivery_does_not_empty_the_cache(app, mailbox):
    webinar = make_webinar(capacity=5)
    path = f"/webinars/{webinar.id}"
    guest = visitor(app)
    token = csrf_token(guest, path)
    guest.post(path + "/signup", data=guest_form(token, "lea@exemple.ca"))
    visitor(app).get(path)
    assert deliver_due().sent == 1
    assert db.session.scalar(select(OutboxMessage.state)) == "sent"
    assert visitor(app).get(path).headers["X-Page-Cache"] == "hit"


@pytest.mark.parametrize("store", ["redis"])
def test_redis_restarting_empty_never_brings_back_an_old_page(app, cache_key):
    webinar = make_webinar(capacity=5)
    path = f"/webinars/{webinar.id}"
    visitor(app).get(path)
    assert visitor(app).get(path).headers["X-Page-Cache"] == "hit"
    forget(cache_key)
    assert visitor(app).get(path).headers["X-Page-Cache"] == "miss"
    # Even after a write to a topic the page had never seen changed before.
    visitor(app).get(path)
    forget(cache_key)
    db.session.get(type(webinar), webinar.id).title = "Après le redémarrage"
    db.session.commit()
    page = visitor(app).get(path)
    assert page.headers["X-Page-Cache"] == "miss"
    assert "Après le redémarrage" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    ["/", "/privacy", "/trainings/", "/trainings/?language=fr", "/webinars/", "/magazine/"],
)
def test_public_pages_are_cached(app, path):
    assert visitor(app).get(path).headers.get("X-Page-Cache") == "miss"
    assert visitor(app).get(path).headers.get("X-Page-Cache") == "hit"


def test_pages_with_errors_and_coordinator_pages_are_not_cached(app):
    for _ in range(2):
        assert "X-Page-Cache" not in visitor(app).get("/webinars/999999").headers
        assert "X-Page-Cache" not in visitor(app).get("/auth/login").headers


@pytest.mark.parametrize("app_config", [{"PAGE_CACHE_URL": "redis://127.0.0.1:1/0"}])
def test_without_redis_pages_are_rendered_fresh(app):
    webinar = make_webinar(capacity=3)
    path = f"/webinars/{webinar.id}"
    for _ in range(2):
        page = visitor(app).get(path)
        assert page.status_code == 200 and "X-Page-Cache" not in page.headers
    # The version cannot be changed after this commit: the sign-up still succeeds.
    guest = visitor(app)
    token = csrf_token(guest, path)
    assert guest.post(path + "/signup", data=guest_form(token, "a@exemple.ca")).status_code == 302
    assert "2 places" in visitor(app).get(path).get_data(as_text=True)


@pytest.mark.parametrize("app_config", [{"PAGE_CACHE_URL": REDIS_URL, "PAGE_CACHE_SECONDS": 0}])
def test_pages_expire_after_page_cache_seconds(app):
    webinar = make_webinar(capacity=3)
    path = f"/webinars/{webinar.id}"
    visitor(app).get(path)
    assert visitor(app).get(path).headers["X-Page-Cache"] == "miss"


def test_a_page_rendered_while_a_write_lands_is_not_kept(app):
    """The page was read before a sign-up committed elsewhere, and finished after it: kept,
    it would show the old count until the next write. It is served once and forgotten."""
    webinar = make_webinar(capacity=3)
    path = f"/webinars/{webinar.id}"
    cache = app.extensions["page_cache"]

    def meanwhile(sender, template, context, **extra):
        before_render_template.disconnect(meanwhile, app)
        cache.bump([f"webinar:{webinar.id}", "webinars"])  # another process's commit

    before_render_template.connect(meanwhile, app)
    first = visitor(app).get(path)
    assert first.status_code == 200 and "X-Page-Cache" not in first.headers
    assert visitor(app).get(path).headers["X-Page-Cache"] == "miss"
    assert visitor(app).get(path).headers["X-Page-Cache"] == "hit"


def bump_while_rendering(app, topics):
    """Another process's commit, made while this page renders (just before its template)."""

    def meanwhile(sender, template, context, **extra):
        before_render_template.disconnect(meanwhile, app)
        app.extensions["page_cache"].bump(topics)

    before_render_template.connect(meanwhile, app, weak=False)  # it outlives this function


def test_a_write_to_something_else_while_a_page_renders_does_not_cost_the_render(app):
    """At noon, sign-ups to one webinar must not throw away the renders of the others."""
    webinar, other = make_webinar(capacity=3), make_webinar(capacity=3)
    path = f"/webinars/{webinar.id}"
    bump_while_rendering(app, [f"webinar:{other.id}", "webinars"])
    assert visitor(app).get(path).headers["X-Page-Cache"] == "miss"  # kept
    assert visitor(app).get(path).headers["X-Page-Cache"] == "hit"


def test_a_topic_a_page_adds_while_rendering_is_read_before_what_it_names(app):
    """The course page learns its topic from the address (depends_on): a change to the
    course while it renders is caught as for a declared topic, and so is the home's."""
    course = make_course()
    path = f"/trainings/{course.slug}"
    bump_while_rendering(app, [f"course:{course.id}"])
    assert "X-Page-Cache" not in visitor(app).get(path).headers  # not kept
    assert visitor(app).get(path).headers["X-Page-Cache"] == "miss"
    assert visitor(app).get(path).headers["X-Page-Cache"] == "hit"

    bump_while_rendering(app, ["webinars"])
    assert "X-Page-Cache" not in visitor(app).get("/").headers
    assert visitor(app).get("/").headers["X-Page-Cache"] == "miss"


def test_versions_change_at_the_real_commit_not_at_a_savepoint(app):
    """A sign-up inserts its row in a savepoint (seats.insert_once) and commits later:
    changed at the savepoint, a page rendered in between would be kept with the old rows
    under the new versions, and the commit would change nothing more."""
    webinar = make_webinar(capacity=3, title="Avant")
    path = f"/webinars/{webinar.id}"
    visitor(app).get(path)
    with db.session.begin_nested():
        db.session.get(type(webinar), webinar.id).title = "Après"
    assert visitor(app).get(path).headers["X-Page-Cache"] == "hit"
    db.session.commit()
    page = visitor(app).get(path)
    assert page.headers["X-Page-Cache"] == "miss"
    assert "Après" in page.get_data(as_text=True)
    assert visitor(app).get(path).headers["X-Page-Cache"] == "hit"


def test_a_savepoint_given_back_keeps_what_the_transaction_wrote_before_it(app):
    webinar = make_webinar(capacity=3, title="Avant")
    path = f"/webinars/{webinar.id}"
    visitor(app).get(path)
    db.session.get(type(webinar), webinar.id).title = "Après"
    db.session.flush()
    savepoint = db.session.begin_nested()
    db.session.get(type(webinar), webinar.id).capacity = 9
    db.session.flush()
    savepoint.rollback()
    db.session.commit()
    page = visitor(app).get(path)
    assert page.headers["X-Page-Cache"] == "miss"
    assert "Après" in page.get_data(as_text=True)


def second_instance(app, database_url, smtp_server, cache_key, store="redis"):
    other = create_app(
        make_config(
            database_url,
            smtp_server.port,
            PAGE_CACHE_URL=REDIS_URL,
            PAGE_CACHE_KEY=cache_key,
            PAGE_CACHE_STORE=store,
            INSTANCE_PATH=app.instance_path,
        )
    )
    other.test_client_class = IsolatedClient
    return other


@pytest.mark.parametrize("store", ["redis"])
def test_a_page_one_process_rendered_is_served_by_the_others(
    app, database_url, smtp_server, cache_key
):
    """After a sign-up, the webinar page is rendered once for every process, not by each."""
    webinar = make_webinar(capacity=5)
    path = f"/webinars/{webinar.id}"
    assert visitor(app).get(path).headers["X-Page-Cache"] == "miss"
    other = second_instance(app, database_url, smtp_server, cache_key)
    with other.app_context():
        guest = other.test_client()
        with count_queries() as log:
            page = guest.get(path)
        assert page.headers["X-Page-Cache"] == "hit"
        # Not rendered here: only its seats line (a hole), from the webinar and its count.
        read = [re.search(r"\bFROM (\w+)", " ".join(st.split())).group(1) for st in log.statements]
        assert read == ["webinars", "webinar_signups"], log
        assert "5 places restantes." in page.get_data(as_text=True)
        # Its form carries this visitor's own token, and works.
        form = guest_form(token_in(page.get_data(as_text=True)), "autre@exemple.ca")
        assert guest.post(path + "/signup", data=form).status_code == 302
        # The sign-up changed the seats line only: the shared copy stays, the line is new.
        again = other.test_client().get(path)
        assert again.headers["X-Page-Cache"] == "hit"
        assert "4 places restantes." in again.get_data(as_text=True)
        db.session.remove()
    db.session.remove()
    after = visitor(app).get(path)
    assert after.headers["X-Page-Cache"] == "hit"
    assert "4 places restantes." in after.get_data(as_text=True)
    assert "5 places" not in after.get_data(as_text=True)


@pytest.mark.parametrize("store", ["redis"])
def test_pages_with_a_query_string_are_not_shared(app, database_url, smtp_server, cache_key):
    """Any query string makes another address: Redis holds only the pages that exist."""
    path = "/trainings/?q=partenariat"
    assert visitor(app).get(path).headers["X-Page-Cache"] == "miss"
    other = second_instance(app, database_url, smtp_server, cache_key)
    with other.app_context():
        assert other.test_client().get(path).headers["X-Page-Cache"] == "miss"
        db.session.remove()
    keys = list(redis.Redis.from_url(REDIS_URL).scan_iter(f"{cache_key}:page:*"))
    assert keys == []


@pytest.mark.parametrize("store", ["redis"])
def test_after_a_sign_up_one_process_renders_the_page_and_the_others_wait_for_it(
    app, database_url, smtp_server, cache_key, monkeypatch
):
    """Eight visitors on two processes at once, just after a sign-up: one render in all."""
    monkeypatch.setattr(RedisStore, "RENDER_WAIT_S", 10.0)  # however slow the machine
    webinar = make_webinar(capacity=5)
    path = f"/webinars/{webinar.id}"
    other = second_instance(app, database_url, smtp_server, cache_key)
    renders = []

    def rendered(sender, template, context, **extra):
        if template.name == "webinars/detail.html":
            renders.append(sender.name)

    pages, start = [], threading.Barrier(8)

    def visit(instance):
        client = instance.test_client()
        start.wait()
        pages.append(client.get(path))

    for instance in (app, other):
        before_render_template.connect(rendered, instance)
    visitors = [threading.Thread(target=visit, args=(i,)) for i in (app, other) * 4]
    for thread in visitors:
        thread.start()
    for thread in visitors:
        thread.join(30)
    assert len(renders) == 1, renders
    assert sorted(p.headers["X-Page-Cache"] for p in pages) == ["hit"] * 7 + ["miss"]
    assert all("5 places restantes." in p.get_data(as_text=True) for p in pages)


@pytest.mark.parametrize("store", ["redis"])
def test_a_render_claim_never_given_back_holds_a_visitor_a_quarter_second_at_most(app, cache_key):
    """The process that claimed the render died: the next visitor renders it after a wait."""
    webinar = make_webinar(capacity=5)
    path = f"/webinars/{webinar.id}"
    cache = app.extensions["page_cache"]
    with app.test_request_context(path):
        assert cache.claim_render((select_language(), request.full_path))
    started = time.monotonic()
    page = visitor(app).get(path)
    waited = time.monotonic() - started
    assert page.headers["X-Page-Cache"] == "miss"
    assert "5 places restantes." in page.get_data(as_text=True)
    assert 0.25 <= waited < 5
