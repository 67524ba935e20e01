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
