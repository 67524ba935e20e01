"""Public pages for visitors who are not logged in, served from memory, never stale.

When hundreds of people open the same webinar page at noon, each app process renders it
once and serves the rendered bytes to every visitor who is not logged in.

Freshness is kept per *topic*. A page names the topics it shows ("webinars" for the series,
"webinar:12" for one webinar page, "course:3", "magazine", "site" for the footer every page
has...) and is kept with the version of each topic at the time it was rendered. A write names
the topics it changes: each blueprint declares, per table, which topics a row stands for
(``page_topics``, in its hooks). After a commit that wrote such a row, those topics get a new
version, and only the pages showing them render again: a sign-up to one webinar renders that
webinar's page, the series and the home again, not the catalog, the magazine or the other
webinars; a login (``users.last_login_at``) changes no public page. A table nobody declared
changes every page (``"*"``), so a new feature can be late but never stale; a test lists
the undeclared ones.

The versions live in a *store* shared by every process that writes (``PAGE_CACHE_STORE``):
- ``redis``: Redis at ``PAGE_CACHE_URL``, for several processes or servers (one MGET a hit).
  A page one process rendered is also put there for the others (addresses without a query
  string, for ``PAGE_CACHE_SECONDS``): after a sign-up, the webinar page is rendered once,
  not once per process;
- ``database``: the ``page_versions`` table, for several processes without Redis (one small
  SELECT a hit): the embedded default;
- ``process``: this process's memory, for a single process that alone writes (``make run``);
- ``off``: no cache.
A version is a random token, not a counter: should Redis restart empty, a new token is drawn,
and no page kept under an earlier one can match it again.

A seat count is never stale once a registration's response has left: the versions change
after the commit and before the response. A page is kept only if none of its topics changed
while it was rendered: their versions are read before the page reads anything it shows
(``depends_on`` reads those it adds as it goes) and again after; a write to something else
meanwhile (a sign-up to another webinar) does not cost the render. A page used bare
(``@cached_for_visitors``) shows ``"any"``, which every write changes.
``PAGE_CACHE_SECONDS`` bounds what only time changes (a webinar that has begun moves to the
past webinars without any write).

With Redis, one process renders a page while the others wait for its copy (a claim per
page in Redis, a quarter of a second at most): after a sign-up, every process misses the
webinar page at the same moment, and only one renders it.

A part of a page that changes far more often than the rest (the seats left on a webinar
page, at each sign-up) can be a *hole* (``page_hole``): the page is kept with a marker in its
place, and the part is filled in at each visit from a small fragment kept per version of its
own topics. A sign-up then renders that fragment again, not the page.

What is never cached: logged-in members (their pages show their own registrations), a visit
with a message waiting (flash), anything but a GET answered 200 in full. Forms on a cached
page get the visitor's own CSRF token: the page is stored with a marker in its place. When
the store does not answer, pages are rendered as usual: the cache fails open to fresh pages,
never to stale ones.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import redis
from flask import Flask, current_app, g, request, session
from flask.globals import request_ctx
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import String, event, inspect, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from communaute.extensions import db
from communaute.i18n import select_language

log = logging.getLogger("communaute.cache")

#: Every page shows it: a write to a table no blueprint declared.
EVERYTHING = "*"
#: Every write changes it: pages rendered while a write happened are not kept.
ANY = "any"
#: Every page has the footer, which lists the site's pages.
SITE = "site"
#: Response headers kept with a cached page (the rest is added per request).
KEPT_HEADERS = ("Content-Type",)


class PageVersion(db.Model):
    """The version of each topic, for the ``database`` store (no personal data)."""

    __tablename__ = "page_versions"

    topic: Mapped[str] = mapped_column(String(120), primary_key=True)
    token: Mapped[str] = mapped_column(String(32))


# What writes change ------------------------------------------------------------------------


@dataclass(frozen=True)
class TableTopics:
    #: row -> the topics it stands for; None: no public page shows this table.
    of_row: Callable[[object], Iterable[str]] | None
    #: Only a change to one of these columns matters (None: any column).
    columns: frozenset[str] | None
    #: A bulk UPDATE or DELETE names no row: these topics change instead.
    bulk: tuple[str, ...]


TOPICS: dict[str, TableTopics] = {}


def page_topics(
    table: str,
    of_row: Callable[[object], Iterable[str]] | None = None,
    *,
    columns: Iterable[str] | None = None,
    bulk: Iterable[str] | None = None,
) -> None:
    """Declares which topics a row of ``table`` stands for on public pages.

    ``of_row=None``: no public page shows this table (its writes change no page). ``bulk``:
    the topics a write that names no row changes; "webinar:*" stands for every
    "webinar:<id>". Without it, such a write changes every page.
    """
    TOPICS[table] = TableTopics(
        of_row,
        frozenset(columns) if columns is not None else None,
        tuple(bulk) if bulk is not None else (() if of_row is None else (EVERYTHING,)),
    )


def topics_of_row(obj, *, changed: bool = False) -> tuple[str, ...]:
    """The topics a written row stands for; ``changed``: an update (only the declared
    columns count), else an insert or a delete."""
    declared = TOPICS.get(getattr(type(obj), "__tablename__", None))
    if declared is None:
        return (EVERYTHING,)
    if declared.of_row is None:
        return ()
    if changed and declared.columns is not None:
        attrs = inspect(obj).attrs
        if not any(attrs[name].history.has_changes() for name in declared.columns):
            return ()
    return tuple(declared.of_row(obj))


def topics_of_table(name: str | None) -> tuple[str, ...]:
    declared = TOPICS.get(name)
    return (EVERYTHING,) if declared is None else declared.bulk


# Holes: parts of a cached page filled in at each visit ---------------------------------------


@dataclass(frozen=True)
class Hole:
    #: (args) -> the topics the part shows (its own versions, not the page's).
    topics: Callable[..., Iterable[str]]
    #: (args) -> the part's HTML, rendered in the visitor's request (their language) by a
    #: template, which escapes what it shows.
    render: Callable[..., str]


HOLES: dict[str, Hole] = {}


def page_hole(name: str, topics: Callable[..., Iterable[str]], render: Callable[..., str]):
    """Declares a hole: in a template, ``{{ page_hole("name", 12) }}`` (whole-number
    arguments) renders the part at once, or, on a page rendered for the cache, leaves a
    marker the cache fills in at each visit."""
    HOLES[name] = Hole(topics, render)


def _hole_in_template(name: str, *args: int) -> Markup:
    hole = HOLES[name]
    args = tuple(int(a) for a in args)
    cache = page_cache()
    if cache is None or g.get("page_cache_key") is None:
        return Markup(hole.render(*args))  # noqa: S704 - a template's output, escaped there
    g.page_holes = True
    return Markup(cache.hole_marker(name, args))  # noqa: S704 - a name and whole numbers


class _Fragments:
    """The rendered parts, per (hole, arguments, language, versions of its topics)."""

    MAX = 1024

    def __init__(self):
        self.kept: dict[tuple, bytes] = {}
        self.lock = threading.Lock()

    def get(self, cache: PageCache, name: str, args: tuple, known: dict | None = None) -> bytes:
        """The part, rendered once per version of its topics; ``known``: versions already
        read with the page's (one read a visit)."""
        hole = HOLES[name]
        topics = _with_families(hole.topics(*args))
        if known is not None and all(t in known for t in topics):
            versions = tuple(known[t] for t in topics)
        else:
            versions = cache.versions(topics)
        if versions is None:  # the store does not answer: rendered fresh, not kept
            return hole.render(*args).encode()
        key = (name, args, select_language(), versions)
        with self.lock:
            part = self.kept.get(key)
        if part is None:
            part = hole.render(*args).encode()
            with self.lock:
                if len(self.kept) >= self.MAX:
                    self.kept.clear()
                self.kept[key] = part
        return part


