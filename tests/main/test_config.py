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


def test_untrusted_host_header_is_refused_when_hosts_are_pinned(database_url, tmp_path):
    app = create_app(
        {
            "COMMUNAUTE_ENV": "testing",
            "SECRET_KEY": "x" * 32,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "TRUSTED_HOSTS": ["communaute.example"],
            "INSTANCE_PATH": str(tmp_path),
        }
    )
    client = app.test_client()
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
