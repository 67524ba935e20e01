"""Collects translatable strings into each catalog (core, then one per feature).

    python scripts/i18n.py extract   # then translate the empty msgstr in each fr/ catalog
    python scripts/i18n.py compile

Each feature keeps its own catalog (communaute/<feature>/translations), merged at run
time by Flask-Babel, so features never fight over one file.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DOMAINS = {
    "communaute/translations": [
        # Every module of the core (seats, web, forms, email...), then the core blueprints.
        *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "communaute").glob("*.py")),
        "communaute/main",
        "communaute/auth",
        "templates/base.html",
        "templates/_macros",
        "templates/errors",
        "templates/main",
        "templates/auth",
        "templates/emails",
    ],
    **{
        f"communaute/{feature}/translations": [f"communaute/{feature}", f"templates/{feature}"]
        for feature in ("trainings", "webinars", "magazine", "security")
    },
}


def run(*args: str) -> None:
    subprocess.run([str(BIN / "pybabel"), *args], check=True, cwd=ROOT)  # noqa: S603


def extract() -> None:
    for out, sources in DOMAINS.items():
        sources = [s for s in sources if (ROOT / s).exists()]
        pot = f"{out}/messages.pot"
        (ROOT / out).mkdir(parents=True, exist_ok=True)
        run(
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_pgettext:1c,2",
            "--no-location",
            "--sort-output",
            "-o",
            pot,
            *sources,
        )
        if (ROOT / out / "fr/LC_MESSAGES/messages.po").exists():
            run(
                "-q",
                "update",
                "--no-fuzzy-matching",
                "--ignore-obsolete",
                "-i",
                pot,
                "-d",
                out,
                "-l",
                "fr",
            )
        else:
            run("-q", "init", "-i", pot, "-d", out, "-l", "fr")
        (ROOT / pot).unlink()


def compile_() -> None:
    for out in DOMAINS:
        if (ROOT / out / "fr/LC_MESSAGES/messages.po").exists():
            run("-q", "compile", "-f", "-d", out, "-l", "fr")


if __name__ == "__main__":
    {"extract": extract, "compile": compile_}[sys.argv[1]]()
