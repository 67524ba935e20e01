"""What the delivery thread costs the embedded default's guest journey, in one process.

    python bench/embedded_delivery.py [--rounds 3] [--count 200]

Seeds (once) a SQLite file like the embedded run of bench/run.py, then, in interleaved
rounds, serves it with gunicorn (1 worker x 4 threads, gthread, PAGE_CACHE_STORE=process)
three times: mail sent by the process's own delivery thread (OUTBOX_DELIVERY=background);
mail delivered by `flask outbox worker --interval 1` in another process beside it, at
nice 10 (OUTBOX_DELIVERY=worker, "beside"); mail left queued (OUTBOX_DELIVERY=worker and no
worker running, "queued": the journey alone). Each time it
warms up with 30 journeys, then times ``count`` whole guest sign-ups one after the other
(GET the page, POST, follow the redirect) and prints their median and p99.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import run as bench  # noqa: E402
from bench.seed import LANDMARKS  # noqa: E402

DATABASE = Path("/tmp/communaute-bench-delivery.sqlite3")
APP_PORT, SMTP_PORT = 8850, 8845


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args(argv)
    url = f"sqlite:///{DATABASE}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": bench.SECRET,
        "COMMUNAUTE_ENV": "production",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(SMTP_PORT),
        "RATELIMIT_ENABLED": "0",
        "PYTHONPATH": str(ROOT),
        "PAGE_CACHE_STORE": "process",
    }
    env.pop("PAGE_CACHE_URL", None)
    if not DATABASE.exists():
        subprocess.run(
            [bench.BIN / "flask", "--app", "communaute", "db", "upgrade"],
            env=env,
            check=True,
            cwd=ROOT,
        )
        subprocess.run(
            [bench.PYTHON, ROOT / "bench" / "seed.py", "--scale", "large", "--database-url", url],
            env=env,
            check=True,
        )
    smtp = bench.SmtpSink(SMTP_PORT)
    smtp.start()
    try:
        for n in range(args.rounds):
            for label in ("background", "beside", "queued"):
                delivery = "background" if label == "background" else "worker"
                app_env = {**env, "OUTBOX_DELIVERY": delivery}
                app = bench.Server(
                    "delivery", "wsgi:app", APP_PORT, 1, app_env, worker_class="gthread", threads=4
                )
                worker = None
                if label == "beside":
                    worker = subprocess.Popen(
                        ["nice", "-n", "10", bench.BIN / "flask", "--app", "communaute"]
                        + ["outbox", "worker", "--interval", "1"],
                        env=app_env,
                        cwd=ROOT,
                        stdout=subprocess.DEVNULL,
                    )
                app.start()
                try:
                    bench.guest_signups(APP_PORT, LANDMARKS["open_webinar_id"], 30)
                    r = bench.guest_signups(APP_PORT, LANDMARKS["open_webinar_id"], args.count)
                finally:
                    app.stop()
                    if worker is not None:
                        worker.terminate()
                        worker.wait(10)
                print(
                    f"round {n} {label:10s} median {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms",
                    flush=True,
                )
    finally:
        smtp.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