def _hole_of(match: re.Match) -> tuple[str, tuple[int, ...]]:
    return match.group(1).decode(), tuple(int(a) for a in match.group(2).split(b",") if a)


def _fill_holes(cache: PageCache, body: bytes, known: dict | None = None) -> bytes:
    if cache.hole_prefix not in body:
        return body
    return cache.hole_pattern.sub(lambda m: cache.fragments.get(cache, *_hole_of(m), known), body)


def _versions_with_holes(cache: PageCache, topics: tuple, body: bytes):
    """The versions of a kept page's topics (None: the store does not answer) and, read
    with them, those of its holes' topics: (page versions, {topic: version})."""
    extra = set()
    if cache.hole_prefix in body:
        for match in cache.hole_pattern.finditer(body):
            name, args = _hole_of(match)
            extra.update(_with_families(HOLES[name].topics(*args)))
    every = tuple(topics) + tuple(sorted(extra.difference(topics)))
    read = cache.versions(every)
    if read is None:
        return None, None
    return read[: len(topics)], dict(zip(every, read, strict=True))


def family(topic: str) -> str | None:
    """ "webinar:12" -> "webinar:*" (which a bulk write to webinars changes)."""
    head, sep, tail = topic.partition(":")
    return f"{head}:*" if sep and tail != "*" else None


