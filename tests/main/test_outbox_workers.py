"""Two `flask outbox worker` processes share one queue: every email leaves exactly once,
also when the SMTP server is down as they start and comes back a few seconds later."""

import os
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from communaute.email import OutboxMessage, OutboxState, _claim, queue_email
from communaute.extensions import db
from tests.main.test_outbox_outage import LateSmtp

ROOT = Path(__file__).resolve().parents[2]


def queue_bulk(n: int) -> list[str]:
    addresses = [f"personne{i}@exemple.ca" for i in range(n)]
    for to in addresses:
        queue_email(kind="test.bulk", to=to, language="fr", template="auth/emails/deleted")
    db.session.commit()
    return addresses


def start_workers(database_url: str, smtp_port: int, *args: str) -> list[subprocess.Popen]:
    env = {
        **os.environ,
        "FLASK_APP": "communaute",
        "COMMUNAUTE_ENV": "production",
        "SECRET_KEY": "x" * 32,
        "DATABASE_URL": database_url,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_port),
        "OUTBOX_DELIVERY": "worker",
        "PYTHONUNBUFFERED": "1",  # each line as it is said
    }
    flask = str(Path(sys.executable).parent / "flask")
    return [
        subprocess.Popen(
            [flask, "outbox", "worker", "--once", "--interval", "0.1", *args],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]


def finish(workers: list[subprocess.Popen]) -> list[str]:
    outputs = [w.communicate(timeout=120) for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs
    return [o[0].decode() for o in outputs]


def assert_each_once_and_all_sent(box, addresses, attempts=1):
    messages = box.wait_for(len(addresses), timeout=30)
    per_address = Counter(m["To"] for m in messages)
    assert per_address.keys() == set(addresses)
    assert set(per_address.values()) == {1}, "no email twice"
    db.session.expire_all()
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.state != OutboxState.sent)
        )
        == 0
    )
    assert set(db.session.scalars(select(OutboxMessage.attempts))) == {attempts}


def test_two_worker_processes_deliver_each_email_exactly_once(app, database_url, mailbox, pg_only):
    addresses = queue_bulk(300)
    said = finish(start_workers(database_url, mailbox.port))
    assert all("en échec" in out and " 0 en échec" in out for out in said if out), said
    assert_each_once_and_all_sent(mailbox, addresses)


def test_concurrent_claims_take_at_most_their_chunk_and_never_the_same_row(app, pg_only):
    queue_bulk(300)
    barrier = threading.Barrier(2)
    claims = [[], []]

    def claimer(k):
        with app.app_context():
            barrier.wait()
            while rows := _claim(limit=10):
                claims[k].append([row.id for row in rows])
            db.session.remove()

    threads = [threading.Thread(target=claimer, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    chunks = claims[0] + claims[1]
    assert max(len(chunk) for chunk in chunks) <= 10
    taken = [i for chunk in chunks for i in chunk]
    assert len(taken) == len(set(taken)) == 300
    assert claims[0] and claims[1], "both senders got work"


@pytest.fixture
def late_smtp():
    box = LateSmtp()
    yield box
    box.stop()


def test_two_workers_wait_out_an_smtp_outage_then_deliver_each_email_once(
    app, database_url, late_smtp, pg_only
):
    addresses = queue_bulk(300)
    workers = start_workers(database_url, late_smtp.port, "--outage-backoff", "0.2", "1")
    # The server comes back once both workers have said it is down (however slowly they start).
    said, logged = [[], []], [[], []]
    saw_outage = [threading.Event(), threading.Event()]

    def read(k):
        for line in workers[k].stdout:
            said[k].append(line.decode())
            if "Serveur SMTP injoignable" in said[k][-1]:
                saw_outage[k].set()

    def read_log(k):
        logged[k].extend(line.decode() for line in workers[k].stderr)

    readers = [threading.Thread(target=f, args=(k,)) for k in range(2) for f in (read, read_log)]
    for reader in readers:
        reader.start()
    try:
        assert all(seen.wait(60) for seen in saw_outage), (said, logged)
        late_smtp.start()
        for w in workers:
            w.wait(timeout=120)
    finally:
        for w in workers:
            w.kill()
        for reader in readers:
            reader.join(10)
    assert [w.returncode for w in workers] == [0, 0], (said, logged)
    said = ["".join(lines) for lines in said]
    assert all(
        " 0 en échec" in line for out in said for line in out.splitlines() if "envoy" in line
    )
    assert_each_once_and_all_sent(late_smtp, addresses, attempts=1)  # the outage counted nothing
