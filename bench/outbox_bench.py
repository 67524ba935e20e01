"""The outbox under load, and through an SMTP outage. Run by hand, never in CI.

    python bench/outbox_bench.py    # prints Markdown bullet points (for bench/RESULTS.md)

Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth): it creates a database named
``bench_outbox``, migrates it (``flask db upgrade``) and drops it at the end. About a minute.

Two scenarios, 1,000 emails each, queued with ``queue_email()`` as the app queues them (the
account-confirmation email, two thirds in French, one third in English, each with its own
link), then delivered by two ``flask outbox worker`` processes (COMMUNAUTE_ENV=production)
to an aiosmtpd server on loopback that records every message it accepts:

- baseline: the SMTP server is up all along;
- outage: nothing listens on the SMTP port for the first 10 s after the workers start, then
  the server comes up on that port.

Reported for each: emails queued, delivered (rows marked sent), messages received, distinct
Message-IDs and recipients, duplicates and undelivered (both must be 0), failed, the most
attempts any email used, seconds from the moment the SMTP server was up (workers started,
in the baseline) to the first message received (that is the workers' outage backoff) and
to the last, the rate over that time, how many emails
each worker says it sent and how often it found the server down. ``run()`` returns it all,
``markdown()`` turns it into bullet points; the exit status is 1 on any duplicate or
undelivered email.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from pathlib import Path
from types import SimpleNamespace

import sqlalchemy as sa
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DB_NAME = "bench_outbox"
DB_URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{DB_NAME}"
SECRET = "bench-secret-key-not-for-production-0123456789"
BIN = Path(sys.executable).parent
EMAILS = 1000
WORKERS = 2
OUTAGE_SECONDS = 10.0
#: `flask outbox worker --outage-backoff FIRST LONGEST` (production default: 2 then 60).
OUTAGE_BACKOFF = (0.5, 4.0)
#: The worker's --interval: how long it sleeps when nothing is due.
INTERVAL = 1.0
#: Longest wait for the outbox to empty once the server is up.
DRAIN_TIMEOUT = 180.0


def log(msg: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {msg}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """The SMTP server's handler: when each message arrived, to whom, with which Message-ID."""

    def __init__(self):
        self.lock = threading.Lock()
        self.received: list[tuple[float, tuple[str, ...], str | None]] = []
        self.parser = BytesHeaderParser(policy=default_policy)

    async def handle_DATA(self, server, session, envelope):
        headers = self.parser.parsebytes(envelope.original_content or envelope.content)
        with self.lock:
            self.received.append(
                (time.monotonic(), tuple(envelope.rcpt_tos), headers["Message-ID"])
            )
        return "250 OK"


# Database ---------------------------------------------------------------------------------


def create_database(env: dict) -> None:
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)"))
        conn.execute(sa.text(f"CREATE DATABASE {DB_NAME}"))
    admin.dispose()
    subprocess.run(
        [BIN / "flask", "--app", "communaute", "db", "upgrade"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )


def drop_database() -> None:
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)"))
    admin.dispose()


def queue_emails(app, scenario: str, count: int) -> tuple[list[str], float]:
    """Empties the outbox, then queues ``count`` confirmation emails in one transaction.
    Returns the addresses and the seconds it took."""
    from communaute.email import public_url, queue_email
    from communaute.extensions import db

    addresses = [f"bench-{scenario}-{i}@exemple.ca" for i in range(count)]
    with app.app_context():
        db.session.execute(sa.text("TRUNCATE outbox_messages RESTART IDENTITY"))
        db.session.commit()
        started = time.perf_counter()
        for i, address in enumerate(addresses):
            queue_email(
                kind="auth.confirm",
                to=address,
                language="en" if i % 3 == 0 else "fr",
                template="auth/emails/confirm",
                user=SimpleNamespace(display_name=f"Personne {i}"),
                link=public_url("auth.confirm", token=secrets.token_urlsafe(32)),
            )
        db.session.commit()
        seconds = time.perf_counter() - started
        db.session.remove()
    return addresses, seconds