# Where the versions live -------------------------------------------------------------------


class ProcessStore:
    """One process that alone writes: the versions are a dict."""

    def __init__(self, app: Flask):
        self.versions: dict[str, str] = {}
        self.lock = threading.Lock()

    def read(self, topics: tuple[str, ...]) -> tuple[str, ...] | None:
        with self.lock:
            return tuple(self.versions.setdefault(t, secrets.token_hex(8)) for t in topics)

    def bump(self, topics: tuple[str, ...]) -> None:
        with self.lock:
            for topic in topics:
                self.versions[topic] = secrets.token_hex(8)


class RedisStore:
    """Several processes or servers: one key per topic in Redis, read with one MGET."""

    def __init__(self, app: Flask):
        self.url = app.config["PAGE_CACHE_URL"]
        self.prefix = app.config["PAGE_CACHE_KEY"]
        self._redis = None

    @property
    def redis(self) -> redis.Redis:
        if self._redis is None:
            self._redis = redis.Redis.from_url(
                self.url, socket_timeout=0.25, socket_connect_timeout=0.25
            )
        return self._redis

    def _keys(self, topics) -> list[str]:
        return [f"{self.prefix}:{t}" for t in topics]

    def read(self, topics: tuple[str, ...]) -> tuple | None:
        keys = self._keys(topics)
        try:
            values = self.redis.mget(keys)
            if None in values:  # first visit, or Redis restarted empty: draw new tokens
                pipe = self.redis.pipeline(transaction=False)
                for key, value in zip(keys, values, strict=True):
                    if value is None:
                        pipe.set(key, secrets.token_hex(8), nx=True)
                pipe.execute()
                values = self.redis.mget(keys)
        except redis.RedisError as exc:
            log.warning("page cache: Redis unavailable (%s): rendering without cache", exc)
            return None
        return tuple(v.decode() if v is not None else None for v in values)

    # Pages rendered by one process, for the others: after a sign-up, one process renders
    # the webinar page again and the others take it from here (one GET) instead of each
    # rendering it too. Only addresses without a query string: their number is that of the
    # pages that exist, so Redis holds a bounded set; each for PAGE_CACHE_SECONDS at most.

    def _page_key(self, key: tuple) -> str:
        digest = hashlib.sha256(repr(key).encode()).hexdigest()[:32]
        return f"{self.prefix}:page:{digest}"

    def get_page(self, key: tuple) -> tuple | None:
        try:
            raw = self.redis.get(self._page_key(key))
        except redis.RedisError:
            return None
        if not raw:
            return None
        head, _, body = raw.partition(b"\n")
        meta = json.loads(head)
        if meta["key"] != list(key):
            return None
        return (
            meta["expires"],
            tuple(meta["topics"]),
            tuple(meta["versions"]),
            meta["status"],
            [tuple(h) for h in meta["headers"]],
            body,
        )

    def put_page(self, key: tuple, entry: tuple, seconds: float) -> None:
        expires, topics, versions, status, headers, body = entry
        meta = {
            "key": list(key),
            "expires": expires,
            "topics": list(topics),
            "versions": list(versions),
            "status": status,
            "headers": headers,
        }
        try:
            self.redis.set(
                self._page_key(key),
                json.dumps(meta).encode() + b"\n" + body,
                px=max(1, int(seconds * 1000)),
            )
        except redis.RedisError as exc:
            log.warning("page cache: could not share a page (%s)", exc)

    # One renders, the others wait: a claim per page, given back when rendered, and lapsing
    # by itself after RENDER_CLAIM_MS should the process die. The others look every
    # RENDER_POLL_S whether it is still held, for RENDER_WAIT_S at most, then render.

    RENDER_CLAIM_MS = 1000
    RENDER_WAIT_S = 0.25
    RENDER_POLL_S = 0.003

    def _render_key(self, key: tuple) -> str:
        return self._page_key(key) + ":rendering"

    def claim_render(self, key: tuple) -> bool:
        try:
            return bool(
                self.redis.set(self._render_key(key), b"1", nx=True, px=self.RENDER_CLAIM_MS)
            )
        except redis.RedisError:
            return True

    def wait_for_render(self, key: tuple) -> None:
        claim = self._render_key(key)
        deadline = time.monotonic() + self.RENDER_WAIT_S
        try:
            while self.redis.exists(claim) and time.monotonic() < deadline:
                time.sleep(self.RENDER_POLL_S)
        except redis.RedisError:
            return

    def rendered(self, key: tuple) -> None:
        with contextlib.suppress(redis.RedisError):
            self.redis.delete(self._render_key(key))

    def bump(self, topics: tuple[str, ...]) -> None:
        try:  # one MSET: a reader sees all of a write's topics change, or none
            self.redis.mset({key: secrets.token_hex(8) for key in self._keys(topics)})
        except redis.RedisError as exc:
            log.error("page cache: could not change the versions (%s)", exc)


