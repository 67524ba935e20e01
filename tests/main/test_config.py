"""Settings: secrets fail fast, hosts can be pinned."""

import pytest

from communaute import create_app
from communaute.config import ConfigError, load_config


def test_secret_key_is_required_outside_development(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("COMMUNAUTE_ENV", "production")
    with pytest.raises(ConfigError):
        load_config(str(tmp_path))


def test_development_generates_a_secret_once(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("COMMUNAUTE_ENV", "development")
    first = load_config(str(tmp_path))["SECRET_KEY"]
    assert len(first) >= 32
    assert load_config(str(tmp_path))["SECRET_KEY"] == first


def test_untrusted_host_header_is_refused_when_hosts_are_pinned(app, database_url, tmp_path):
    """(``app``: the tables, which the page reads, exist in ``database_url``.)"""
    pinned = create_app(
        {
            "COMMUNAUTE_ENV": "testing",
            "SECRET_KEY": "x" * 32,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "TRUSTED_HOSTS": ["communaute.example"],
            "INSTANCE_PATH": str(tmp_path),
        }
    )
    client = pinned.test_client()
    assert client.get("/privacy", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/privacy", headers={"Host": "communaute.example"}).status_code == 200


def test_rate_limits_can_live_in_redis_shared_by_every_server(app, database_url, tmp_path):
    """Two app instances (two servers) share one Redis: the limit counts across both."""
    import uuid

    from tests.factories import csrf_token

    # Limits are per client address: a fresh made-up one, so earlier runs do not count.
    address = "203.0.113." + str(uuid.uuid4().int % 250 + 1) + "-" + uuid.uuid4().hex[:6]
    config = {
        "COMMUNAUTE_ENV": "testing",
        "SECRET_KEY": "x" * 32,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
        "INSTANCE_PATH": str(tmp_path),
    }
    codes = []
    for _ in range(2):  # server A, then server B (``app`` only prepared the database)
        server = create_app(config)
        client = server.test_client()
        client.environ_base["REMOTE_ADDR"] = address
        with server.app_context():
            token = csrf_token(client, "/auth/login")
            for _ in range(6):
                r = client.post(
                    "/auth/login",
                    data={"email": "x@exemple.ca", "password": "y" * 12, "csrf_token": token},
                )
                codes.append(r.status_code)
    assert codes[:10] == [200] * 10
    assert codes[10:] == [429, 429]


def test_behind_a_proxy_rate_limits_count_each_client(app, database_url, tmp_path):
    """With PROXY_COUNT=1, two people behind one load balancer are two addresses."""
    from tests.factories import csrf_token

    server = create_app(
        {
            "COMMUNAUTE_ENV": "testing",
            "SECRET_KEY": "x" * 32,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "PROXY_COUNT": 1,
            "INSTANCE_PATH": str(tmp_path),
        }
    )
    client = server.test_client()
    with server.app_context():
        token = csrf_token(client, "/auth/login")

        def attempt(ip):
            return client.post(
                "/auth/login",
                data={"email": "x@exemple.ca", "password": "y" * 12, "csrf_token": token},
                headers={"X-Forwarded-For": ip},
            ).status_code

        assert [attempt("198.51.100.7") for _ in range(11)][-1] == 429
        assert attempt("198.51.100.8") == 200, "another person is not blocked"


# One table of settings (communaute/config.py SETTINGS) --------------------------------------

import re  # noqa: E402
from pathlib import Path  # noqa: E402

from communaute.config import SETTINGS  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def clean_env(monkeypatch):
    """No setting from the machine running the tests."""
    for setting in SETTINGS:
        monkeypatch.delenv(setting.name, raising=False)
    monkeypatch.delenv("FLASK_RUN_PORT", raising=False)
    monkeypatch.setenv("SECRET_KEY", "s" * 32)
    return monkeypatch


def test_every_variable_in_the_readme_is_read_from_the_table():
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Settings", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([A-Z0-9_]+)`", table, re.M))
    documented |= set(re.findall(r"`(MAIL_[A-Z0-9_]+|PRIVACY_[A-Z_]+)`", table))
    documented -= {"TEST_DATABASE_URL"}  # read by the test suite, not the app
    read = {s.name for s in SETTINGS}
    assert documented - read == set(), "documented but never read"
    assert read - documented - {"COMMUNAUTE_ENV"} == set(), "read but not in README's table"
    assert {"OUTBOX_RETENTION_DAYS", "MAIL_SMTPUTF8"} <= documented


def test_defaults_when_nothing_is_set(clean_env, tmp_path):
    cfg = load_config(str(tmp_path))
    assert cfg["MAIL_PORT"] == 25
    assert cfg["MAIL_SERVER"] is None
    assert cfg["OUTBOX_RETENTION_DAYS"] == 30
    assert cfg["MAIL_SMTPUTF8"] is False
    assert cfg["PAGE_CACHE_SECONDS"] == 30
    assert cfg["RATELIMIT_STORAGE_URI"] == "memory://"
    assert cfg["COMMUNAUTE_PUBLIC_URL"] == "http://127.0.0.1:5000"
    assert cfg["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'communaute.sqlite3'}"


def test_the_environment_is_parsed_by_type(clean_env, tmp_path):
    clean_env.setenv("MAIL_PORT", "2525")
    clean_env.setenv("MAIL_USE_TLS", "yes")
    clean_env.setenv("MAIL_SMTPUTF8", "1")
    clean_env.setenv("OUTBOX_RETENTION_DAYS", "7")
    clean_env.setenv("TRUSTED_HOSTS", "communaute.example, www.communaute.example")
    clean_env.setenv("DATABASE_URL", "postgresql+psycopg://db/communaute")
    clean_env.setenv("MAIL_SERVER", "")  # empty is unset
    cfg = load_config(str(tmp_path))
    assert cfg["MAIL_PORT"] == 2525
    assert cfg["MAIL_USE_TLS"] is True
    assert cfg["MAIL_SMTPUTF8"] is True
    assert cfg["OUTBOX_RETENTION_DAYS"] == 7
    assert cfg["TRUSTED_HOSTS"] == ["communaute.example", "www.communaute.example"]
    assert cfg["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://db/communaute"
    assert cfg["MAIL_SERVER"] is None


@pytest.mark.parametrize(
    ("name", "value"),
    [("MAIL_PORT", "vingt-cinq"), ("MAIL_USE_TLS", "peut-être"), ("OUTBOX_DELIVERY", "pigeon")],
)
def test_a_value_of_the_wrong_type_stops_the_app_with_the_variable_named(
    clean_env, tmp_path, name, value
):
    clean_env.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        load_config(str(tmp_path))


def test_email_links_follow_the_port_of_make_run(clean_env, tmp_path):
    clean_env.setenv("FLASK_RUN_PORT", "5001")
    assert load_config(str(tmp_path))["COMMUNAUTE_PUBLIC_URL"] == "http://127.0.0.1:5001"
    clean_env.setenv("COMMUNAUTE_PUBLIC_URL", "https://communaute.example/")
    assert load_config(str(tmp_path))["COMMUNAUTE_PUBLIC_URL"] == "https://communaute.example"


def _make_run_dry() -> str:
    """What ``make run PORT=5001`` would run, without running it (``make -n``)."""
    import subprocess

    return subprocess.run(
        ["make", "-n", "run", "PORT=5001"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout


def test_make_run_passes_the_port_to_flask_run():
    out = _make_run_dry()
    (serve,) = [line for line in out.splitlines() if "flask run" in line]
    assert "FLASK_RUN_PORT=5001" in serve.split()
    assert "--port" not in serve, "the port comes from FLASK_RUN_PORT, which the config reads"


def test_make_run_starts_the_outbox_worker_beside_the_server():
    """``make run`` sends its email as production does: a worker process beside the server,
    with the server told to leave delivery to it (else both would send, or neither)."""
    out = _make_run_dry()
    (worker,) = [line for line in out.splitlines() if "flask outbox worker" in line]
    (serve,) = [line for line in out.splitlines() if "flask run" in line]
    for line in (worker, serve):
        assert "OUTBOX_DELIVERY=worker" in line.split()
    assert worker.index("flask outbox worker") < worker.index("&"), "in the background"
    assert "kill $worker" in out, "stopped with the server"


def test_production_answers_only_to_the_public_host(clean_env, tmp_path):
    clean_env.setenv("COMMUNAUTE_ENV", "production")
    clean_env.setenv("COMMUNAUTE_PUBLIC_URL", "https://communaute.example")
    assert load_config(str(tmp_path))["TRUSTED_HOSTS"] == ["communaute.example"]
    clean_env.setenv("TRUSTED_HOSTS", "communaute.example,10.0.0.5")
    assert load_config(str(tmp_path))["TRUSTED_HOSTS"] == ["communaute.example", "10.0.0.5"]
    clean_env.delenv("TRUSTED_HOSTS")
    clean_env.setenv("COMMUNAUTE_ENV", "development")
    assert load_config(str(tmp_path))["TRUSTED_HOSTS"] is None, "any host in development"


def test_production_app_refuses_a_forged_host(clean_env, database_url, tmp_path):
    clean_env.setenv("COMMUNAUTE_ENV", "production")
    clean_env.setenv("COMMUNAUTE_PUBLIC_URL", "https://communaute.example")
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "INSTANCE_PATH": str(tmp_path)})
    client = app.test_client()
    assert client.get("/privacy", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/privacy", headers={"Host": "communaute.example"}).status_code == 200
