"""The load benchmark: `make bench` (or `python bench/run.py`). Run by hand, never in CI.

1. Creates the PostgreSQL database ``bench`` on 127.0.0.1:5432 (user postgres, trust auth),
   migrates it and seeds it with the large data set (bench/seed.py).
2. Starts two SMTP servers on loopback (bench/smtp_sink.py: one at once, one taking 2 s per
   message), the app under gunicorn (2 x cores sync workers, outbox delivered in the
   background to the fast SMTP server, page cache in Redis) and, beside it, a bare Flask
   hello world under the same settings: the framework's limit on this machine.
3. Drives each page with wrk (127.0.0.1 only, 16 connections, bounded duration), hello world
   first and last; logged-in pages carry a session cookie signed with the app's key.
4. Times a whole guest webinar sign-up (GET, POST with the CSRF token, follow the redirect),
   one after the other, then the webinar sign-up POST and the training registration POST at
   16 concurrent clients.
5. Overbooking: 200 members register at once for a 20-seat session (and 200 guests sign up
   for a 20-seat webinar), then counts confirmed/waiting rows and waiting-list positions.
6. The public pages again without the page cache (before / after, same run); the POSTs again
   while the SMTP server takes 2 s per message; every page again under gthread workers.
7. The outbox: two `flask outbox worker` processes, 1,000 emails, an SMTP outage
   (bench/outbox_bench.py).
8. Reads each worker's resident memory, and writes bench/RESULTS.md. Text below the line
   ``<!-- notes -->`` in an existing RESULTS.md (the analysis) is kept.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))

from bench.seed import LANDMARKS  # noqa: E402

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DB_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench"
PAGE_CACHE_URL = "redis://127.0.0.1:6379/1"
APP_PORT, HELLO_PORT = 8811, 8812
SECRET = "bench-secret-key-not-for-production-0123456789"
NOTES = "<!-- notes -->"
PYTHON = sys.executable
BIN = Path(sys.executable).parent


def log(msg: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {msg}", file=sys.stderr, flush=True)


# Database -------------------------------------------------------------------------------


def prepare_database(scale: str, env: dict) -> float:
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text("DROP DATABASE IF EXISTS bench WITH (FORCE)"))
        conn.execute(sa.text("CREATE DATABASE bench"))
    admin.dispose()
    subprocess.run([BIN / "flask", "--app", "communaute", "db", "upgrade"], env=env, check=True)
    started = time.monotonic()
    subprocess.run(
        [PYTHON, BENCH / "seed.py", "--scale", scale, "--database-url", DB_URL], env=env, check=True
    )
    return time.monotonic() - started


# Servers --------------------------------------------------------------------------------


class Server:
    def __init__(
        self,
        name: str,
        target: str,
        port: int,
        workers: int,
        env: dict,
        worker_class: str = "sync",
        threads: int = 1,
    ):
        self.name, self.port, self.health = name, port, "/" if target.startswith("hello") else None
        self.cmd = [
            str(BIN / "gunicorn"),
            "--workers",
            str(workers),
            "--worker-class",
            worker_class,
            "--threads",
            str(threads),
            "--bind",
            f"127.0.0.1:{port}",
            "--chdir",
            str(BENCH),
            "--log-level",
            "warning",
            "--error-logfile",
            f"/tmp/bench-{name}.log",
            target,
        ]
        self.env = env
        self.proc = None

    def start(self) -> None:
        self.proc = subprocess.Popen(self.cmd, env=self.env, cwd=BENCH)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", self.health or "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not start, see /tmp/bench-{self.name}.log")

    def worker_rss_mb(self) -> list[float]:
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
        out = []
        for pid in children:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    out.append(int(line.split()[1]) / 1024)
        return out

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=30)


def _cpu_idle(seconds: float = 1.0) -> float:
    def read():
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        return fields[3] + fields[4], sum(fields)  # idle + iowait, total

    idle0, total0 = read()
    time.sleep(seconds)
    idle1, total1 = read()
    return (idle1 - idle0) / max(1, total1 - total0)


QUIESCE_LIMIT = 90.0


def quiesce(engine, limit: float | None = None) -> float:
    """Between two stages: VACUUM ANALYZE what the last one wrote (so autovacuum does not
    start in the middle of the next one), then wait until the CPU is idle. Returns the wait."""
    limit = QUIESCE_LIMIT if limit is None else limit
    started = time.monotonic()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM (ANALYZE)"))
    calm = 0
    while time.monotonic() - started < limit and calm < 3:
        calm = calm + 1 if _cpu_idle() > 0.9 else 0
    return time.monotonic() - started


def settle(port: int, limit: float = 120.0) -> None:
    """Waits until the app answers /healthz at once: requests wrk left queued in the workers
    (a slow page under 16 connections) would otherwise eat into the next measurement."""
    deadline = time.monotonic() + limit
    fast = 0
    while time.monotonic() < deadline and fast < 3:
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=limit)
        conn.request("GET", "/healthz")
        conn.getresponse().read()
        conn.close()
        fast = fast + 1 if time.perf_counter() - started < 0.05 else 0


# wrk ------------------------------------------------------------------------------------

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * UNITS[unit]


def wrk(url: str, *, seconds: int, connections: int, cookie: str | None = None) -> dict:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "30s"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, check=True).stdout
    result = {
        "connections": connections,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": _ms(re.search(r"\s50%\s+(\S+)", out).group(1)),
        "p99": _ms(re.search(r"\s99%\s+(\S+)", out).group(1)),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "errors": 0,
        "raw": out,
    }
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if bad:
        result["errors"] += int(bad.group(1))
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if sock:
        result["errors"] += sum(int(x) for x in sock.groups())
    return result


# A small HTTP client with cookies and CSRF tokens ---------------------------------------

CSRF = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"|value="([^"]+)"[^>]*?name="csrf_token"')


class Client:
    def __init__(self, port: int, cookies: dict | None = None):
        self.port = port
        self.cookies = dict(cookies or {})

    def request(self, method: str, path: str, form: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body, headers)
        response = conn.getresponse()
        data = response.read()
        conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, value = header.split(";", 1)[0].partition("=")
            if value:
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        return response.status, response.headers, data

    def token(self, path: str) -> str:
        status, _, data = self.request("GET", path)
        assert status == 200, (path, status)
        match = CSRF.search(data.decode())
        assert match, f"no CSRF token on {path}"
        return match.group(1) or match.group(2)


def signed_session(user_token: str) -> str:
    """A session cookie as a login writes it (Flask-Login's id and the stamps of
    communaute/auth/sessions.py, second factor given), signed with the benchmark key."""
    from flask import Flask

    from communaute.auth import sessions

    app = Flask("bench-cookie")
    app.secret_key = SECRET
    serializer = app.session_interface.get_signing_serializer(app)
    now = int(time.time())  # a coordinator's cookie is good for 30 minutes of benchmark
    return serializer.dumps(
        {
            "_user_id": user_token,
            "_fresh": True,
            sessions.LOGIN_AT: now,
            sessions.SEEN_AT: now,
            sessions.SECOND_FACTOR: True,
        }
    )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def guest_signups(port: int, webinar_id: int, count: int) -> dict:
    """A whole guest sign-up, one after the other: GET the page, POST, follow the redirect."""
    times = []
    for i in range(count):
        client = Client(port)
        started = time.perf_counter()
        token = client.token(f"/webinars/{webinar_id}")
        status, headers, _ = client.request(
            "POST",
            f"/webinars/{webinar_id}/signup",
            {
                "csrf_token": token,
                "name": f"Invitée {i}",
                "email": f"bench-seq-{i}-{time.time_ns()}@exemple.ca",
                "language": "fr",
                "how_heard": "Infolettre",
            },
        )
        assert status == 302, status
        status, _, _ = client.request("GET", urlsplit(headers["Location"]).path)
        assert status == 200, status
        times.append((time.perf_counter() - started) * 1000)
    return {"n": count, "p50": statistics.median(times), "p99": percentile(times, 0.99)}


def _all_at_once(target, args_list) -> None:
    """Runs ``target(*args)`` for each args in a thread of its own; returns when all ended."""
    threads = [threading.Thread(target=target, args=args) for args in args_list]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


class _Timings:
    """Response times (ms) and non-302 statuses, from several client threads."""

    def __init__(self):
        self.times, self.errors, self.lock = [], [], threading.Lock()

    def add(self, since: float, status: int) -> None:
        elapsed = (time.perf_counter() - since) * 1000
        with self.lock:
            self.times.append(elapsed)
            if status != 302:
                self.errors.append(status)

    def summary(self) -> dict:
        return _summary(self.times, self.errors)


def _summary(times: list[float], errors: list[int]) -> dict:
    return {
        "n": len(times),
        "p50": statistics.median(times),
        "p99": percentile(times, 0.99),
        "errors": len(errors),
    }


def _guest_form(token: str, tag: str) -> dict:
    return {
        "csrf_token": token,
        "name": "Invité",
        "email": f"bench-{tag}-{time.time_ns()}@exemple.ca",
        "language": "fr",
    }


def concurrent_posts(port: int, webinar_id: int, clients: int, per_client: int) -> dict:
    """The sign-up POST alone, ``clients`` at a time, each as soon as the previous answered.

    Each client opens the page once (its CSRF token), then posts ``per_client`` sign-ups with
    that token; its cookie is put back after each POST (the flash message the POST left in it
    would otherwise grow it), so every POST is the same first POST of a browser.
    """
    timings = _Timings()

    def run(k: int) -> None:
        client = Client(port)
        token = client.token(f"/webinars/{webinar_id}")
        cookies = dict(client.cookies)
        for i in range(per_client):
            client.cookies = dict(cookies)
            started = time.perf_counter()
            status, _, _ = client.request(
                "POST", f"/webinars/{webinar_id}/signup", _guest_form(token, f"par-{k}-{i}")
            )
            timings.add(started, status)

    _all_at_once(run, [(k,) for k in range(clients)])
    return timings.summary()


def paced_posts(port: int, webinar_id: int, rate: float, seconds: float, clients: int) -> dict:
    """Sign-ups arriving at ``rate`` per second, whoever is still waiting for an answer.

    The i-th POST is due at start + i / rate; its time runs from that moment, not from when a
    client got round to sending it (a late client counts its lateness: no coordinated
    omission). ``clients`` threads share the schedule.
    """
    total = int(rate * seconds)
    timings = _Timings()
    forms = []
    for _ in range(clients):
        client = Client(port)
        forms.append((client, client.token(f"/webinars/{webinar_id}"), dict(client.cookies)))
    start = time.perf_counter() + 0.5

    def run(k: int) -> None:
        client, token, cookies = forms[k]
        for i in range(k, total, clients):
            due = start + i / rate
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            client.cookies = dict(cookies)
            status, _, _ = client.request(
                "POST", f"/webinars/{webinar_id}/signup", _guest_form(token, f"pace-{i}")
            )
            timings.add(due, status)

    _all_at_once(run, [(k,) for k in range(clients)])
    return {**timings.summary(), "rate": rate}


def course_with_sessions(conn, slug: str, count: int, *, first_day: int) -> list[int]:
    """A published course whose ``count`` sessions (1,000 seats each, a day apart) one
    member may all register for (``allows_several``): the ids of the sessions."""
    now = datetime.now(UTC)
    course_id = conn.scalar(
        sa.text(
            "INSERT INTO training_courses (slug, title, summary, description, language, "
            "format, audience, duration, prerequisites, published, allows_several, "
            "created_at) VALUES (:slug, 'Inscriptions en parallèle', 'Test de charge', '', "
            "'fr', 'online', 'everyone', '2 heures', '', true, true, :now) RETURNING id"
        ),
        {"now": now, "slug": slug},
    )
    return [
        conn.scalar(
            sa.text(
                "INSERT INTO training_sessions (course_id, starts_at, ends_at, place, "
                "online_url, capacity, state, sequence, created_at) VALUES "
                "(:c, :s, :e, '', 'https://zoom.example/j/1', 1000, 'open', 0, :now) "
                "RETURNING id"
            ),
            {
                "c": course_id,
                "s": now + timedelta(days=first_day + i),
                "e": now + timedelta(days=first_day + i, hours=2),
                "now": now,
            },
        )
        for i in range(count)
    ]


def registration_posts(port: int, engine, clients: int, per_client: int) -> dict:
    """Members register for a training session, ``clients`` at a time: the POST alone.

    Each member opens the course page (their CSRF token) then registers for ``per_client``
    sessions one after the other; every POST is timed.
    """
    slug = f"bench-inscriptions-{time.time_ns()}"
    with engine.begin() as conn:
        session_ids = course_with_sessions(conn, slug, per_client, first_day=30)
        tokens = (
            conn.execute(
                sa.text(
                    "SELECT session_token FROM users WHERE role = 'member' ORDER BY id LIMIT :n"
                ),
                {"n": clients},
            )
            .scalars()
            .all()
        )
    timings = _Timings()

    def run(user_token: str) -> None:
        client = Client(port, {"session": signed_session(user_token)})
        token = client.token(f"/trainings/{slug}")
        cookies = dict(client.cookies)
        for session_id in session_ids:
            client.cookies = dict(cookies)
            started = time.perf_counter()
            status, _, _ = client.request(
                "POST", f"/trainings/sessions/{session_id}/register", {"csrf_token": token}
            )
            timings.add(started, status)

    _all_at_once(run, [(t,) for t in tokens])
    return timings.summary()


class SmtpSink:
    """bench/smtp_sink.py in its own process (its event loop never competes with clients)."""

    def __init__(self, port: int, delay: float = 0.0):
        self.port, self.delay = port, delay
        self.count_file = Path(f"/tmp/bench-smtp-{port}.count")
        self.proc = None

    def start(self) -> None:
        self.count_file.unlink(missing_ok=True)
        self.proc = subprocess.Popen(
            [
                PYTHON,
                BENCH / "smtp_sink.py",
                str(self.port),
                "--delay",
                str(self.delay),
                "--count-file",
                str(self.count_file),
            ]
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the SMTP sink did not start")

    def received(self) -> int:
        return int(self.count_file.read_text()) if self.count_file.exists() else 0

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:  # still busy with a client: the results matter
                self.proc.kill()
                self.proc.wait(timeout=10)


class OutboxWorker:
    """``flask outbox worker`` at a lower CPU priority (nice 10), as README advises: mail is
    built and sent beside the web workers, and yields the CPU to them under load."""

    def __init__(self, env: dict, smtp_port: int):
        self.env = {**env, "MAIL_PORT": str(smtp_port)}
        self.proc = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "nice",
                "-n",
                "10",
                str(BIN / "flask"),
                "--app",
                "communaute",
                "outbox",
                "worker",
                "--interval",
                "1",
            ],
            env=self.env,
            stdout=subprocess.DEVNULL,
        )

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)


def first_byte(port: int, path: str, cookie: str, count: int = 5) -> dict:
    """Time to the response headers, then to the last byte, for a heavy coordinator page."""
    ttfb, total, size = [], [], 0
    for _ in range(count):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        started = time.perf_counter()
        conn.request("GET", path, headers={"Cookie": cookie})
        response = conn.getresponse()
        ttfb.append((time.perf_counter() - started) * 1000)
        size = len(response.read())
        total.append((time.perf_counter() - started) * 1000)
        conn.close()
        assert response.status == 200, (path, response.status)
    return {"ttfb": statistics.median(ttfb), "total": statistics.median(total), "bytes": size}


# Overbooking ------------------------------------------------------------------------------


def overbooking(port: int, engine, people: int = 200, seats: int = 20) -> dict:
    """``people`` members register at the same moment for a session with ``seats`` seats."""
    now = datetime.now(UTC)
    slug = f"bench-surreservation-{int(time.time())}"
    with engine.begin() as conn:
        course_id = conn.scalar(
            sa.text(
                "INSERT INTO training_courses (slug, title, summary, description, language, "
                "format, audience, duration, prerequisites, published, created_at) VALUES "
                "(:slug, 'Surréservation', 'Test de charge', '', 'fr', "
                "'online', 'everyone', '2 heures', '', true, :now) RETURNING id"
            ),
            {"now": now, "slug": slug},
        )
        session_id = conn.scalar(
            sa.text(
                "INSERT INTO training_sessions (course_id, starts_at, ends_at, place, "
                "online_url, capacity, state, sequence, created_at) VALUES "
                "(:c, :s, :e, '', 'https://zoom.example/j/1', :cap, 'open', 0, :now) "
                "RETURNING id"
            ),
            {
                "c": course_id,
                "s": now + timedelta(days=20),
                "e": now + timedelta(days=20, hours=2),
                "cap": seats,
                "now": now,
            },
        )
        tokens = conn.execute(
            sa.text(
                "SELECT id, session_token FROM users WHERE role = 'member' "
                "ORDER BY id DESC LIMIT :n"
            ),
            {"n": people},
        ).all()
    # Each member opens the course page first (their CSRF token), then all POST at once.
    clients = []
    for _uid, user_token in tokens:
        client = Client(port, {"session": signed_session(user_token)})
        clients.append((client, client.token(f"/trainings/{slug}")))
    barrier = threading.Barrier(len(clients))
    statuses = []

    def register(client: Client, token: str) -> None:
        barrier.wait()
        status, _, _ = client.request(
            "POST", f"/trainings/sessions/{session_id}/register", {"csrf_token": token}
        )
        statuses.append(status)

    # How many PostgreSQL connections the app holds at the busiest moment.
    peak, done = [0], threading.Event()

    def sample() -> None:
        with engine.connect() as conn:
            while not done.is_set():
                n = conn.scalar(
                    sa.text(
                        "SELECT count(*) FROM pg_stat_activity "
                        "WHERE datname = 'bench' AND pid <> pg_backend_pid()"
                    )
                )
                peak[0] = max(peak[0], n)
                conn.rollback()
                time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.perf_counter()
    _all_at_once(register, clients)
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    with engine.connect() as conn:
        counts = dict(
            conn.execute(
                sa.text(
                    "SELECT state, count(*) FROM training_registrations "
                    "WHERE session_id = :s GROUP BY state"
                ),
                {"s": session_id},
            ).all()
        )
        duplicates = conn.scalar(
            sa.text(
                "SELECT count(*) FROM (SELECT user_id FROM training_registrations "
                "WHERE session_id = :s GROUP BY user_id HAVING count(*) > 1) d"
            ),
            {"s": session_id},
        )
        # The waiting list is ordered by (waitlisted_at, id): position = rank in that order.
        queue = conn.execute(
            sa.text(
                "SELECT waitlisted_at FROM training_registrations "
                "WHERE session_id = :s AND state = 'waiting' ORDER BY waitlisted_at, id"
            ),
            {"s": session_id},
        ).all()
    positions_ok = len(queue) == people - seats and all(w[0] is not None for w in queue)
    return {
        "people": people,
        "seats": seats,
        "seconds": elapsed,
        "statuses": {s: statuses.count(s) for s in set(statuses)},
        "confirmed": counts.get("confirmed", 0),
        "waiting": counts.get("waiting", 0),
        "duplicates": duplicates,
        "positions": f"1..{len(queue)}" if positions_ok else "gap or missing waitlisted_at",
        "peak_connections": peak[0],
    }


def webinar_overbooking(port: int, engine, people: int = 200, seats: int = 20) -> dict:
    """``people`` guests sign up at the same moment for a webinar with ``seats`` seats."""
    now = datetime.now(UTC)
    with engine.begin() as conn:
        webinar_id = conn.scalar(
            sa.text(
                "INSERT INTO webinars (title, description, tags, start_at, duration_minutes, "
                "language, join_url, phone_dial_in, captioning, capacity, status, "
                "recording_url, resources, sequence, created_at) VALUES ('Surréservation', "
                "'', '', :s, 60, 'fr', '', '', '', :cap, 'scheduled', '', '', 0, :now) "
                "RETURNING id"
            ),
            {"s": now + timedelta(days=20), "cap": seats, "now": now},
        )
    clients = []
    for i in range(people):
        client = Client(port)
        clients.append((i, client, client.token(f"/webinars/{webinar_id}")))
    barrier = threading.Barrier(len(clients))
    statuses = []

    def sign_up(i: int, client: Client, token: str) -> None:
        barrier.wait()
        status, _, _ = client.request(
            "POST",
            f"/webinars/{webinar_id}/signup",
            {
                "csrf_token": token,
                "name": f"Invité {i}",
                "email": f"surresa-{i}@exemple.ca",
                "language": "fr",
            },
        )
        statuses.append(status)

    _all_at_once(sign_up, clients)
    with engine.connect() as conn:
        counts = dict(
            conn.execute(
                sa.text(
                    "SELECT state, count(*) FROM webinar_signups WHERE webinar_id = :w "
                    "GROUP BY state"
                ),
                {"w": webinar_id},
            ).all()
        )
    return {
        "people": people,
        "seats": seats,
        "statuses": {s: statuses.count(s) for s in set(statuses)},
        "confirmed": counts.get("confirmed", 0),
        "waiting": counts.get("waiting", 0),
    }


# Report -----------------------------------------------------------------------------------


def machine() -> dict:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = int(Path("/proc/meminfo").read_text().split()[1]) // 1024
    pg = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc", "SHOW server_version"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    gunicorn = subprocess.run(
        [BIN / "gunicorn", "--version"], capture_output=True, text=True
    ).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": f"{mem} MB",
        "os": platform.platform(),
        "python": platform.python_version(),
        "postgresql": pg,
        "gunicorn": gunicorn,
        "wrk": (wrk_version.stdout or wrk_version.stderr).splitlines()[0],
    }


def _verdict(row: dict, hello: float, data: dict) -> str:
    ratio = 100 * row["rps"] / hello
    if row["target"] == "public":
        return "≥ 30 %: " + ("met" if ratio >= 30 else "**missed**")
    if row["target"] == "attendance":
        alone = data["attendance_single" if "csv" not in row["path"] else "csv_single"]
        return f"< 1 s alone: {alone['total']:.0f} ms, " + (
            "met" if alone["total"] < 1000 else "**missed**"
        )
    return ""


def _pages_table(run: dict, data: dict, before: dict | None = None) -> list[str]:
    hello = run["hello_rps"]
    lines = [
        f"Hello world under the same gunicorn: {run['hello_before']:.0f} requests/s before the "
        f"pages, {run['hello_after']:.0f} after; ratios use their mean, {hello:.0f}.",
        "",
    ]
    if before:
        lines += [
            "| page | path | wrk -c | requests/s | p50 ms | p99 ms | % of hello world | errors "
            "| without the page cache: requests/s (% of hello world) | target |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
    else:
        lines += [
            "| page | path | wrk -c | requests/s | p50 ms | p99 ms | % of hello world | errors "
            "| target |",
            "|---|---|---:|---:|---:|---:|---:|---:|---|",
        ]
    old = {r["path"]: r for r in (before or {}).get("pages", [])}
    for row in run["pages"]:
        cells = [
            row["name"],
            f"`{row['path']}`",
            str(row["connections"]),
            f"{row['rps']:.1f}",
            f"{row['p50']:.1f}",
            f"{row['p99']:.1f}",
            f"{100 * row['rps'] / hello:.1f} %",
            str(row["errors"]),
        ]
        if before:
            o = old.get(row["path"])
            cells.append(
                f"{o['rps']:.1f} ({100 * o['rps'] / before['hello_rps']:.1f} %)" if o else "n/a"
            )
        cells.append(_verdict(row, hello, data))
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _posts_line(label: str, r: dict, clients: int) -> str:
    return (
        f"- {label} at {clients} concurrent clients, {r['n']} POSTs: p50 {r['p50']:.1f} ms, "
        f"p99 **{r['p99']:.1f} ms**, {r['errors']} not answered 302 (target p99 < 50 ms: "
        + ("met" if r["p99"] < 50 else "**missed**")
        + ")."
    )


def write_results(path: Path, data: dict) -> None:
    notes = ""
    if path.exists() and NOTES in path.read_text():
        notes = path.read_text().split(NOTES, 1)[1]
    m = data["machine"]
    n = data["connections"]
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (bench/run.py); the numbers are from the run below, never "
        "edited by hand. The analysis after the tables is kept when the file is rewritten.",
        "",
        f"- Date: {data['date']}; 1-minute load average {data['load_before']:.2f} before the "
        f"run, {data['load_after']:.2f} after (on {m['cores']} cores, anything near or above "
        "1 before the run means another process shared the CPU)",
        f"- Machine: {m['cpu']}, {m['cores']} cores, {m['memory']} RAM; {m['os']}",
        f"- Python {m['python']}, PostgreSQL {m['postgresql']}, {m['gunicorn']}, {m['wrk']}",
        f"- Data: `bench/seed.py --scale {data['scale']}` into PostgreSQL, "
        f"seeded in {data['seed_seconds']:.1f} s",
        f"- Servers: gunicorn, {data['workers']} workers, for `bench/wsgi.py` (the app: "
        "SECRET_KEY set, COMMUNAUTE_ENV=production, RATELIMIT_ENABLED=0, "
        "OUTBOX_DELIVERY=worker with one `nice -n 10 flask outbox worker --interval 1` beside "
        "it, delivering to an SMTP server on loopback, `bench/smtp_sink.py`; "
        "PAGE_CACHE_URL=redis://127.0.0.1:6379/1 unless said otherwise) and for "
        "`bench/hello.py` (bare Flask), same settings",
        f"- Load: `wrk -t2 -c{n} -d{data['seconds']}s --latency --timeout "
        "30s URL` on 127.0.0.1, pages one after the other; logged-in pages send a session "
        "cookie signed with the benchmark key",
        "",
        "## Pages, sync workers",
        "",
        *_pages_table(data["sync"], data, before=data.get("sync_nocache")),
        "",
        "The column *without the page cache* is the same app, same run, with "
        "PAGE_CACHE_STORE=off: every visit rendered.",
        *_mixed_section(data),
        *_cpu_section(data),
        *_embedded_section(data),
    ]
    if data.get("gthread"):
        lines += [
            "",
            f"## Pages, gthread workers ({data['workers']} workers × {data['threads']} threads)",
            "",
            *_pages_table(data["gthread"], data),
        ]
    g = data["guest"]
    lines += [
        "",
        "## Journeys and POSTs",
        "",
        f"- Whole guest webinar sign-up (GET page, POST form with CSRF token, follow the "
        f"redirect), {g['n']} one after the other: median **{g['p50']:.1f} ms**, p99 "
        f"**{g['p99']:.1f} ms** (target ≤ 30 ms / ≤ 60 ms: "
        + ("met" if g["p50"] <= 30 and g["p99"] <= 60 else "**missed**")
        + ").",
        _posts_line("Webinar sign-up POST (guests)", data["concurrent"], n),
        _posts_line("Training registration POST (members)", data["registrations"], n),
        *(
            f"- Webinar sign-ups arriving at a steady {p['rate']:.0f} per second ({p['n']} "
            f"POSTs, {n} clients sharing the schedule, each POST timed from when it was due): "
            f"p50 {p['p50']:.1f} ms, p99 **{p['p99']:.1f} ms** (p99 < 50 ms: "
            + ("yes" if p["p99"] < 50 else "**no**")
            + f"), {p['errors']} not answered 302."
            for p in data["paced"]
        ),
    ]
    rounds = data.get("smtp_rounds")
    if rounds:
        lines += [
            "",
            "The same POSTs in turns with a fast SMTP server and one that takes 2 s per message "
            "behind the outbox worker (same app server, rounds one after the other):",
            "",
            "| round | SMTP | sign-up POST, 16 clients: p50 / p99 ms | registration POST, 16 "
            "clients: p50 / p99 ms | sign-ups at 100/s: p50 / p99 ms |",
            "|---:|---|---:|---:|---:|",
        ]
        for i, r in enumerate(rounds, 1):
            cells = [
                f"{r[k]['p50']:.1f} / {r[k]['p99']:.1f}"
                for k in ("concurrent", "registrations", "paced")
            ]
            smtp = f"{r['delay']:.0f} s per message" if r["delay"] else "at once"
            lines.append(f"| {i} | {smtp} | " + " | ".join(cells) + " |")
        lines.append("")
        for key, label in (
            ("concurrent", "sign-up POST at 16 clients"),
            ("registrations", "registration POST at 16 clients"),
            ("paced", "sign-ups at 100/s"),
        ):
            fast = [r[key]["p99"] for r in rounds if not r["delay"]]
            slow = [r[key]["p99"] for r in rounds if r["delay"]]
            change = 100 * (statistics.mean(slow) - statistics.mean(fast)) / statistics.mean(fast)
            noise = 100 * (max(fast) - min(fast)) / min(fast)
            if abs(change) <= 20:
                verdict = "within ±20 %: met"
            elif change < 0:
                verdict = (
                    "not slower (the target's point: no email on the request path); faster by "
                    "more than 20 %, because the outbox worker sends less on the same 2 cores"
                )
            else:
                verdict = "**slower by more than 20 %: missed**"
            lines.append(
                f"- {label}: p99 with the slow SMTP server {change:+.0f} % against the fast one "
                f"(mean of two rounds each; the two fast rounds differ by {noise:.0f} % between "
                f"themselves): {verdict}."
            )
        lines.append(
            f"- The slow SMTP server had accepted {data['slow_received']} emails by the end; "
            f"{data['queued_total']:,} were queued in all: none was waited for by a request."
        )
    for key, label in (("attendance_single", "Attendance page"), ("csv_single", "CSV export")):
        r = data[key]
        lines.append(
            f"- {label} of the {data['big_signups']}-sign-up webinar, alone (median of 5): "
            f"first byte {r['ttfb']:.0f} ms, last byte {r['total']:.0f} ms, {r['bytes']:,} bytes."
        )
    o, w = data["overbooking"], data["webinar_overbooking"]
    rss = data["rss"]
    lines += [
        "",
        "## Overbooking",
        "",
        f"- Session with {o['seats']} seats, {o['people']} members POST at once across "
        f"{data['workers']} workers: **{o['confirmed']} confirmed, {o['waiting']} waiting**, "
        f"{o['duplicates']} duplicates, waiting-list positions {o['positions']}; HTTP "
        f"statuses {o['statuses']}; {o['seconds']:.1f} s for all of them; at most "
        f"{o['peak_connections']} PostgreSQL connections from the {data['workers']} app "
        "workers meanwhile.",
        f"- Webinar with {w['seats']} seats, {w['people']} guests POST at once: "
        f"**{w['confirmed']} confirmed, {w['waiting']} waiting**; HTTP statuses {w['statuses']}.",
        "",
        "## Memory",
        "",
        "Resident memory of each app worker (sync) after its run: "
        + ", ".join(f"{x:.0f} MB" for x in rss)
        + " (target < 150 MB: "
        + ("met" if rss and max(rss) < 150 else "**missed**")
        + ")."
        + (
            " gthread workers: " + ", ".join(f"{x:.0f} MB" for x in data["rss_gthread"]) + "."
            if data.get("rss_gthread")
            else ""
        ),
    ]
    if data.get("outbox"):
        lines += ["", "## Outbox: two workers, 1,000 emails", "", *data["outbox"]]
    lines += [
        "",
        "## Commands",
        "",
        "```sh",
        "make bench   # = .venv/bin/python bench/run.py",
        *data["commands"],
        "```",
        "",
        NOTES,
    ]
    path.write_text("\n".join(lines) + (notes if notes else "\n"))


def _mixed_section(data: dict) -> list[str]:
    mixed = data.get("mixed")
    if not mixed:
        return []
    hello = mixed["hello_rps"]
    rates = [r for r in mixed["rates"] if r]
    lines = [
        "",
        "## Reads while guests sign up (page cache in Redis, sync workers)",
        "",
        f"Each page under wrk -c{data['connections']} for {data['seconds']} s while guest "
        f"sign-ups to webinar {LANDMARKS['open_webinar_id']} (its seats shown: capacity "
        f"{MIXED_CAPACITY:,}) arrive at a steady rate from 4 client threads on the same "
        f"machine. Hello world in this stage: {mixed['hello_before']:.0f} requests/s before, "
        f"{mixed['hello_after']:.0f} after.",
        "",
        "| page | read only: requests/s (% of hello world) | "
        + " | ".join(f"{r:.0f} sign-ups/s: requests/s (change)" for r in rates)
        + " | sign-ups answered 302 | target |",
        "|---|---:|" + "---:|" * len(rates) + "---:|---|",
    ]
    limits = {10.0: 10, 30.0: 25}
    for name, row in mixed["pages"].items():
        alone = row[0.0]["rps"] if 0.0 in row else None
        cells = [f"{name} (`{row['path']}`)"]
        cells.append(f"{alone:.0f} ({100 * alone / hello:.1f} %)" if alone else "n/a")
        verdicts, answered = [], []
        for rate in rates:
            r = row[rate]
            change = 100 * (r["rps"] - alone) / alone if alone else 0.0
            cells.append(f"{r['rps']:.0f} ({change:+.0f} %)")
            sign = r["signups"]
            answered.append(f"{sign.get('n', 0) - sign.get('errors', 0)}/{sign.get('n', 0)}")
            limit = limits.get(rate)
            if limit is not None:
                ok = -change <= limit
                verdicts.append(f"{rate:.0f}/s ≤ {limit} %: " + ("met" if ok else "**missed**"))
        cells.append(", ".join(answered))
        cells.append("; ".join(verdicts))
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _embedded_section(data: dict) -> list[str]:
    embedded = data.get("embedded")
    if not embedded:
        return []
    lines = [
        "",
        "## The embedded default (SQLite, no Redis)",
        "",
        f"`bench/seed.py --scale {data['scale']}` into a SQLite file, seeded in "
        f"{embedded['seed_seconds']:.1f} s; no PAGE_CACHE_URL. Mail goes to the SMTP server on "
        "loopback: from `flask outbox worker` beside the one process (as `make run`), from each "
        "process's delivery thread (OUTBOX_DELIVERY=background) on several. Hello world under "
        "the same gunicorn settings as each run.",
    ]
    for run in embedded["runs"]:
        g = run["guest"]
        kind = (
            f"{run['workers']} worker × {run['threads']} threads (gthread)"
            if run["worker_class"] == "gthread"
            else f"{run['workers']} sync workers"
        )
        lines += [
            "",
            f"### {run['label']}: gunicorn {kind}, PAGE_CACHE_STORE={run['store']}",
            "",
            *_pages_table(run, data),
            "",
            f"Whole guest webinar sign-up, {g['n']} one after the other: median "
            f"**{g['p50']:.1f} ms**, p99 **{g['p99']:.1f} ms** (target ≤ 20 ms / ≤ 40 ms: "
            + ("met" if g["p50"] <= 20 and g["p99"] <= 40 else "**missed**")
            + ").",
        ]
    return lines


PAGES = [
    # name, path, who, target
    ("home", "/", None, "public"),
    ("trainings catalog", "/trainings/", None, "public"),
    ("catalog, filtered", "/trainings/?q=partenariat&format=online", None, "public"),
    ("course page", f"/trainings/{LANDMARKS['course_slug']}", None, "public"),
    ("webinar series", "/webinars/", None, "public"),
    ("webinar page", f"/webinars/{LANDMARKS['big_webinar_id']}", None, "public"),
    ("magazine", "/magazine/", None, "public"),
    ("testimony", f"/magazine/{LANDMARKS['testimony_id']}", None, "public"),
    ("/me of a busy member", "/me", "busy", None),
    (
        "attendance, 5,000 sign-ups",
        f"/webinars/{LANDMARKS['big_webinar_id']}/attendance",
        "coordinator",
        "attendance",
    ),
    (
        "attendance.csv, 5,000 sign-ups",
        f"/webinars/{LANDMARKS['big_webinar_id']}/attendance.csv",
        "coordinator",
        "attendance",
    ),
]


def run_pages(app_port: int, hello_port: int, pages, args, cookies: dict, workers: int) -> dict:
    """wrk on hello world, then each page, then hello world again (the same gunicorn)."""
    hello_url = f"http://127.0.0.1:{hello_port}/"
    out = {"pages": []}
    log(f"hello world ({hello_port})")
    wrk(hello_url, seconds=2, connections=args.connections)  # warm-up, not counted
    out["hello_before"] = wrk(hello_url, seconds=args.seconds, connections=args.connections)["rps"]
    for name, path, who, target in pages:
        cookie = cookies.get(who)
        if not cookie:  # a public page answers 200 before it is measured
            status, _, _ = Client(app_port).request("GET", path)
            assert status == 200, (path, status)
        log(f"page: {name}")
        # The attendance pages take a while each: 16 connections would only queue behind
        # the workers; one connection per worker.
        connections = workers if target == "attendance" else args.connections
        result = wrk(
            f"http://127.0.0.1:{app_port}{path}",
            seconds=args.seconds,
            connections=connections,
            cookie=cookie,
        )
        settle(app_port)
        out["pages"].append({"name": name, "path": path, "target": target, **result})
    out["hello_after"] = wrk(hello_url, seconds=args.seconds, connections=args.connections)["rps"]
    out["hello_rps"] = (out["hello_before"] + out["hello_after"]) / 2
    return out


def paced_series(port: int, args) -> list[dict]:
    out = []
    for rate in (float(r) for r in args.rates.split(",")):
        log(f"sign-ups at {rate:.0f}/s")
        out.append(
            paced_posts(port, LANDMARKS["open_webinar_id"], rate, args.seconds, args.connections)
        )
        settle(port)
    return out


MIXED_PAGES = [
    # name, path: the webinar people sign up to, then pages that show it, then pages that don't
    ("webinar page (signed up to)", f"/webinars/{LANDMARKS['open_webinar_id']}"),
    ("webinar series", "/webinars/"),
    ("home", "/"),
    ("another webinar's page", f"/webinars/{LANDMARKS['big_webinar_id']}"),
    ("trainings catalog", "/trainings/"),
    ("magazine", "/magazine/"),
]
#: The mixed run's webinar shows its seats left, so that each sign-up changes its pages.
MIXED_CAPACITY = 1_000_000


def _cpu_seconds_by_kind() -> dict[str, float]:
    """CPU time used so far (user + system, from /proc) by every process, summed by kind."""
    tick = os.sysconf("SC_CLK_TCK")
    kinds = {
        "gunicorn": "app (gunicorn workers)",
        "outbox": "outbox worker",
        "smtp_sink": "SMTP server (bench/smtp_sink.py)",
        "postgres": "PostgreSQL",
        "redis": "Redis",
    }
    out: dict[str, float] = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
            cmdline = (proc / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        used = (int(fields[11]) + int(fields[12])) / tick
        if int(proc.name) == os.getpid():
            kind = "load client (this script)"
        else:
            kind = next((k for word, k in kinds.items() if word in cmdline), "everything else")
        out[kind] = out.get(kind, 0.0) + used
    return out


def cpu_per_signup(app_port: int, rate: float = 10.0, seconds: float = 10.0) -> dict:
    """What one guest sign-up costs the machine, by process: paced sign-ups and no reads,
    after a round that warms every worker; then 3 s for the outbox to send their emails."""
    webinar = LANDMARKS["open_webinar_id"]
    paced_posts(app_port, webinar, rate, 4, 4)
    time.sleep(2)
    before, started = _cpu_seconds_by_kind(), time.monotonic()
    result = paced_posts(app_port, webinar, rate, seconds, 4)
    time.sleep(3)
    after, wall = _cpu_seconds_by_kind(), time.monotonic() - started
    used = {k: after[k] - before.get(k, 0.0) for k in after}
    return {"n": result["n"], "rate": rate, "wall": wall, "cpu": used, "p50": result["p50"]}


def _cpu_section(data: dict) -> list[str]:
    cost = data.get("cpu_per_signup")
    if not cost:
        return []
    n = max(1, cost["n"])
    total = sum(cost["cpu"].values())
    lines = [
        "",
        "## What a guest sign-up costs the machine",
        "",
        f"{n} guest sign-ups at {cost['rate']:.0f} a second, no reads, sync workers, the page "
        "cache in Redis; CPU time of each kind of process (/proc), from the first sign-up to "
        "3 s after the last (the outbox sends their emails).",
        "",
        "| process | CPU ms per sign-up |",
        "|---|---:|",
    ]
    for kind, used in sorted(cost["cpu"].items(), key=lambda kv: -kv[1]):
        if used > 0:
            lines.append(f"| {kind} | {1000 * used / n:.1f} |")
    cpus = os.cpu_count() or 1
    share = 100 * 10 * (total / n) / cpus  # of the machine's CPU, at 10 sign-ups a second
    lines.append(f"| **all** | **{1000 * total / n:.1f}** |")
    lines += [
        "",
        f"At 10 sign-ups a second they take {share:.0f} % of the machine's CPU ({cpus} cores), "
        f"at 30 a second {3 * share:.0f} %: every page of the mixed run, even one they never "
        "change, loses about that share of its read-only rate.",
    ]
    return lines


def mixed_run(app_port: int, hello_port: int, engine, args) -> dict:
    """Reads while guests sign up: each page under wrk, while sign-ups to one webinar arrive
    at 0, 10 and 30 a second (bench ``--mixed-rates``) from four client threads."""
    webinar = LANDMARKS["open_webinar_id"]
    with engine.begin() as conn:  # seats shown: every sign-up changes what the page says
        conn.execute(
            sa.text("UPDATE webinars SET capacity = :c WHERE id = :w"),
            {"c": MIXED_CAPACITY, "w": webinar},
        )
    hello_url = f"http://127.0.0.1:{hello_port}/"
    out = {"rates": [float(r) for r in args.mixed_rates.split(",")], "pages": {}}
    try:
        wrk(hello_url, seconds=2, connections=args.connections)
        out["hello_before"] = wrk(hello_url, seconds=args.seconds, connections=args.connections)[
            "rps"
        ]
        for rate in out["rates"]:
            for name, path in MIXED_PAGES:
                Client(app_port).request("GET", path)  # in the cache before the reads start
                log(f"mixed: {name} with {rate:.0f} sign-ups/s")
                signups: dict = {}
                writer = None
                if rate:

                    def sign_up(rate=rate, into=signups):
                        into.update(paced_posts(app_port, webinar, rate, args.seconds + 1, 4))

                    writer = threading.Thread(target=sign_up)
                    writer.start()
                    time.sleep(0.6)  # the writer's clients have their forms; posts begin
                result = wrk(
                    f"http://127.0.0.1:{app_port}{path}",
                    seconds=args.seconds,
                    connections=args.connections,
                )
                if writer:
                    writer.join()
                settle(app_port)
                out["pages"].setdefault(name, {"path": path})[rate] = {
                    **{k: result[k] for k in ("rps", "p50", "p99", "errors")},
                    "signups": signups,
                }
        out["hello_after"] = wrk(hello_url, seconds=args.seconds, connections=args.connections)[
            "rps"
        ]
    finally:
        with engine.begin() as conn:
            conn.execute(
                sa.text("UPDATE webinars SET capacity = NULL WHERE id = :w"), {"w": webinar}
            )
    out["hello_rps"] = (out["hello_before"] + out["hello_after"]) / 2
    return out


def embedded_run(args, env: dict, smtp_port: int) -> dict:
    """The embedded default: SQLite, no Redis.

    Seeded like PostgreSQL; then one process (gunicorn, 1 worker x 4 threads, versions in
    the process) with `flask outbox worker` beside it, as `make run`; several processes
    (sync workers, versions in the database, mail by each process's delivery thread) and
    the same without the page cache, each beside hello world under the same gunicorn
    settings; the guest sign-up journey on each.
    """
    path = Path("/tmp/communaute-bench-embedded.sqlite3")
    for leftover in path.parent.glob(path.name + "*"):
        leftover.unlink()
    url = f"sqlite:///{path}"
    base = {
        **env,
        "DATABASE_URL": url,
        "OUTBOX_DELIVERY": "background",
        "MAIL_PORT": str(smtp_port),
    }
    base.pop("PAGE_CACHE_URL", None)
    subprocess.run([BIN / "flask", "--app", "communaute", "db", "upgrade"], env=base, check=True)
    started = time.monotonic()
    subprocess.run(
        [PYTHON, BENCH / "seed.py", "--scale", args.scale, "--database-url", url],
        env=base,
        check=True,
    )
    out = {"seed_seconds": time.monotonic() - started, "runs": []}
    workers = 2 * (os.cpu_count() or 1)
    public = [p for p in PAGES if p[3] == "public"]
    # The first is `make run`'s shape: one web process, its outbox worker beside it.
    setups = [
        (
            "one process and its outbox worker (as make run), versions in the process",
            "process",
            1,
            "gthread",
            args.threads,
        ),
        ("several processes, versions in the database", "database", workers, "sync", 1),
        ("several processes, no page cache", "off", workers, "sync", 1),
    ]
    for label, store, count, worker_class, threads in setups:
        log(f"embedded: {label}")
        kind = {"worker_class": worker_class, "threads": threads}
        app_env = {**base, "PAGE_CACHE_STORE": store}
        outbox = None
        if store == "process":
            app_env["OUTBOX_DELIVERY"] = "worker"
            outbox = subprocess.Popen(
                ["nice", "-n", "10", BIN / "flask", "--app", "communaute"]
                + ["outbox", "worker", "--interval", "1"],
                env=app_env,
                stdout=subprocess.DEVNULL,
            )
        app = Server("app-embedded", "wsgi:app", APP_PORT, count, app_env, **kind)
        hello = Server("hello-embedded", "hello:app", HELLO_PORT, count, base, **kind)
        app.start()
        hello.start()
        try:
            run = run_pages(APP_PORT, HELLO_PORT, public, args, {}, count)
            log("embedded: guest sign-up journey")
            run["guest"] = guest_signups(APP_PORT, LANDMARKS["open_webinar_id"], 200)
        finally:
            app.stop()
            hello.stop()
            if outbox is not None:
                outbox.terminate()
                outbox.wait(10)
        out["runs"].append({"label": label, "store": store, "workers": count, **kind, **run})
    return out


def queued_emails(engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(sa.text("SELECT count(*) FROM outbox_messages"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Load benchmark (see bench/run.py).")
    parser.add_argument("--scale", default="large", choices=["small", "large"])
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per page")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument(
        "--rates", default="50,100,150", help="paced sign-ups per second (comma-separated)"
    )
    parser.add_argument(
        "--mixed-rates", default="0,10,30", help="sign-ups per second during the mixed reads"
    )
    parser.add_argument("--skip-embedded", action="store_true", help="no SQLite run")
    parser.add_argument("--skip-smtp-rounds", action="store_true", help="no slow-SMTP rounds")
    parser.add_argument("--skip-gthread", action="store_true", help="no gthread run")
    parser.add_argument(
        "--quiesce", type=float, default=90.0, help="longest wait for an idle CPU between stages"
    )
    parser.add_argument("--reuse-db", action="store_true", help="keep the seeded database")
    parser.add_argument("--skip-outbox", action="store_true", help="no outbox bench")
    parser.add_argument("--output", default=str(BENCH / "RESULTS.md"))
    parser.add_argument(
        "--only-mixed",
        action="store_true",
        help="only the mixed run, printed (RESULTS.md untouched): a quick before/after",
    )
    args = parser.parse_args(argv)
    global QUIESCE_LIMIT
    QUIESCE_LIMIT = args.quiesce
    if not shutil.which("wrk"):
        print("wrk is missing: apt-get install -y wrk")
        return 1
    import redis

    try:
        redis.Redis.from_url(PAGE_CACHE_URL, socket_connect_timeout=2).ping()
    except redis.RedisError:
        print(
            "Redis does not answer on 127.0.0.1:6379 (the page cache needs it): "
            "redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save ''"
        )
        return 1
    workers = 2 * (os.cpu_count() or 1)
    fast_smtp, slow_smtp = SmtpSink(8825), SmtpSink(8826, delay=2.0)
    env = {
        **os.environ,
        "DATABASE_URL": DB_URL,
        "SECRET_KEY": SECRET,
        "COMMUNAUTE_ENV": "production",
        "OUTBOX_DELIVERY": "worker",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(fast_smtp.port),
        "RATELIMIT_ENABLED": "0",
        "PAGE_CACHE_URL": PAGE_CACHE_URL,
        "PAGE_CACHE_KEY": f"bench:pages:{time.time_ns()}",
        "PYTHONPATH": str(ROOT),
    }
    data = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        # Other work on the machine skews every figure: the load before and after says so.
        "load_before": os.getloadavg()[0],
        "scale": args.scale,
        "workers": workers,
        "threads": args.threads,
        "connections": args.connections,
        "seconds": args.seconds,
        "machine": machine(),
        "seed_seconds": 0.0,
        "commands": [
            f"flask db upgrade                      # DATABASE_URL={DB_URL}",
            f"python bench/seed.py --scale {args.scale} --database-url {DB_URL}",
            f"python bench/smtp_sink.py {fast_smtp.port}                 # and --delay 2 on "
            f"{slow_smtp.port}",
            f"gunicorn --workers {workers} --worker-class sync --bind 127.0.0.1:{APP_PORT} "
            "--chdir bench wsgi:app",
            "nice -n 10 flask --app communaute outbox worker --interval 1   # OUTBOX_DELIVERY=worker",
            f"gunicorn --workers {workers} --worker-class sync --bind 127.0.0.1:{HELLO_PORT} "
            "--chdir bench hello:app",
            f"gunicorn --workers {workers} --worker-class gthread --threads {args.threads} ... "
            "(both again)",
            f"wrk -t2 -c{args.connections} -d{args.seconds}s --latency --timeout 30s "
            f"[-H 'Cookie: session=...'] http://127.0.0.1:{APP_PORT}/PATH",
            "python bench/outbox_bench.py          # two outbox workers, 1,000 emails",
        ],
    }
    if not args.reuse_db:
        log("database: create, migrate, seed")
        data["seed_seconds"] = prepare_database(args.scale, env)
    engine = sa.create_engine(DB_URL)
    with engine.connect() as conn:
        tokens = dict(
            conn.execute(
                sa.text("SELECT email, session_token FROM users WHERE email IN (:a, :b)"),
                {"a": LANDMARKS["busy_email"], "b": LANDMARKS["coordinator_email"]},
            ).all()
        )
        data["big_signups"] = conn.scalar(
            sa.text("SELECT count(*) FROM webinar_signups WHERE webinar_id = :w"),
            {"w": LANDMARKS["big_webinar_id"]},
        )
    cookies = {
        "busy": "session=" + signed_session(tokens[LANDMARKS["busy_email"]]),
        "coordinator": "session=" + signed_session(tokens[LANDMARKS["coordinator_email"]]),
    }
    public = [p for p in PAGES if p[3] == "public"]
    fast_smtp.start()
    slow_smtp.start()
    servers = []
    outbox = OutboxWorker(env, fast_smtp.port)
    outbox.start()

    def serve(*a, **kw) -> Server:
        server = Server(*a, **kw)
        servers.append(server)
        server.start()
        return server

    try:
        quiesce(engine)
        # 1. sync workers, the page cache on: every page, POSTs, overbooking.
        app = serve("app", "wsgi:app", APP_PORT, workers, env)
        hello = serve("hello", "hello:app", HELLO_PORT, workers, env)
        if args.only_mixed:
            data["mixed"] = mixed_run(APP_PORT, HELLO_PORT, engine, args)
            data["cpu_per_signup"] = cpu_per_signup(APP_PORT)
            print("\n".join(_mixed_section(data) + _cpu_section(data)))
            return 0
        data["sync"] = run_pages(APP_PORT, HELLO_PORT, PAGES, args, cookies, workers)
        quiesce(engine)
        log("mixed: reads while guests sign up")
        data["mixed"] = mixed_run(APP_PORT, HELLO_PORT, engine, args)
        log("CPU per guest sign-up")
        data["cpu_per_signup"] = cpu_per_signup(APP_PORT)
        quiesce(engine)
        log("heavy coordinator pages, alone")
        big = LANDMARKS["big_webinar_id"]
        data["attendance_single"] = first_byte(
            APP_PORT, f"/webinars/{big}/attendance", cookies["coordinator"]
        )
        data["csv_single"] = first_byte(
            APP_PORT, f"/webinars/{big}/attendance.csv", cookies["coordinator"]
        )
        log("guest sign-up journey")
        data["guest"] = guest_signups(APP_PORT, LANDMARKS["open_webinar_id"], 200)
        log("POSTs at 16 clients")
        data["concurrent"] = concurrent_posts(
            APP_PORT, LANDMARKS["open_webinar_id"], args.connections, 25
        )
        settle(APP_PORT)
        data["registrations"] = registration_posts(APP_PORT, engine, args.connections, 25)
        settle(APP_PORT)
        data["paced"] = paced_series(APP_PORT, args)
        log("overbooking")
        data["overbooking"] = overbooking(APP_PORT, engine)
        data["webinar_overbooking"] = webinar_overbooking(APP_PORT, engine)
        data["rss"] = app.worker_rss_mb()
        app.stop()

        quiesce(engine)
        # 2. The same app without the page cache: public pages only (before / after).
        log("public pages without the page cache")
        nocache = {**env, "PAGE_CACHE_URL": "", "PAGE_CACHE_STORE": "off"}
        app = serve("app-nocache", "wsgi:app", APP_PORT, workers, nocache)
        data["sync_nocache"] = run_pages(APP_PORT, HELLO_PORT, public, args, cookies, workers)
        app.stop()
        hello.stop()

        if not args.skip_smtp_rounds:
            quiesce(engine)
            # 3. The POSTs in turns with a fast and a slow (2 s per message) SMTP server behind
            # the outbox worker, same app server: A B A B, so that run-to-run noise shows too.
            log("POSTs, fast and slow SMTP in turns")
            app = serve("app-smtp", "wsgi:app", APP_PORT, workers, env)
            rounds = []
            for sink in (fast_smtp, slow_smtp, fast_smtp, slow_smtp):
                outbox.stop()
                outbox = OutboxWorker(env, sink.port)
                outbox.start()
                log(f"round {len(rounds) + 1}: SMTP {sink.delay:.0f} s per message")
                r = {"delay": sink.delay}
                r["concurrent"] = concurrent_posts(
                    APP_PORT, LANDMARKS["open_webinar_id"], args.connections, 25
                )
                settle(APP_PORT)
                r["registrations"] = registration_posts(APP_PORT, engine, args.connections, 25)
                settle(APP_PORT)
                r["paced"] = paced_posts(
                    APP_PORT, LANDMARKS["open_webinar_id"], 100, args.seconds, args.connections
                )
                settle(APP_PORT)
                rounds.append(r)
            data["smtp_rounds"] = rounds
            data["slow_received"] = slow_smtp.received()
            data["queued_total"] = queued_emails(engine)
            app.stop()
            outbox.stop()

        if not args.skip_gthread:
            quiesce(engine)
            # 4. gthread workers: the pages again.
            log("gthread workers")
            gthread = {"worker_class": "gthread", "threads": args.threads}
            app = serve("app-gthread", "wsgi:app", APP_PORT, workers, env, **gthread)
            hello = serve("hello-gthread", "hello:app", HELLO_PORT, workers, env, **gthread)
            pages = [p for p in PAGES if p[3] != "attendance"]
            data["gthread"] = run_pages(APP_PORT, HELLO_PORT, pages, args, cookies, workers)
            data["rss_gthread"] = app.worker_rss_mb()
        app.stop()
        hello.stop()
        outbox.stop()
        if not args.skip_embedded:
            quiesce(engine)
            data["embedded"] = embedded_run(args, env, fast_smtp.port)
    finally:
        for server in servers:
            server.stop()
        outbox.stop()
        fast_smtp.stop()
        slow_smtp.stop()
        engine.dispose()
    if not args.skip_outbox:
        log("outbox: two workers, 1,000 emails")
        try:
            from bench import outbox_bench

            result = outbox_bench.run()
            data["outbox"] = outbox_bench.markdown(result)
        except ImportError:
            data["outbox"] = ["- bench/outbox_bench.py is missing: not run."]
    data["load_after"] = os.getloadavg()[0]
    write_results(Path(args.output), data)
    log(f"wrote {args.output}")
    ok = data["overbooking"]["confirmed"] == 20 and data["overbooking"]["waiting"] == 180
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
