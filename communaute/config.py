"""Settings: safe development defaults, the environment overrides, secrets fail fast.

Every variable a person may set is one row of ``SETTINGS`` (name, type, default), read the
same way: an unset or empty variable takes the default, a value of the wrong type stops the
app at start with the variable's name. The names are those of README's Settings table, kept
unprefixed (``DATABASE_URL``, ``MAIL_SERVER``...) because deployments already use them;
Flask's ``from_prefixed_env`` would need a common prefix. What nobody sets is in ``FIXED``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


class ConfigError(RuntimeError):
    pass


TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off"}


def boolean(value: str) -> bool:
    word = value.strip().lower()
    if word not in TRUE | FALSE:
        raise ValueError("expected 1 or 0")
    return word in TRUE


def whole_number(value: str) -> int:
    return int(value.strip())


def text(value: str) -> str:
    return value


def host_list(value: str) -> list[str] | None:
    return [h.strip() for h in value.split(",") if h.strip()] or None


def one_of(*choices: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if value not in choices:
            raise ValueError("expected one of " + ", ".join(choices))
        return value

    return parse


@dataclass(frozen=True)
class Setting:
    #: The environment variable.
    name: str
    parse: Callable[[str], Any]
    #: The value when the variable is unset or empty.
    default: Any = None
    #: The app.config key, when it is not the variable's name.
    key: str | None = None


SETTINGS = (
    Setting("COMMUNAUTE_ENV", one_of("production", "development", "testing"), "production"),
    #: Default: an SQLite file in instance/ (filled in by load_config).
    Setting("DATABASE_URL", text, key="SQLALCHEMY_DATABASE_URI"),
    Setting("SECRET_KEY", text),
    #: Default: http://127.0.0.1 on the port `flask run` serves (make run PORT=...).
    Setting("COMMUNAUTE_PUBLIC_URL", text),
    #: Unset: no SMTP server, emails are written to the log (and kept in the outbox).
    Setting("MAIL_SERVER", text),
    Setting("MAIL_PORT", whole_number, 25),
    Setting("MAIL_USE_TLS", boolean, False),
    Setting("MAIL_USE_SSL", boolean, False),
    Setting("MAIL_USERNAME", text),
    Setting("MAIL_PASSWORD", text),
    Setting("MAIL_DEFAULT_SENDER", text, "Expériences <communaute@experiences.example>"),
    #: The SMTP server accepts addresses with non-ASCII characters before the @ (RFC 6531).
    #: Off: such addresses are refused by every email field, with a message.
    Setting("MAIL_SMTPUTF8", boolean, False),
    #: "background": one delivery thread per process, woken after each commit;
    #: "worker": only `flask outbox send|worker` delivers.
    Setting("OUTBOX_DELIVERY", one_of("background", "worker"), "background"),
    #: Bodies of sent emails are purged after this many days (failed ones are kept until a
    #: coordinator sends them again or dismisses them).
    Setting("OUTBOX_RETENTION_DAYS", whole_number, 30),
    #: The delivery process (the background thread, `flask outbox worker`) also runs the
    #: due reminders of trainings and webinars every this many seconds (0: never; then
    #: cron runs `flask trainings|webinars send-reminders`).
    Setting("REMINDERS_INTERVAL", whole_number, 300),
    #: Redis shared by every app process: rendered public pages for visitors who are not
    #: logged in (communaute/cache.py) keep the versions of what they show there.
    Setting("PAGE_CACHE_URL", text),
    #: Where those versions live: auto = Redis when PAGE_CACHE_URL is set, else the
    #: database; process = this process alone writes (make run); off = no page cache.
    Setting("PAGE_CACHE_STORE", one_of("auto", "redis", "database", "process", "off"), "auto"),
    #: What only time changes (a webinar that began) shows within this many seconds.
    Setting("PAGE_CACHE_SECONDS", whole_number, 30),
    Setting("RATELIMIT_STORAGE_URI", text, "memory://"),
    #: Explicit: the shared Limiter object would otherwise keep the last app's choice.
    Setting("RATELIMIT_ENABLED", boolean, True),
    #: How many proxies (load balancers) stand in front and set X-Forwarded-*: their
    #: X-Forwarded-For is then the client's address (rate limits) and -Proto the scheme.
    Setting("PROXY_COUNT", whole_number, 0),
    #: Default: in production, the host of COMMUNAUTE_PUBLIC_URL; otherwise any host.
    Setting("TRUSTED_HOSTS", host_list),
    Setting("PRIVACY_OFFICER_NAME", text, "Marie-Ève Tremblay"),
    Setting(
        "PRIVACY_OFFICER_TITLE",
        text,
        "Responsable de la protection des renseignements personnels",
    ),
    Setting("PRIVACY_OFFICER_EMAIL", text, "vie-privee@experiences.example"),
    #: Rows of the security log (/security/) older than this go (flask security purge).
    Setting("SECURITY_LOG_RETENTION_DAYS", whole_number, 365),
)

#: What no deployment sets; tests and scripts may still override it.
FIXED = {
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "MAIL_TIMEOUT": 10,
    "OUTBOX_MAX_ATTEMPTS": 8,
    "PAGE_CACHE_MAX_BYTES": 16 * 1024 * 1024,
    "PAGE_CACHE_KEY": "communaute:pages",
    "RATELIMIT_HEADERS_ENABLED": True,
    #: Redis for the limits may go away: count in this process's memory meanwhile (with a
    #: warning in the log), look at Redis again now and then, never fail a request.
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "RATELIMIT_SWALLOW_ERRORS": True,
    "BABEL_DEFAULT_LOCALE": "fr",
    "BABEL_DEFAULT_TIMEZONE": "America/Montreal",
    "BABEL_TRANSLATION_DIRECTORIES": "translations",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    #: "Keep me logged in": the session cookie outlives the browser this long at most
    #: (communaute/auth/sessions.py has the shorter limits, checked on every request).
    "PERMANENT_SESSION_LIFETIME": timedelta(days=30),
    "SESSION_COOKIE_PATH": "/",
    "REMEMBER_COOKIE_PATH": "/",
    "WTF_CSRF_TIME_LIMIT": None,
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    "PRIVACY_POLICY_VERSION": "2026-11",
}


#: A Redis that does not answer costs a request this long at most (limits; the page cache
#: has the same in communaute/cache.py).
REDIS_TIMEOUTS = {"socket_connect_timeout": 0.25, "socket_timeout": 0.25}


def read_environment(env: Mapping[str, str]) -> dict:
    """Each setting from ``env``, parsed, or its default."""
    out = {}
    for setting in SETTINGS:
        raw = env.get(setting.name, "")
        if raw.strip() == "":
            value = setting.default
        else:
            try:
                value = setting.parse(raw)
            except ValueError as exc:
                raise ConfigError(f"{setting.name}={raw!r}: {exc}") from exc
        out[setting.key or setting.name] = value
    return out


def default_public_url(env: Mapping[str, str]) -> str:
    """Where `make run` serves: the port given to `flask run` (FLASK_RUN_PORT), 5000 unless."""
    port = env.get("FLASK_RUN_PORT", "").strip() or "5000"
    try:
        port = str(whole_number(port))
    except ValueError as exc:
        raise ConfigError(f"FLASK_RUN_PORT={port!r}: expected a port number") from exc
    return f"http://127.0.0.1:{port}"


def _dev_secret(instance_path: Path) -> str:
    """A secret generated once per development checkout, kept in instance/."""
    path = instance_path / "secret_key"
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def load_config(instance_path: str, overrides: dict | None = None) -> dict:
    """Builds the settings from the environment, then ``overrides`` (tests, scripts)."""
    env = os.environ
    overrides = overrides or {}
    instance = Path(instance_path)
    cfg = {**FIXED, **read_environment(env)}
    cfg["SQLALCHEMY_DATABASE_URI"] = (
        cfg["SQLALCHEMY_DATABASE_URI"] or f"sqlite:///{instance / 'communaute.sqlite3'}"
    )
    cfg["COMMUNAUTE_PUBLIC_URL"] = cfg["COMMUNAUTE_PUBLIC_URL"] or default_public_url(env)
    cfg.update(overrides)
    cfg["COMMUNAUTE_PUBLIC_URL"] = cfg["COMMUNAUTE_PUBLIC_URL"].rstrip("/")
    public = urlsplit(cfg["COMMUNAUTE_PUBLIC_URL"])
    if public.scheme not in ("http", "https") or not public.hostname:
        raise ConfigError(
            f"COMMUNAUTE_PUBLIC_URL={cfg['COMMUNAUTE_PUBLIC_URL']!r}: expected http(s)://host"
        )
    # In production the app answers only to its public name: a forged Host header is a 400
    # (links never come from it anyway: communaute.email.public_url).
    if cfg.get("TRUSTED_HOSTS") is None and cfg["COMMUNAUTE_ENV"] == "production":
        cfg["TRUSTED_HOSTS"] = [public.hostname]
    if str(cfg.get("RATELIMIT_STORAGE_URI", "")).startswith("redis"):
        cfg.setdefault("RATELIMIT_STORAGE_OPTIONS", REDIS_TIMEOUTS)
    # Cookies travel only over HTTPS when the site is served over HTTPS.
    https = public.scheme == "https"
    cfg.setdefault("SESSION_COOKIE_SECURE", https)
    cfg.setdefault("REMEMBER_COOKIE_SECURE", https)
    if https:
        # __Host-: browsers keep such a cookie only when it is Secure, for Path=/ and without
        # Domain, so neither a plain-HTTP page nor another site of the domain can plant one.
        cfg.setdefault("SESSION_COOKIE_NAME", "__Host-session")
        cfg.setdefault("REMEMBER_COOKIE_NAME", "__Host-remember_token")
    if not cfg["SECRET_KEY"]:
        if cfg["COMMUNAUTE_ENV"] != "development":
            raise ConfigError(
                "SECRET_KEY must be set outside development (COMMUNAUTE_ENV=development)."
            )
        cfg["SECRET_KEY"] = _dev_secret(instance)
    return cfg
