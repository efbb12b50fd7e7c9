"""deploy/serve.py and deploy/nginx.conf, nothing started (tests/test_load.py runs them)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from deploy.serve import NGINX, PLACEHOLDER, Stack, problems, render_nginx_conf

GOOD = {
    "SECRET_KEY": "k" * 64,
    "DATABASE_URL": "postgresql://site@db/site",
    "PUBLIC_URL": "https://example.dk",
    "REDIS_URL": "redis://cache:6379/0",
}


def test_a_complete_production_environment_is_accepted():
    assert problems(GOOD) == []


def test_the_serve_script_names_every_missing_or_wrong_setting():
    found = problems({"DATABASE_URL": "sqlite:///x.db", "SECRET_KEY": "short"})
    assert len(found) == 4
    assert any("SECRET_KEY must be at least 32" in line for line in found)
    assert any("PostgreSQL" in line and "SQLite" in line for line in found)
    assert any(line.startswith("PUBLIC_URL is not set") for line in found)
    assert any(line.startswith("REDIS_URL is not set") for line in found)


def test_the_stack_refuses_to_start_without_them(tmp_path):
    from deploy.serve import ServeError

    with pytest.raises(ServeError, match="DATABASE_URL is not set"):
        Stack({"SECRET_KEY": "k" * 64}, 8000, [8001], tmp_path).start()
    assert not (tmp_path / "nginx.conf").exists()


def test_nginx_gets_every_instance_and_no_placeholder_is_left(tmp_path):
    conf = render_nginx_conf("127.0.0.1:9000", [9001, 9002, 9003], tmp_path)
    assert PLACEHOLDER.search(conf) is None
    for port in (9001, 9002, 9003):
        assert f"server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;" in conf
    assert "listen 127.0.0.1:9000;" in conf


def test_the_access_log_format_has_no_query_string_and_no_referer():
    text = (Path(__file__).resolve().parent.parent / "deploy" / "nginx.conf").read_text()
    log_format = text.split("log_format site", 1)[1].split(";", 1)[0]
    for leaking in ("$request_uri", "$request ", "$args", "$query_string", "$http_referer", "$uri"):
        assert leaking not in log_format, leaking


@pytest.mark.skipif(not Path(NGINX).exists(), reason=f"{NGINX} is missing (make setup-test)")
def test_nginx_accepts_the_configuration(tmp_path):
    conf = tmp_path / "nginx.conf"
    conf.write_text(render_nginx_conf("127.0.0.1:9000", [9001, 9002], tmp_path))
    (tmp_path / "tmp").mkdir()
    checked = subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-c", str(conf), "-e", "stderr"],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr


def test_rate_limits_can_be_changed_from_the_environment(monkeypatch):
    from app.config import from_environment

    monkeypatch.setenv("RATE_LIMITS", '{"forms": "60 per minute"}')
    assert from_environment()["RATE_LIMITS"] == {"forms": "60 per minute"}


@pytest.mark.parametrize("text", ['["forms"]', "forms=60", '{"forms": 60}'])
def test_rate_limits_that_are_no_json_object_of_texts_stop_start_up(monkeypatch, text):
    from app.config import ConfigError, from_environment

    monkeypatch.setenv("RATE_LIMITS", text)
    with pytest.raises(ConfigError, match="RATE_LIMITS"):
        from_environment()


def test_a_rate_limit_name_that_does_not_exist_stops_start_up(sqlite_url):
    from app.config import ConfigError
    from tests.conftest import make_app

    with pytest.raises(ConfigError, match="no limit called froms"):
        make_app(sqlite_url, RATE_LIMITS={"froms": "60 per minute"})