class DatabaseStore:
    """Several processes without Redis: the ``page_versions`` table of the app's database.

    Read on a connection of its own, not the request's session (a hit then opens no
    transaction of the request's; one SELECT). Written inside the write's own transaction,
    just before its commit (``in_transaction``): the new versions are seen exactly when the
    new rows are, and no second commit (on SQLite, a second wait for the disk) is needed.
    Topics are written in a fixed order, the transaction's last statement: no deadlock."""

    in_transaction = True

    def __init__(self, app: Flask):
        pass

    def read(self, topics: tuple[str, ...]) -> tuple | None:
        query = select(PageVersion.topic, PageVersion.token).where(PageVersion.topic.in_(topics))
        # Autocommit: the SELECT alone goes to the database, no BEGIN and ROLLBACK around it.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            found = dict(connection.execute(query).all())
            missing = [t for t in topics if t not in found]
            if missing:  # a topic never written yet: draw its first token
                connection.execute(self._upsert(connection, only_missing=True), _rows(missing))
                found = dict(connection.execute(query).all())
        return tuple(found.get(t) for t in topics)

    def bump_in(self, connection, topics: tuple[str, ...]) -> None:
        connection.execute(self._upsert(connection, only_missing=False), _rows(topics))

    def bump(self, topics: tuple[str, ...]) -> None:
        """A change made outside a session's transaction: in a transaction of its own."""
        with db.engine.begin() as connection:
            self.bump_in(connection, topics)

    @staticmethod
    def _upsert(connection, *, only_missing: bool):
        if connection.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        statement = insert(PageVersion)
        if only_missing:
            return statement.on_conflict_do_nothing(index_elements=["topic"])
        return statement.on_conflict_do_update(
            index_elements=["topic"], set_={"token": statement.excluded.token}
        )


def _rows(topics) -> list[dict]:
    return [{"topic": t, "token": secrets.token_hex(8)} for t in sorted(set(topics))]


STORES = {"process": ProcessStore, "redis": RedisStore, "database": DatabaseStore}


def store_name(config) -> str:
    name = config.get("PAGE_CACHE_STORE") or "auto"
    if name == "auto":
        return "redis" if config.get("PAGE_CACHE_URL") else "database"
    return name


