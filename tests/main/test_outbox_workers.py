"""Two `flask outbox worker` processes share one queue: every email leaves exactly once."""

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from communaute.email import OutboxMessage, OutboxState, queue_email
from communaute.extensions import db

ROOT = Path(__file__).resolve().parents[2]


def test_two_worker_processes_deliver_each_email_exactly_once(app, database_url, mailbox, pg_only):
    for n in range(300):
        queue_email(
            kind="test.bulk",
            to=f"personne{n}@exemple.ca",
            language="fr",
            template="auth/emails/deleted",
        )
    db.session.commit()
    env = {
        **os.environ,
        "FLASK_APP": "communaute",
        "COMMUNAUTE_ENV": "production",
        "SECRET_KEY": "x" * 32,
        "DATABASE_URL": database_url,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(mailbox.port),
        "OUTBOX_DELIVERY": "worker",
    }
    flask = str(Path(sys.executable).parent / "flask")
    workers = [
        subprocess.Popen(
            [flask, "outbox", "worker", "--once", "--interval", "0.1"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    outputs = [w.communicate(timeout=120) for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs
    said = [o[0].decode() for o in outputs]
    assert all("en échec" in line and " 0 en échec" in line for line in said if line), said
    messages = mailbox.wait_for(300, timeout=30)
    per_address = Counter(m["To"] for m in messages)
    assert len(per_address) == 300
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
