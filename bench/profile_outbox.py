"""What the outbox worker spends per email: webinar confirmations (with their .ics) delivered
by ``deliver_due()`` in this process to ``bench/smtp_sink.py`` in another, profiled with
pyinstrument.

    python bench/profile_outbox.py [--database-url URL] [--rounds 4] [--profile FILE]

Needs a seeded database (``make bench`` leaves one: PostgreSQL database ``bench``; webinar 2
is the open one). Each round signs up 100 guests, commits, then times one ``deliver_due()``:
CPU and wall clock of this process per email. The first round warms up and is not counted.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bench.run import DB_URL  # noqa: E402
from bench.seed import LANDMARKS  # noqa: E402

SINK_PORT = 8827


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DB_URL)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--profile", help="file for the pyinstrument text profile of a round")
    args = parser.parse_args(argv)
    sink = subprocess.Popen([sys.executable, str(ROOT / "bench" / "smtp_sink.py"), str(SINK_PORT)])
    time.sleep(1.0)
    from bench.profile_posts import make_app
    from communaute.email import deliver_due
    from communaute.extensions import db
    from communaute.webinars import services
    from communaute.webinars.models import Webinar

    app = make_app(
        args.database_url, PAGE_CACHE_STORE="off", MAIL_SERVER="127.0.0.1", MAIL_PORT=SINK_PORT
    )
    profiler = None
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
    cpu, wall = [], []
    try:
        with app.test_request_context():
            db.session.execute(sa.text("DELETE FROM outbox_messages"))
            db.session.commit()
            for n in range(args.rounds):
                webinar = db.session.get(Webinar, LANDMARKS["open_webinar_id"])
                for i in range(100):
                    email = f"outbox-{n}-{i}-{time.time_ns()}@exemple.ca"
                    services.sign_up_guest(webinar, email=email, name="Invitée")
                db.session.commit()
                last = n == args.rounds - 1
                if profiler and last:
                    profiler.start()
                started, started_cpu = time.perf_counter(), time.process_time()
                run = deliver_due()
                spent_cpu, spent = time.process_time() - started_cpu, time.perf_counter() - started
                if profiler and last:
                    profiler.stop()
                assert run.sent == 100 and run.outage is None, run
                if n:
                    cpu.append(spent_cpu * 1000 / run.sent)
                    wall.append(spent * 1000 / run.sent)
    finally:
        sink.terminate()
    print(
        f"outbox, {len(cpu)} rounds of 100 webinar confirmations: CPU of this process "
        f"{statistics.median(cpu):.2f} ms per email (median of rounds), wall "
        f"{statistics.median(wall):.2f} ms"
    )
    if profiler:
        Path(args.profile).write_text(profiler.output_text(show_all=False))
        print(f"  profile: {args.profile}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