# The pages --------------------------------------------------------------------------------


def cached_for_visitors(*topics: str):
    """Marks a public view whose page may be served from the cache to anonymous visitors.

    ``topics`` are what the page shows, formatted with the view's arguments
    ("webinar:{webinar_id}"); the view may add more while rendering (``depends_on``).
    Used bare (``@cached_for_visitors``), the page changes with every write.
    """

    def mark(view, declared=topics):
        view.cached_for_visitors = True
        view.page_topics = declared
        return view

    if len(topics) == 1 and callable(topics[0]):  # used bare: changes with every write
        return mark(topics[0], (ANY,))
    return mark


def depends_on(*topics: str) -> bool:
    """Called by a view while it renders: this page also shows these topics.

    Their versions are read now, so call it *before* reading what they name: the page is
    kept only if none of its topics changed between here and the end of the rendering.
    True when the page is being rendered for the cache.
    """
    versions = g.get("page_versions")
    if versions is None:
        return False
    new = tuple(t for t in _with_families(topics) if t not in versions)
    if new:
        read = page_cache().versions(new)
        if read is None:  # the store stopped answering: this page is not kept
            g.pop("page_versions", None)
            return False
        versions.update(zip(new, read, strict=True))
    return True


class PageCache:
    """One per app: the local store (bounded in bytes, least recently used out first)."""

    def __init__(self, app: Flask):
        self.store_name = store_name(app.config)
        store = STORES.get(self.store_name)
        self.store = store(app) if store is not None else None
        self.seconds = app.config["PAGE_CACHE_SECONDS"]
        self.max_bytes = app.config["PAGE_CACHE_MAX_BYTES"]
        # The same in every process of the app (pages travel between them through Redis);
        # derived from the secret key so that no text a visitor writes can contain it.
        tag = hmac.new(str(app.secret_key).encode(), b"page-cache-csrf", "sha256").hexdigest()[:16]
        self.marker = ("\ue000csrf-" + tag + "\ue000").encode()
        self.hole_prefix = ("\ue000hole-" + tag + ":").encode()
        self.hole_pattern = re.compile(
            re.escape(self.hole_prefix) + rb"([a-z_]+):([0-9,]*)" + re.escape("\ue000".encode())
        )
        self.fragments = _Fragments()
        # (language, path) -> (expires, topics, versions, status, headers, body)
        self.entries: OrderedDict[tuple, tuple] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.store is not None

    def versions(self, topics: tuple[str, ...]) -> tuple | None:
        return self.store.read(topics)

    @property
    def in_transaction(self) -> bool:
        return getattr(self.store, "in_transaction", False)

    def bump(self, topics: Iterable[str]) -> None:
        """Called after a commit that wrote: pages showing these topics render again."""
        self.store.bump(tuple(sorted({*topics, ANY})))

    def bump_in(self, connection, topics: Iterable[str]) -> None:
        """Called just before such a commit, in its transaction (the database store)."""
        self.store.bump_in(connection, tuple(sorted({*topics, ANY})))

    def hole_marker(self, name: str, args: tuple[int, ...]) -> str:
        return self.hole_prefix.decode() + name + ":" + ",".join(map(str, args)) + "\ue000"

    def get(self, key: tuple):
        with self.lock:
            entry = self.entries.get(key)
            if entry is None:
                return None
            if entry[0] < time.monotonic():
                self._drop(key)
                return None
            self.entries.move_to_end(key)
            return entry

    def shared_page(self, key: tuple) -> tuple | None:
        """A page another process rendered (Redis only), if it has not expired."""
        get_page = getattr(self.store, "get_page", None)
        shared = get_page(key) if get_page else None
        if shared is None or shared[0] <= time.time():
            return None
        return shared

    def share(self, key: tuple, topics, versions, status: int, headers: list, body: bytes):
        put_page = getattr(self.store, "put_page", None)
        if put_page is not None and len(body) <= self.max_bytes // 8:
            entry = (time.time() + self.seconds, topics, versions, status, headers, body)
            put_page(key, entry, self.seconds)

    def claim_render(self, key: tuple) -> bool:
        """False when another process is rendering this page right now (Redis only)."""
        claim = getattr(self.store, "claim_render", None)
        return claim(key) if claim else True

    def wait_for_render(self, key: tuple) -> None:
        self.store.wait_for_render(key)

    def rendered(self, key: tuple) -> None:
        release = getattr(self.store, "rendered", None)
        if release:
            release(key)

    def put(
        self, key: tuple, topics, versions, status, headers, body: bytes, until: float | None = None
    ):
        """Keeps a page in this process until ``until`` (wall clock), at most the setting."""
        if len(body) > self.max_bytes // 8:
            return
        seconds = self.seconds if until is None else min(self.seconds, until - time.time())
        with self.lock:
            if key in self.entries:
                self._drop(key)
            expires = time.monotonic() + seconds
            self.entries[key] = (expires, topics, versions, status, headers, body)
            self.size += len(body)
            while self.size > self.max_bytes:
                self._drop(next(iter(self.entries)))

    def drop(self, key: tuple) -> None:
        with self.lock:
            if key in self.entries:
                self._drop(key)

    def _drop(self, key: tuple) -> None:
        entry = self.entries.pop(key)
        self.size -= len(entry[5])