def outbox_state(engine) -> dict:
    with engine.connect() as conn:
        states = dict(
            conn.execute(
                sa.text("SELECT state, count(*) FROM outbox_messages GROUP BY state")
            ).all()
        )
        attempts = conn.scalar(sa.text("SELECT coalesce(max(attempts), 0) FROM outbox_messages"))
    return {"states": states, "max_attempts": attempts}


# Workers ----------------------------------------------------------------------------------


def start_workers(env: dict, logs: Path) -> list[tuple[subprocess.Popen, Path]]:
    cmd = [
        str(BIN / "flask"),
        "--app",
        "communaute",
        "outbox",
        "worker",
        "--interval",
        f"{INTERVAL:g}",
        "--outage-backoff",
        f"{OUTAGE_BACKOFF[0]:g}",
        f"{OUTAGE_BACKOFF[1]:g}",
    ]
    workers = []
    for k in range(WORKERS):
        out = logs / f"worker-{k}.out"
        with out.open("wb") as stdout, (logs / f"worker-{k}.err").open("wb") as stderr:
            proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=stdout, stderr=stderr)
        workers.append((proc, out))
    return workers


def stop_workers(workers) -> None:
    for proc, _ in workers:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc, _ in workers:
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def worker_report(out: Path) -> dict:
    text = out.read_text()
    return {
        "sent": sum(int(n) for n in re.findall(r"(\d+) envoyé\(s\)", text)),
        "found_down": text.count("Serveur SMTP injoignable"),
    }


# One scenario -----------------------------------------------------------------------------


def scenario(name: str, down_for: float, app, engine, base_env: dict, logs: Path) -> dict:
    log(f"{name}: queueing {EMAILS} emails")
    addresses, queue_seconds = queue_emails(app, name, EMAILS)
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    env = {**base_env, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(port)}
    workers = start_workers(env, logs)
    started = time.monotonic()
    timed_out = False
    try:
        if down_for:
            log(f"{name}: SMTP server down for {down_for:g} s, {WORKERS} workers started")
            time.sleep(down_for)
        before_up = outbox_state(engine)
        controller.start()
        up = time.monotonic()
        log(f"{name}: SMTP server up on port {port}")
        deadline = up + DRAIN_TIMEOUT
        while True:
            states = outbox_state(engine)["states"]
            if not states.get("pending") and not states.get("sending"):
                break
            if time.monotonic() > deadline:
                timed_out = True
                break
            if any(proc.poll() is not None for proc, _ in workers):
                raise RuntimeError(f"a worker exited, see {logs}")
            time.sleep(0.1)
        time.sleep(1.0)  # a duplicate would arrive right behind
    finally:
        stop_workers(workers)
        controller.stop()
    after = outbox_state(engine)
    with inbox.lock:
        received = list(inbox.received)
    per_recipient = Counter(r for _, rcpts, _ in received for r in rcpts)
    message_ids = {mid for _, _, mid in received}
    first = min((at for at, _, _ in received), default=up)
    last = max((at for at, _, _ in received), default=up)
    seconds = last - up
    reports = [worker_report(out) for _, out in workers]
    result = {
        "name": name,
        "down_for": down_for,
        "queued": len(addresses),
        "queue_ms_per_email": 1000 * queue_seconds / len(addresses),
        "delivered": after["states"].get("sent", 0),
        "received": len(received),
        "distinct_message_ids": len(message_ids),
        "distinct_recipients": len(per_recipient),
        "duplicates": sum(n - 1 for n in per_recipient.values()),
        "undelivered": sum(1 for a in addresses if a not in per_recipient),
        "failed": after["states"].get("failed", 0),
        "left_pending": after["states"].get("pending", 0) + after["states"].get("sending", 0),
        "max_attempts": after["max_attempts"],
        "attempts_while_down": before_up["max_attempts"],
        "seconds": seconds,
        "first_after": first - up,
        "since_workers_started": last - started,
        "rate": len(received) / seconds if seconds > 0 else 0.0,
        "per_worker": [r["sent"] for r in reports],
        "found_down": [r["found_down"] for r in reports],
        "timed_out": timed_out,
    }
    log(
        f"{name}: {result['received']} received, {result['duplicates']} duplicates, "
        f"{result['undelivered']} undelivered in {seconds:.1f} s"
    )
    return result


