"""CPU cost of the public pages, in process, without the page cache (issue 15, "Rendering").

Builds the app the way bench/wsgi.py does under bench/run.py (COMMUNAUTE_ENV=production, a
SECRET_KEY, RATELIMIT_ENABLED=0, PAGE_CACHE_STORE=off, the outbox left to a worker), then, with
Flask's test client as an anonymous visitor, GETs each page a few times to warm up and N times
timed, in several rounds; prints the mean milliseconds per request (wall clock, CPU) of the best round per page.

    python bench/profile_pages.py --database-url sqlite:////tmp/render.sqlite3
    python bench/profile_pages.py --database-url postgresql+psycopg://... --profile bench/profiles/after

With ``--profile DIR`` each page is also run under pyinstrument: DIR/<page>.txt (text, kept in
git) and DIR/<page>.html. The database must be seeded first (bench/seed.py --scale large).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.seed import LANDMARKS  # noqa: E402

SECRET = "bench-secret-key-not-for-production-0123456789"
PUBLIC_URL = "http://127.0.0.1:8811"

PAGES = [
    ("home", "/"),
    ("catalog", "/trainings/"),
    ("series", "/webinars/"),
    ("magazine", "/magazine/"),
    ("course", f"/trainings/{LANDMARKS['course_slug']}"),
    ("webinar", f"/webinars/{LANDMARKS['big_webinar_id']}"),
    ("testimony", f"/magazine/{LANDMARKS['testimony_id']}"),
    ("catalog-en", "/trainings/?lang=en"),
]


def build_app(database_url: str):
    os.environ.update(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": SECRET,
            "COMMUNAUTE_ENV": "production",
            "COMMUNAUTE_PUBLIC_URL": PUBLIC_URL,
            "OUTBOX_DELIVERY": "worker",
            "RATELIMIT_ENABLED": "0",
            "PAGE_CACHE_URL": "",
            "PAGE_CACHE_STORE": "off",  # every visit rendered: what is profiled
        }
    )
    from communaute import create_app

    return create_app()


def get(client, path: str) -> None:
    response = client.get(path, base_url=PUBLIC_URL)
    if response.status_code != 200:
        raise SystemExit(f"GET {path}: {response.status_code}")


def time_page(client, path: str, n: int, rounds: int) -> tuple[float, float]:
    """Mean ms per request, wall clock and this process's CPU, of the fastest of ``rounds``
    rounds of ``n`` requests. The CPU time is the figure to compare on a shared machine
    (other processes stretch the wall clock); with PostgreSQL it leaves out the server's."""
    wall = cpu = float("inf")
    for _ in range(rounds):
        started, started_cpu = time.perf_counter(), time.process_time()
        for _ in range(n):
            get(client, path)
        wall = min(wall, (time.perf_counter() - started) / n * 1000)
        cpu = min(cpu, (time.process_time() - started_cpu) / n * 1000)
    return wall, cpu


def profile_page(client, name: str, path: str, n: int, out: Path) -> None:
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0002)
    profiler.start()
    for _ in range(n):
        get(client, path)
    profiler.stop()
    out.mkdir(parents=True, exist_ok=True)
    text = profiler.output_text(unicode=True, color=False, show_all=False)
    (out / f"{name}.txt").write_text(f"# GET {path}, {n} requests\n{text}")
    (out / f"{name}.html").write_text(profiler.output_html())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="sqlite:////tmp/render.sqlite3")
    parser.add_argument("-n", type=int, default=20, help="requests per round")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--pages", help="comma-separated page names (default: all)")
    parser.add_argument("--profile", type=Path, help="write pyinstrument profiles here")
    args = parser.parse_args()

    app = build_app(args.database_url)
    pages = PAGES
    if args.pages:
        wanted = set(args.pages.split(","))
        pages = [p for p in PAGES if p[0] in wanted]
    # Each request as a new anonymous visitor: no cookie carried from one to the next.
    client = app.test_client(use_cookies=False)
    for _name, path in pages:
        for _ in range(5):
            get(client, path)
    print(f"{'page':<12} {'wall ms':>8} {'cpu ms':>8}  ({args.database_url.split(':', 1)[0]})")
    for name, path in pages:
        wall, cpu = time_page(client, path, args.n, args.rounds)
        print(f"{name:<12} {wall:>8.2f} {cpu:>8.2f}  {path}", flush=True)
    if args.profile:
        for name, path in pages:
            profile_page(client, name, path, args.n, args.profile)
        print(f"profiles in {args.profile}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