def page_cache() -> PageCache | None:
    cache = current_app.extensions.get("page_cache")
    return cache if cache is not None and cache.enabled else None


def _cacheable_request():
    """The view's declared topics, or None when this visit is not for the cache."""
    if request.method != "GET" or request.endpoint is None:
        return None
    view = current_app.view_functions.get(request.endpoint)
    if not getattr(view, "cached_for_visitors", False):
        return None
    if "_flashes" in session or current_user.is_authenticated:
        return None
    args = request.view_args or {}
    return {topic.format(**args) for topic in view.page_topics}


def _with_families(topics: Iterable[str]) -> tuple[str, ...]:
    every = {EVERYTHING, SITE, *topics}
    every.update(f for f in map(family, list(every)) if f)
    return tuple(sorted(every))


def _serve_from_cache():
    cache = page_cache()
    if cache is None:
        return None
    topics = _cacheable_request()
    if topics is None:
        return None
    key = (select_language(), request.full_path)
    entry = cache.get(key)
    if entry is not None:
        _, kept_topics, kept_versions, status, headers, body = entry
        now, known = _versions_with_holes(cache, kept_topics, body)
        if now is None:
            return None
        if now == kept_versions:
            return _from_entry(cache, status, headers, body, known)
        cache.drop(key)
    if not request.query_string:  # pages other processes rendered (Redis only)
        served = _from_shared(cache, key)
        if served is not None:
            return served
        # One process renders the page; the others wait for its copy rather than each
        # render it too (after a sign-up, every process misses the webinar page at once).
        if cache.claim_render(key):
            g.page_cache_rendering = key
        else:
            cache.wait_for_render(key)
            served = _from_shared(cache, key)
            if served is not None:
                return served
    # Rendered now, kept after, unless one of the page's topics changed meanwhile: their
    # versions are read before anything the page shows (depends_on reads those it adds).
    static = _with_families(topics)
    before = cache.versions(static)
    if before is not None:
        g.page_cache_key = key
        g.page_versions = dict(zip(static, before, strict=True))
    return None


def _from_shared(cache: PageCache, key: tuple):
    """The copy of this page another process rendered, if still current, kept here too."""
    shared = cache.shared_page(key)
    if shared is None:
        return None
    expires, kept_topics, kept_versions, status, headers, body = shared
    now, known = _versions_with_holes(cache, kept_topics, body)
    if now is None or now != kept_versions:
        return None
    cache.put(key, kept_topics, kept_versions, status, headers, body, until=expires)
    return _from_entry(cache, status, headers, body, known)


def _from_entry(cache: PageCache, status, headers, body, known: dict | None = None):
    if cache.marker in body:
        body = body.replace(cache.marker, generate_csrf().encode())
    body = _fill_holes(cache, body, known)
    response = current_app.response_class(body, status=status)
    for name, value in headers:
        response.headers[name] = value
    response.headers["X-Page-Cache"] = "hit"
    return response


