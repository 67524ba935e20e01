"""Fills a migrated, empty database with realistic volumes for benchmarks.

    flask db upgrade   # with DATABASE_URL pointing at the target
    python bench/seed.py --scale large --database-url postgresql+psycopg://postgres@127.0.0.1/bench

large: 10,000 members, 300 courses with 1,500 sessions and 40,000 registrations, 150 webinars
with 30,000 sign-ups (one with 5,000), 2,000 testimonies. small: the same shape, 20 times less.

Deterministic: the same --seed gives the same rows (dates are relative to midnight UTC of the
day it runs, so upcoming sessions stay upcoming). Rows go in with SQLAlchemy Core
``insert()`` and lists of dicts, in batches, ids assigned here so children need no RETURNING;
PostgreSQL sequences are moved past them at the end.

Landmarks the load benchmark uses (bench/run.py) are fixed: see ``LANDMARKS``.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from communaute import create_app  # noqa: E402
from communaute.auth.services import hash_password  # noqa: E402
from communaute.extensions import db  # noqa: E402

SCALES = {
    "large": dict(
        members=10_000,
        courses=300,
        sessions=1_500,
        registrations=40_000,
        webinars=150,
        signups=30_000,
        big_webinar=5_000,
        testimonies=2_000,
    ),
    "small": dict(
        members=500,
        courses=15,
        sessions=75,
        registrations=2_000,
        webinars=8,
        signups=1_500,
        big_webinar=250,
        testimonies=100,
    ),
}

#: Every seeded account has this password.
PASSWORD = "bench-mot-de-passe-2026"
LANDMARKS = {
    "coordinator_email": "coordination@bench.example",
    #: Registered in many sessions, signed up for many webinars, author of many texts.
    "busy_email": "membre1@bench.example",
    #: Webinar id 1: upcoming, no capacity, the one with ``big_webinar`` sign-ups.
    "big_webinar_id": 1,
    #: Webinar id 2: upcoming, open, few sign-ups: guests sign up to it in the bench.
    "open_webinar_id": 2,
    "course_slug": "cours-1",
    "session_id": 1,
    "testimony_id": 1,
}
BATCH = 5_000

FORMATS = ["online", "in_person", "hybrid", "self_paced"]
AUDIENCES = ["patient_partners", "caregivers", "researchers", "clinicians", "everyone"]
WORDS = [
    "partenariat",
    "patient",
    "recherche",
    "soins",
    "proches",
    "aidants",
    "santé",
    "mentale",
    "douleur",
    "chronique",
    "éthique",
    "consentement",
    "communication",
    "cocréation",
    "évaluation",
    "équipe",
    "clinique",
    "savoir",
    "expérientiel",
    "engagement",
    "communauté",
    "hôpital",
    "première",
    "ligne",
    "diabète",
    "cancer",
]
FIRST = [
    "Sylvie",
    "Marc",
    "Nadia",
    "Louis",
    "Chantal",
    "Pierre",
    "Émilie",
    "Jacques",
    "Fatima",
    "Hugo",
    "Anne",
    "Karim",
]
LAST = [
    "Gagnon",
    "Tremblay",
    "Roy",
    "Côté",
    "Bouchard",
    "Gauthier",
    "Morin",
    "Lavoie",
    "Fortin",
    "Pelletier",
]
PARAGRAPH = (
    "Quand on m'a proposé de devenir patiente partenaire, je ne savais pas ce que cela "
    "voulait dire. J'ai appris à parler de mon expérience, à écouter les chercheurs, et à "
    "trouver ma place dans l'équipe."
)


class Progress:
    """A plain progress line on stderr: table, rows done, elapsed."""

    def __init__(self):
        self.start = time.monotonic()

    def __call__(self, table: str, done: int, total: int) -> None:
        width = 30
        filled = int(width * done / total) if total else width
        elapsed = time.monotonic() - self.start
        sys.stderr.write(
            f"\r{table:<30} [{'#' * filled}{'.' * (width - filled)}] "
            f"{done:>6}/{total:<6} {elapsed:6.1f}s"
        )
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def insert(conn, table: str, rows: list[dict], progress: Progress) -> None:
    tbl = db.metadata.tables[table]
    for i in range(0, len(rows), BATCH):
        conn.execute(tbl.insert(), rows[i : i + BATCH])
        progress(table, min(i + BATCH, len(rows)), len(rows))
    if not rows:
        progress(table, 0, 0)


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def build(scale: dict, seed: int) -> dict[str, list[dict]]:
    """Every row, in insertion order (parents before children)."""
    rng = random.Random(seed)
    day = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    password_hash = hash_password(PASSWORD)
    out: dict[str, list[dict]] = {}

    # Users: id 1 the coordinator, id 2 the busy member, then members.
    users = []
    for uid in range(1, scale["members"] + 2):
        coordinator = uid == 1
        n = uid - 1
        users.append(
            {
                "id": uid,
                "email": LANDMARKS["coordinator_email"]
                if coordinator
                else f"membre{n}@bench.example",
                "display_name": "Coordination"
                if coordinator
                else f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                "password_hash": password_hash,
                "language": "fr" if rng.random() < 0.8 else "en",
                "role": "coordinator" if coordinator else "member",
                "confirmed_at": day - timedelta(days=rng.randint(1, 900)),
                "session_token": f"bench-session-{uid:08d}-{rng.getrandbits(64):016x}",
                "needs_captions": rng.random() < 0.1,
                "needs_sign_language": rng.random() < 0.02,
                "needs_large_print": rng.random() < 0.05,
                "needs_phone_only": False,
                "needs_helper": rng.random() < 0.03,
                "created_at": day - timedelta(days=rng.randint(1, 900)),
            }
        )
    out["users"] = users
    member_ids = [u["id"] for u in users[1:]]
    busy = 2
    emails = {u["id"]: u["email"] for u in users}
    names = {u["id"]: u["display_name"] for u in users}
    out["consent_records"] = [
        {
            "id": u["id"],
            "user_id": u["id"],
            "purpose": "privacy_policy",
            "granted": True,
            "version": "2026-11",
            "text": "J'ai lu la politique de confidentialité.",
            "recorded_at": u["created_at"],
        }
        for u in users
    ]

    # Trainings.
    courses = []
    for cid in range(1, scale["courses"] + 1):
        fmt = "online" if cid == 1 else FORMATS[cid % 4 if cid % 7 else 3]
        courses.append(
            {
                "id": cid,
                "slug": f"cours-{cid}",
                "title": f"{sentence(rng, 3).capitalize()} {cid}",
                "summary": sentence(rng, 18),
                "description": "\n\n".join(sentence(rng, 40) for _ in range(3)),
                "language": "fr" if rng.random() < 0.85 else "en",
                "format": fmt,
                "audience": rng.choice(AUDIENCES),
                "duration": f"{rng.randint(1, 6)} heures",
                "prerequisites": "",
                "material_url": "https://formation.example/m" if fmt == "self_paced" else None,
                "published": cid == 1 or rng.random() < 0.95,
                "created_at": day - timedelta(days=rng.randint(30, 600)),
            }
        )
    out["training_courses"] = courses
    session_courses = [c["id"] for c in courses if c["format"] != "self_paced"]
    sessions = []
    for sid in range(1, scale["sessions"] + 1):
        course_id = 1 if sid <= 5 else session_courses[(sid - 1) % len(session_courses)]
        start = day + timedelta(days=rng.randint(-120, 150), hours=rng.choice([9, 13, 18]))
        if sid == 1:
            start = day + timedelta(days=30, hours=13)
        sessions.append(
            {
                "id": sid,
                "course_id": course_id,
                "starts_at": start,
                "ends_at": start + timedelta(hours=2),
                "place": "" if sid % 3 else "Centre de recherche, salle 2.14",
                "online_url": "https://zoom.example/j/" + str(100000 + sid),
                "capacity": rng.choice([15, 20, 25, 30, 40]),
                "state": "open",
                "sequence": 0,
                "created_at": start - timedelta(days=60),
            }
        )
    out["training_sessions"] = sessions
    regs = []
    per_session = scale["registrations"] // len(sessions)
    extra = scale["registrations"] - per_session * len(sessions)
    rid = 0
    for s in sessions:
        count = per_session + (1 if s["id"] <= extra else 0)
        people = rng.sample(member_ids, count)
        if s["id"] % 35 == 0 and busy not in people:
            people[0] = busy
        for i, uid in enumerate(people):
            rid += 1
            confirmed = i < s["capacity"]
            created = s["starts_at"] - timedelta(days=40, minutes=-i)
            regs.append(
                {
                    "id": rid,
                    "course_id": s["course_id"],
                    "session_id": s["id"],
                    "user_id": uid,
                    "state": "confirmed" if confirmed else "waiting",
                    "waitlisted_at": None if confirmed else created,
                    "attended": (rng.random() < 0.85)
                    if s["starts_at"] < day and confirmed
                    else None,
                    "created_at": created,
                    "confirmed_at": created if confirmed else None,
                }
            )
    out["training_registrations"] = regs
    out["training_registration_moves"] = [
        {
            "id": r["id"],
            "registration_id": r["id"],
            "actor_id": r["user_id"],
            "from_state": None,
            "to_state": r["state"],
            "reason": "",
            "created_at": r["created_at"],
        }
        for r in regs
    ]

    # Webinars: 1 is the big upcoming one, 2 an open one with room; then a mix of past/upcoming.
    webinars, speakers = [], []
    for wid in range(1, scale["webinars"] + 1):
        if wid <= 2:
            start = day + timedelta(days=7 * wid, hours=16)
        else:
            start = day + timedelta(days=7 * (wid - scale["webinars"] * 2 // 3), hours=16)
        webinars.append(
            {
                "id": wid,
                "title": f"Midi-webinaire : {sentence(rng, 4)}",
                "description": "\n\n".join(sentence(rng, 35) for _ in range(2)),
                "tags": ", ".join(rng.sample(WORDS, 3)),
                "start_at": start,
                "duration_minutes": 60,
                "language": "fr",
                "join_url": f"https://zoom.example/w/{wid}",
                "phone_dial_in": "+1 438 555-0100",
                "captioning": "Sous-titres en direct",
                "capacity": None if wid <= 2 else rng.choice([None, 300, 500]),
                "status": "scheduled",
                "recording_url": "",
                "resources": "",
                "sequence": 0,
                "created_at": start - timedelta(days=30),
            }
        )
        for pos in range(rng.randint(1, 3)):
            speakers.append(
                {
                    "id": len(speakers) + 1,
                    "webinar_id": wid,
                    "position": pos,
                    "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                    "bio": sentence(rng, 20),
                    "is_patient_partner": pos == 0,
                }
            )
    out["webinars"] = webinars
    out["webinar_speakers"] = speakers
    signups = []
    rest = scale["signups"] - scale["big_webinar"]
    others = [w for w in webinars if w["id"] != 1]
    quota = {1: scale["big_webinar"]}
    for i, w in enumerate(others):
        quota[w["id"]] = rest // len(others) + (1 if i < rest % len(others) else 0)
    for w in webinars:
        count = quota[w["id"]]
        members = rng.sample(member_ids, min(count * 2 // 3, len(member_ids)))
        if busy not in members and w["id"] % 3 == 0:
            members[0] = busy
        past = w["start_at"] < day
        for i in range(count):
            uid = members[i] if i < len(members) else None
            email = emails[uid] if uid else f"invite{w['id']}-{i}@exemple.ca"
            signups.append(
                {
                    "id": len(signups) + 1,
                    "webinar_id": w["id"],
                    "email": email,
                    "name": names[uid] if uid else f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                    "user_id": uid,
                    "language": "fr",
                    "how_heard": rng.choice([None, "Infolettre", "Facebook", "Un collègue"]),
                    "news_consent": False,
                    "state": "cancelled" if rng.random() < 0.05 else "confirmed",
                    "attended": past and rng.random() < 0.6,
                    "created_at": w["start_at"] - timedelta(days=rng.randint(1, 20)),
                }
            )
    out["webinar_signups"] = signups

    # Magazine.
    themes = [
        "Proches aidants",
        "Santé mentale",
        "Douleur chronique",
        "Cancer",
        "Recherche",
        "Soins à domicile",
        "Jeunes",
        "Aînés",
    ]
    out["magazine_themes"] = [{"id": i + 1, "name": n} for i, n in enumerate(themes)]
    out["magazine_editions"] = [
        {
            "id": n,
            "number": n,
            "label": f"Numéro {n}",
            "editorial": sentence(rng, 30),
            "published_at": day - timedelta(days=90 * (6 - n)),
            "created_at": day - timedelta(days=90 * (6 - n) + 10),
        }
        for n in range(1, 6)
    ]
    subs, links, consents = [], [], []
    states = ["published"] * 14 + ["submitted", "in_review", "accepted", "draft", "declined"]
    for sid in range(1, scale["testimonies"] + 1):
        state = "published" if sid == 1 else rng.choice(states)
        author = busy if sid % 40 == 0 else rng.choice(member_ids)
        created = day - timedelta(days=rng.randint(1, 700))
        pen = rng.random() < 0.5
        subs.append(
            {
                "id": sid,
                "author_id": author,
                "title": sentence(rng, 5).capitalize(),
                "text": "\n\n".join([PARAGRAPH] * rng.randint(3, 8)),
                "form": rng.choice(["testimony", "letter", "poem", "reflection"])
                if sid % 5
                else "testimony",
                "perspective": rng.choice(["patient", "caregiver"]),
                "language": "fr",
                "byline": "pen_name" if pen else rng.choice(["full_name", "anonymous"]),
                "pen_name": "Lilas" if pen else None,
                "third_party": "none",
                "state": state,
                "edition_id": rng.randint(1, 5) if state == "published" else None,
                "created_at": created,
                "state_changed_at": created + timedelta(days=3),
                "submitted_at": None if state == "draft" else created + timedelta(days=1),
                "published_at": created + timedelta(days=20) if state == "published" else None,
            }
        )
        for theme in rng.sample(range(1, len(themes) + 1), rng.randint(1, 2)):
            links.append({"submission_id": sid, "theme_id": theme})
        for purpose in ("web", "print", "training", "contact"):
            consents.append(
                {
                    "id": len(consents) + 1,
                    "submission_id": sid,
                    "purpose": purpose,
                    "granted": purpose == "web" or rng.random() < 0.5,
                    "text": "Je consens à cette utilisation de mon texte.",
                    "version": "2026-11",
                    "recorded_at": created,
                }
            )
    out["magazine_submissions"] = subs
    out["magazine_submission_themes"] = links
    out["magazine_submission_consents"] = consents
    return out


def reset_sequences(conn, tables) -> None:
    if conn.dialect.name != "postgresql":
        return
    for name in tables:
        tbl = db.metadata.tables[name]
        if "id" not in tbl.c:
            continue
        conn.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f'(SELECT COALESCE(MAX(id), 1) FROM "{name}"))'
            )
        )


def check_valid_enums() -> None:
    """The seed writes enum values as strings: fail early if a model's enum changed."""
    from communaute.magazine.models import Byline, Form, Perspective, SubmissionState

    for enum, used in (
        (Form, {"testimony", "letter", "poem", "reflection"}),
        (Perspective, {"patient", "caregiver"}),
        (Byline, {"pen_name", "full_name", "anonymous"}),
        (SubmissionState, {"published", "submitted", "in_review", "accepted", "draft"}),
    ):
        missing = used - set(enum.__members__)
        if missing:
            raise SystemExit(f"seed.py is out of date: {enum.__name__} has no {missing}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)

    check_valid_enums()
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": args.database_url,
            "SECRET_KEY": "seed-only",
            "COMMUNAUTE_ENV": "development",
        }
    )
    started = time.monotonic()
    with app.app_context():
        with db.engine.connect() as conn:
            if conn.scalar(sa.text("SELECT count(*) FROM users")):
                print("The database already has users: seed an empty, migrated one.")
                return 1
        rows = build(SCALES[args.scale], args.seed)
        built = time.monotonic() - started
        sys.stderr.write(f"rows built in {built:.1f}s\n")
        progress = Progress()
        with db.engine.begin() as conn:
            for table, table_rows in rows.items():
                insert(conn, table, table_rows, progress)
            reset_sequences(conn, rows)
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("ANALYZE"))
        total = sum(len(r) for r in rows.values())
        print(
            f"seeded {args.scale}: {total} rows in {time.monotonic() - started:.1f}s "
            f"({db.engine.dialect.name})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
