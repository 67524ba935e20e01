"""The password rule, applied whenever a password is set (never at login).

At least 12 characters (200 at most), and not guessable: zxcvbn, Dropbox's estimator, shipped
from PyPI with its frequency lists (the 30,000 passwords most seen in public breaches, English
words, names, and film and television words), counts the guesses an attacker needs, seeing
through l33t substitutions, keyboard walks, dates, repeats and sequences. Nothing leaves the
machine. A password needs a score of 3 (10^8 guesses) or more.

zxcvbn's lists are English. The French and Québec words people build their passwords from,
and the words of this site, are given to it as one more ranked dictionary (``FRENCH_WORDS``),
so ``motdepasse2026`` and ``Experiences2026`` fall as ``password2026`` does.
"""

from __future__ import annotations

from zxcvbn import zxcvbn

from communaute.i18n import lazy_gettext as _l

MIN_LENGTH = 12
MAX_LENGTH = 200
#: zxcvbn's score: 3 is "safely unguessable" (10^8 guesses or more), 4 "very unguessable".
MIN_SCORE = 3
#: zxcvbn refuses longer input; what follows the 72nd character only adds to the strength.
SCORED_LENGTH = 72

#: Most common first (zxcvbn ranks a dictionary by position).
FRENCH_WORDS = (
    "motdepasse",
    "azerty",
    "bonjour",
    "jetaime",
    "soleil",
    "bienvenue",
    "doudou",
    "loulou",
    "chouchou",
    "chocolat",
    "princesse",
    "marseille",
    "quebec",
    "montreal",
    "canadiens",
    "nordiques",
    "habs",
    "hockey",
    "canada",
    "tabarnak",
    "amour",
    "toujours",
    "famille",
    "changezmoi",
    "administrateur",
    "utilisateur",
    "secret",
    "motdepass",
    "mdp",
    "experiences",
    "communaute",
    "partenaire",
    "partenaires",
    "patient",
    "patients",
    "recherche",
    "formation",
    "webinaire",
    "magazine",
)
#: The dictionaries that make a password "common" rather than merely weak.
LISTED = {"passwords", "user_inputs"}
#: The examples everyone has seen (xkcd 936), compared without spaces: zxcvbn rates them well.
FAMOUS_EXAMPLES = frozenset({"correcthorsebatterystaple", "tr0ub4dor&3", "troubador&3"})

TOO_COMMON = _l(
    "This password is too common: it is in the lists of leaked passwords that attackers try "
    "first. Choose another one."
)
TOO_EASY = _l(
    "This password is too easy to guess. Add a few words: a short sentence that means "
    "something to you."
)


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why a new password is refused (translated, for a person), or None."""
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        return str(_l("The password must have between 12 and 200 characters."))
    squashed = "".join(password.lower().split())
    local = email.split("@")[0].lower()
    own_name = "".join(name.lower().split())
    if (len(local) >= 4 and local in squashed) or (len(own_name) >= 4 and own_name in squashed):
        return str(_l("The password must not contain your name or your email address."))
    if squashed in FAMOUS_EXAMPLES:
        return str(TOO_COMMON)
    personal = [word for word in (local, *name.lower().split()) if len(word) >= 3]
    result = zxcvbn(password[:SCORED_LENGTH], user_inputs=[*FRENCH_WORDS, *personal])
    if result["score"] >= MIN_SCORE:
        return None
    listed = any(
        match["pattern"] == "dictionary" and match.get("dictionary_name") in LISTED
        for match in result["sequence"]
    )
    return str(TOO_COMMON if listed else TOO_EASY)
