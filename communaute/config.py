"""Settings: safe development defaults, the environment overrides, secrets fail fast."""

import os
import secrets
from datetime import timedelta
from pathlib import Path


class ConfigError(RuntimeError):
    pass


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


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
    mode = overrides.get("COMMUNAUTE_ENV", env.get("COMMUNAUTE_ENV", "production"))
    public_url = env.get("COMMUNAUTE_PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/")
    mail_server = env.get("MAIL_SERVER") or None
    cfg = {
        "COMMUNAUTE_ENV": mode,
        "SQLALCHEMY_DATABASE_URI": env.get("DATABASE_URL")
        or f"sqlite:///{instance / 'communaute.sqlite3'}",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SECRET_KEY": env.get("SECRET_KEY"),
        "COMMUNAUTE_PUBLIC_URL": public_url,
        "MAIL_SERVER": mail_server,
        "MAIL_PORT": int(env.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": _bool(env.get("MAIL_USE_TLS")),
        "MAIL_USE_SSL": _bool(env.get("MAIL_USE_SSL")),
        "MAIL_USERNAME": env.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD"),
        "MAIL_DEFAULT_SENDER": env.get(
            "MAIL_DEFAULT_SENDER", "Expériences <communaute@experiences.example>"
        ),
        "MAIL_TIMEOUT": 10,
        #: "background": one delivery thread per process, woken after each commit;
        #: "worker": only `flask outbox send|worker` delivers.
        "OUTBOX_DELIVERY": env.get("OUTBOX_DELIVERY", "background"),
        "OUTBOX_MAX_ATTEMPTS": 8,
        #: Redis shared by every app process: rendered public pages for visitors who are not
        #: logged in (communaute/cache.py). Unset: no page cache.
        "PAGE_CACHE_URL": env.get("PAGE_CACHE_URL") or None,
        #: What only time changes (a webinar that began) shows within this many seconds.
        "PAGE_CACHE_SECONDS": int(env.get("PAGE_CACHE_SECONDS", "30")),
        "PAGE_CACHE_MAX_BYTES": 16 * 1024 * 1024,
        "PAGE_CACHE_KEY": "communaute:pages:version",
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        #: Explicit: the shared Limiter object would otherwise keep the last app's choice.
        "RATELIMIT_ENABLED": _bool(env.get("RATELIMIT_ENABLED"), default=True),
        "RATELIMIT_HEADERS_ENABLED": True,
        #: How many proxies (load balancers) stand in front and set X-Forwarded-*: their
        #: X-Forwarded-For is then the client's address (rate limits) and -Proto the scheme.
        "PROXY_COUNT": int(env.get("PROXY_COUNT", "0")),
        "TRUSTED_HOSTS": [h for h in env.get("TRUSTED_HOSTS", "").split(",") if h] or None,
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
        #: Rows of the security log (/security/) older than this go (flask security purge).
        "SECURITY_LOG_RETENTION_DAYS": int(env.get("SECURITY_LOG_RETENTION_DAYS", "365")),
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "PRIVACY_POLICY_VERSION": "2026-11",
        "PRIVACY_OFFICER_NAME": env.get("PRIVACY_OFFICER_NAME", "Marie-Ève Tremblay"),
        "PRIVACY_OFFICER_TITLE": env.get(
            "PRIVACY_OFFICER_TITLE", "Responsable de la protection des renseignements personnels"
        ),
        "PRIVACY_OFFICER_EMAIL": env.get("PRIVACY_OFFICER_EMAIL", "vie-privee@experiences.example"),
    }
    cfg.update(overrides)
    # Cookies travel only over HTTPS when the site is served over HTTPS.
    https = cfg["COMMUNAUTE_PUBLIC_URL"].startswith("https://")
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