def run() -> dict:
    """Both scenarios on a fresh database (dropped at the end); returns the measurements."""
    from communaute import create_app

    env = {
        **os.environ,
        "DATABASE_URL": DB_URL,
        "SECRET_KEY": SECRET,
        "COMMUNAUTE_ENV": "production",
        "OUTBOX_DELIVERY": "worker",
        "PYTHONPATH": str(ROOT),
    }
    result = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_before": os.getloadavg()[0],
        "cores": os.cpu_count(),
        "emails": EMAILS,
        "workers": WORKERS,
        "outage_backoff": OUTAGE_BACKOFF,
        "interval": INTERVAL,
        "scenarios": [],
    }
    log(f"database {DB_NAME}: create, migrate")
    create_database(env)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": DB_URL,
            "SECRET_KEY": SECRET,
            "COMMUNAUTE_ENV": "production",
            "OUTBOX_DELIVERY": "worker",
            "COMMUNAUTE_PUBLIC_URL": "https://communaute.example",
        }
    )
    engine = sa.create_engine(DB_URL)
    try:
        with tempfile.TemporaryDirectory(prefix="outbox-bench-") as tmp:
            for name, down_for in (("baseline", 0.0), ("outage", OUTAGE_SECONDS)):
                logs = Path(tmp) / name
                logs.mkdir()
                result["scenarios"].append(scenario(name, down_for, app, engine, env, logs))
    finally:
        engine.dispose()
        with app.app_context():
            from communaute.extensions import db

            db.engine.dispose()
        drop_database()
    result["load_after"] = os.getloadavg()[0]
    return result


def _n(value: int) -> str:
    return f"{value:,}"


def markdown(result: dict) -> list[str]:
    """Bullet points for bench/RESULTS.md."""
    low, high = result["outage_backoff"]
    lines = [
        f"- Outbox ({result['date']}; 1-minute load average {result['load_before']:.2f} before, "
        f"{result['load_after']:.2f} after, on {result['cores']} cores): "
        f"`bench/outbox_bench.py`, {_n(result['emails'])} confirmation emails queued with "
        f"`queue_email()` into PostgreSQL, {result['workers']} `flask outbox worker "
        f"--interval {result['interval']:g} --outage-backoff {low:g} {high:g}` processes, an "
        "aiosmtpd server on 127.0.0.1 recording each message",
    ]
    for s in result["scenarios"]:
        if s["down_for"]:
            title = f"SMTP server down for the first {s['down_for']:g} s"
            clock = "after the server came up"
        else:
            title = "SMTP server up all along"
            clock = "after the workers started (process start included)"
        workers = " + ".join(_n(n) for n in s["per_worker"])
        line = (
            f"- {title}: {_n(s['queued'])} queued ({s['queue_ms_per_email']:.1f} ms each), "
            f"{_n(s['delivered'])} marked sent, {_n(s['received'])} received "
            f"({_n(s['distinct_message_ids'])} distinct Message-IDs, "
            f"{_n(s['distinct_recipients'])} distinct recipients): "
            f"**{s['duplicates']} duplicates, {s['undelivered']} undelivered**, "
            f"{s['failed']} failed, {s['left_pending']} left pending; first message "
            f"{s['first_after']:.1f} s and last {s['seconds']:.1f} s {clock}, "
            f"{s['rate']:.0f} emails/s; "
            f"per worker {workers}; at most {s['max_attempts']} attempt(s) per email"
        )
        if s["down_for"]:
            tries = " and ".join(str(n) for n in s["found_down"])
            line += (
                f" ({s['attempts_while_down']} while the server was down: the outage "
                f"counted nothing); the workers found the server down {tries} times"
            )
        if s["timed_out"]:
            line += f"; **timed out** after {DRAIN_TIMEOUT:g} s"
        lines.append(line)
    return lines


if __name__ == "__main__":
    data = run()
    print("\n".join(markdown(data)))
    bad = any(s["duplicates"] or s["undelivered"] for s in data["scenarios"])
    sys.exit(1 if bad else 0)
