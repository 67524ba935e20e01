"""Where a sign-up POST spends its time: the guest webinar sign-up and the member training
registration, in process, one after the other, profiled with pyinstrument.

    python bench/profile_posts.py [--database-url URL] [--count 200] [--profile DIR]

Needs a seeded database (``make bench`` leaves one: PostgreSQL database ``bench``). Prints the
median and p99 of each POST, wall clock and CPU of this process; with ``--profile DIR``
writes ``post-signup.txt`` and ``post-registration.txt`` there. Wall minus CPU is mostly the
wait for the database (its round trips and the commit's wait for the disk).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bench.run import (  # noqa: E402
    DB_URL,
    SECRET,
    course_with_sessions,
    percentile,
    signed_session,
)
from bench.seed import LANDMARKS  # noqa: E402

CSRF = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')


def make_app(database_url: str, **config):
    """The app as ``make bench`` runs it, in this process; ``config`` on top."""
    os.environ.update(
        {
            "SECRET_KEY": SECRET,
            "COMMUNAUTE_ENV": "production",
            "RATELIMIT_ENABLED": "0",
            "OUTBOX_DELIVERY": "worker",
            "COMMUNAUTE_PUBLIC_URL": "http://localhost",
            # As make bench runs the app: the versions of the page cache in Redis.
            "PAGE_CACHE_URL": os.environ.get("PAGE_CACHE_URL", "redis://127.0.0.1:6379/1"),
        }
    )
    from communaute import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, **config})


def timed(posts, profiler=None) -> dict:
    wall, cpu = [], []
    for post in posts:
        started, started_cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.start()
        status = post()
        if profiler:
            profiler.stop()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert status == 302, status
    return {
        "n": len(wall),
        "wall_p50": statistics.median(wall),
        "wall_p99": percentile(wall, 0.99),
        "cpu_p50": statistics.median(cpu),
    }


def guest_signups(app, count: int):
    webinar = LANDMARKS["open_webinar_id"]
    client = app.test_client()
    token = CSRF.search(client.get(f"/webinars/{webinar}").get_data(as_text=True)).group(1)
    cookie = client.get_cookie("session")

    def post(i: int):
        def run():
            fresh = app.test_client()
            fresh.set_cookie("session", cookie.value)
            form = {
                "csrf_token": token,
                "name": "Invitée",
                "email": f"profil-{i}-{time.time_ns()}@exemple.ca",
                "language": "fr",
            }
            return fresh.post(f"/webinars/{webinar}/signup", data=form).status_code

        return run

    return [post(i) for i in range(count)]


def registrations(app, database_url: str, count: int):
    engine = sa.create_engine(database_url)
    slug = f"profil-inscriptions-{time.time_ns()}"
    with engine.begin() as conn:
        session_ids = course_with_sessions(conn, slug, count, first_day=40)
        user_token = conn.scalar(
            sa.text("SELECT session_token FROM users WHERE role = 'member' ORDER BY id DESC")
        )
    engine.dispose()
    cookie = signed_session(user_token)
    client = app.test_client()
    client.set_cookie("session", cookie)
    token = CSRF.search(client.get(f"/trainings/{slug}").get_data(as_text=True)).group(1)

    def post(session_id: int):
        def run():
            fresh = app.test_client()
            fresh.set_cookie("session", client.get_cookie("session").value)
            path = f"/trainings/sessions/{session_id}/register"
            return fresh.post(path, data={"csrf_token": token}).status_code

        return run

    return [post(s) for s in session_ids]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DB_URL)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--profile", help="folder for the pyinstrument text profiles")
    args = parser.parse_args(argv)
    app = make_app(args.database_url)
    profiler_for = None
    if args.profile:
        from pyinstrument import Profiler

        Path(args.profile).mkdir(parents=True, exist_ok=True)
        profiler_for = Profiler
    for name, posts in (
        ("signup", guest_signups(app, args.count)),
        ("registration", registrations(app, args.database_url, args.count)),
    ):
        timed(posts[:10])  # warm-up: the first requests compile templates and queries
        profiler = profiler_for(interval=0.0005) if profiler_for else None
        result = timed(posts[10:], profiler)
        print(
            f"{name} POST, {result['n']} one after the other: wall p50 "
            f"{result['wall_p50']:.1f} ms, p99 {result['wall_p99']:.1f} ms; CPU of this "
            f"process p50 {result['cpu_p50']:.1f} ms"
        )
        if profiler:
            out = Path(args.profile) / f"post-{name}.txt"
            out.write_text(profiler.output_text(unicode=True, color=False, show_all=False))
            print(f"  profile: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