def _store_in_cache(response):
    rendering = g.pop("page_cache_rendering", None)
    try:
        response = _keep(response)
    finally:
        if rendering is not None:
            page_cache().rendered(rendering)
    if g.pop("page_holes", False) and not (response.is_streamed or response.direct_passthrough):
        # Kept with its markers; this visitor gets the parts filled in.
        response.set_data(_fill_holes(page_cache(), response.get_data()))
    return response


def _keep(response):
    key = g.pop("page_cache_key", None)
    versions = g.pop("page_versions", None)
    cache = page_cache()
    if key is None or versions is None or cache is None:
        return response
    flashes = getattr(request_ctx._get_current_object(), "flashes", None)
    if (
        response.status_code != 200
        or response.direct_passthrough
        or response.is_streamed
        or flashes
        or current_user.is_authenticated  # logged in during this request
    ):
        return response
    topics = tuple(sorted(versions))
    read = cache.versions(topics)
    if read is None or read != tuple(versions[t] for t in topics):
        return response  # what the page shows changed while it was rendered: not kept
    body = response.get_data()
    token = g.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    if token:
        body = body.replace(token.encode(), cache.marker)
    headers = [(name, response.headers[name]) for name in KEPT_HEADERS if name in response.headers]
    cache.put(key, topics, read, response.status_code, headers, body)
    if not request.query_string:
        cache.share(key, topics, read, response.status_code, headers, body)
    response.headers["X-Page-Cache"] = "miss"
    return response


# Listening to the writes -------------------------------------------------------------------


def _pending(session: Session) -> set:
    return session.info.setdefault("page_cache_topics", set())


def _writes(session: Session, flush_context=None) -> None:
    written = [
        *(topics_of_row(obj) for obj in session.new),
        *(topics_of_row(obj) for obj in session.deleted),
        *(topics_of_row(obj, changed=True) for obj in session.dirty if session.is_modified(obj)),
    ]
    topics = set().union(*written)
    if topics:
        _pending(session).update(topics)


def _bulk_writes(orm_execute_state) -> None:
    if not (
        orm_execute_state.is_update or orm_execute_state.is_delete or orm_execute_state.is_insert
    ):
        return
    table = getattr(orm_execute_state.statement, "table", None)
    topics = topics_of_table(getattr(table, "name", None))
    if topics:
        _pending(orm_execute_state.session).update(topics)


def _app_cache() -> PageCache | None:
    try:
        cache = current_app.extensions.get("page_cache")
    except RuntimeError:  # outside an application context: no app, no cache
        return None
    return cache if cache is not None and cache.enabled else None


# SQLAlchemy calls these for a savepoint too (begin_nested(), as seats.insert_once uses):
# the versions change with the outermost commit only, when the rows are there for all.


def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return
    cache = _app_cache()
    if cache is None or not cache.in_transaction:
        return
    session.flush()  # the transaction's last writes, so that their topics are known
    topics = session.info.pop("page_cache_topics", None)
    if topics:
        cache.bump_in(session.connection(), topics)


def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return
    topics = session.info.pop("page_cache_topics", None)
    cache = _app_cache()
    if topics and cache is not None and not cache.in_transaction:
        cache.bump(topics)


def _after_rollback(session: Session) -> None:
    if session.in_nested_transaction():
        return  # what the outer transaction wrote before the savepoint still commits
    session.info.pop("page_cache_topics", None)


event.listen(Session, "after_flush", _writes)
event.listen(Session, "do_orm_execute", _bulk_writes)
event.listen(Session, "before_commit", _before_commit)
event.listen(Session, "after_commit", _after_commit)
event.listen(Session, "after_rollback", _after_rollback)

# The cache's own table shows on no page.
page_topics("page_versions")


def init_page_cache(app: Flask) -> None:
    app.extensions["page_cache"] = PageCache(app)
    app.jinja_env.globals["page_hole"] = _hole_in_template
    # Registered last: the language and the login are known by then.
    app.before_request(_serve_from_cache)
    app.after_request(_store_in_cache)
