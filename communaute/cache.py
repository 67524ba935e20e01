"""Public pages for visitors who are not logged in, served from memory, never stale.

When hundreds of people open the same webinar page at noon, each app process renders it
once and serves the rendered bytes to every visitor who is not logged in. A cached page is
keyed on a *data version* kept in Redis (``PAGE_CACHE_URL``), shared by every process and
every server: after each commit that wrote anything a page may show (a sign-up, a
registration, a course, a testimony, a name...), the version goes up, so every process
renders again on the next visit. A seat count is never stale once a registration's response
has left. ``PAGE_CACHE_SECONDS`` bounds what only time changes (a webinar that has begun
moves to the past webinars without any write).

What is never cached: logged-in members (their pages show their own registrations), a
visit with a message waiting (flash), anything but a GET answered 200 in full. Forms on a
cached page get the visitor's own CSRF token: the page is stored with a marker in its place.
Without ``PAGE_CACHE_URL``, or when Redis does not answer, pages are rendered as usual: the
cache fails open to fresh pages, never to stale ones.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections import OrderedDict

import redis
from flask import Flask, current_app, g, request, session
from flask.globals import request_ctx
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import event
from sqlalchemy.orm import Session

from communaute.i18n import select_language

log = logging.getLogger("communaute.cache")

#: Tables whose writes no page shows: they do not invalidate cached pages.
IGNORED_TABLES = {"outbox_messages", "security_events"}
#: Response headers kept with a cached page (the rest is added per request).
KEPT_HEADERS = ("Content-Type",)


def cached_for_visitors(view):
    """Marks a public view whose page may be served from the cache to anonymous visitors."""
    view.cached_for_visitors = True
    return view


class PageCache:
    """One per app: the local store (bounded in bytes, least recently used out first)."""

    def __init__(self, app: Flask):
        self.url = app.config.get("PAGE_CACHE_URL") or None
        self.seconds = app.config["PAGE_CACHE_SECONDS"]
        self.max_bytes = app.config["PAGE_CACHE_MAX_BYTES"]
        self.key = app.config["PAGE_CACHE_KEY"]
        self.marker = ("\ue000csrf-" + secrets.token_hex(8) + "\ue000").encode()
        self.entries: OrderedDict[tuple, tuple[float, int, list, bytes]] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()
        self._redis = None

    @property
    def enabled(self) -> bool:
        return self.url is not None

    @property
    def redis(self) -> redis.Redis:
        if self._redis is None:
            self._redis = redis.Redis.from_url(
                self.url, socket_timeout=0.25, socket_connect_timeout=0.25
            )
        return self._redis

    def version(self) -> bytes | None:
        """The shared data version, or None when Redis does not answer (no cache then).

        A version is a random token, not a counter: should Redis restart empty, a new token
        is drawn, and no page kept under an earlier one can match it again.
        """
        try:
            value = self.redis.get(self.key)
            if value is None:
                self.redis.set(self.key, secrets.token_hex(8), nx=True)
                value = self.redis.get(self.key)
        except redis.RedisError as exc:
            log.warning("page cache: Redis unavailable (%s): rendering without cache", exc)
            return None
        return value

    def bump(self) -> None:
        """Called after a commit that wrote: every process renders again."""
        with self.lock:  # this process at least never serves what it had
            self.entries.clear()
            self.size = 0
        try:
            self.redis.set(self.key, secrets.token_hex(8))
        except redis.RedisError as exc:
            log.error("page cache: could not change the data version (%s)", exc)

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

    def put(self, key: tuple, status: int, headers: list, body: bytes) -> None:
        if len(body) > self.max_bytes // 8:
            return
        with self.lock:
            if key in self.entries:
                self._drop(key)
            self.entries[key] = (time.monotonic() + self.seconds, status, headers, body)
            self.size += len(body)
            while self.size > self.max_bytes:
                self._drop(next(iter(self.entries)))

    def _drop(self, key: tuple) -> None:
        entry = self.entries.pop(key)
        self.size -= len(entry[3])


def _cache() -> PageCache | None:
    cache = current_app.extensions.get("page_cache")
    return cache if cache is not None and cache.enabled else None


def _cacheable_request() -> bool:
    if request.method != "GET" or request.endpoint is None:
        return False
    view = current_app.view_functions.get(request.endpoint)
    if not getattr(view, "cached_for_visitors", False):
        return False
    return "_flashes" not in session and not current_user.is_authenticated


def _serve_from_cache():
    cache = _cache()
    if cache is None or not _cacheable_request():
        return None
    version = cache.version()
    if version is None:
        return None
    key = (version, select_language(), request.full_path)
    entry = cache.get(key)
    if entry is None:
        g.page_cache_key = key  # rendered now, stored after
        return None
    _, status, headers, body = entry
    if cache.marker in body:
        body = body.replace(cache.marker, generate_csrf().encode())
    response = current_app.response_class(body, status=status)
    for name, value in headers:
        response.headers[name] = value
    response.headers["X-Page-Cache"] = "hit"
    return response


def _store_in_cache(response):
    key = g.pop("page_cache_key", None)
    cache = _cache()
    if key is None or cache is None:
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
    body = response.get_data()
    token = g.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    if token:
        body = body.replace(token.encode(), cache.marker)
    headers = [(name, response.headers[name]) for name in KEPT_HEADERS if name in response.headers]
    cache.put(key, response.status_code, headers, body)
    response.headers["X-Page-Cache"] = "miss"
    return response


def _writes(session: Session, flush_context=None) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(type(obj), "__tablename__", None)
        if table not in IGNORED_TABLES:
            session.info["page_cache_dirty"] = True
            return


def _bulk_writes(orm_execute_state) -> None:
    if not (
        orm_execute_state.is_update or orm_execute_state.is_delete or orm_execute_state.is_insert
    ):
        return
    table = getattr(orm_execute_state.statement, "table", None)
    if getattr(table, "name", None) not in IGNORED_TABLES:
        orm_execute_state.session.info["page_cache_dirty"] = True


def _after_commit(session: Session) -> None:
    if not session.info.pop("page_cache_dirty", False):
        return
    try:
        cache = current_app.extensions.get("page_cache")
    except RuntimeError:  # outside an application context: no app, no cache
        return
    if cache is not None and cache.enabled:
        cache.bump()


def _after_rollback(session: Session) -> None:
    session.info.pop("page_cache_dirty", None)


event.listen(Session, "after_flush", _writes)
event.listen(Session, "do_orm_execute", _bulk_writes)
event.listen(Session, "after_commit", _after_commit)
event.listen(Session, "after_rollback", _after_rollback)


def init_page_cache(app: Flask) -> None:
    app.extensions["page_cache"] = PageCache(app)
    # Registered last: the language and the login are known by then.
    app.before_request(_serve_from_cache)
    app.after_request(_store_in_cache)
