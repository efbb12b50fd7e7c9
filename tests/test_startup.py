"""A worker starts light: heavy libraries load when first needed, and workers share a preloaded app.

Start-up time and a worker's memory are measured by bench/run.py, not asserted here.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml
from sqlalchemy import text

from app.advisor import passwords
from app.core import yamlio
from app.extensions import db
from tests.assessment_helpers import start
from tests.conftest import ROOT, make_app, migrate_fresh
from tests.load_client import workers_of

HEAVY = ("matplotlib", "openpyxl", "weasyprint")
# Needed only to build the content (a start-up reads it built: app/core/built.py), by a command
# (app/commands.py, `flask db`) or by a rarely asked-for page (the OpenAPI document): none of
# them is imported by create_app.
NOT_AT_START = (
    "alembic",
    "app.advisor.cli",
    "app.backup",
    "app.devtools",
    "app.static_export",
    "flask_migrate",
    "markdown",
    "yaml",
)

# Run in a fresh interpreter: what the test process imported elsewhere must not count.
PROBE = """
import json, sys
from app import create_app
from app.extensions import db
from tests.assessment_helpers import answer_all, start

HEAVY = ("matplotlib", "openpyxl", "weasyprint")
loaded = lambda: sorted(m for m in HEAVY if m in sys.modules)
seen = {}
app = create_app({"TESTING": True, "SECRET_KEY": "x", "WTF_CSRF_ENABLED": False,
                  "RATELIMIT_ENABLED": False, "SQLALCHEMY_DATABASE_URI": sys.argv[1]})
with app.app_context():
    pool = db.engine.pool
    seen["connections_after_create_app"] = pool.checkedin() + pool.checkedout()
seen["create_app"] = loaded()
seen["create_app_not_at_start"] = sorted(m for m in sys.argv[2].split() if m in sys.modules)
from flask_migrate import upgrade
with app.app_context():
    upgrade()
client = app.test_client()
for path in ("/livez", "/da/", "/da/vaerktoejskasse/", "/da/vaerktoejskasse/betalingsmodel",
             "/sv/verktygslada/", "/da/skabeloner/", "/da/soeg?q=kommune"):
    assert client.get(path).status_code == 200, path
token = start(client)
answer_all(client, "da", token, app.extensions["questionnaires"]["kommune"])
assert client.post(f"/da/selvevaluering/{token}/indsend").status_code == 302
seen["toolbox_and_questionnaire"] = loaded()
template = next(p for p in app.extensions["library"].list("da", "templates") if p.download)
assert client.get(f"/da/skabeloner/{template.slug}.xlsx").status_code == 200
seen["template_xlsx"] = loaded()
assert client.get(f"/da/selvevaluering/{token}/resultat").status_code == 200
seen["result_radar"] = loaded()
assert client.get(f"/da/selvevaluering/{token}/rapport.pdf").status_code == 200
seen["report_pdf"] = loaded()
print(json.dumps(seen))
"""


def test_heavy_libraries_load_only_on_the_paths_that_need_them(tmp_path):
    make_app(
        "sqlite://"
    )  # the content built and kept (instance/built/), as after a release's first start
    result = subprocess.run(
        [sys.executable, "-c", PROBE, f"sqlite:///{tmp_path / 'probe.db'}", " ".join(NOT_AT_START)],
        cwd=ROOT, capture_output=True, text=True, check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    # Building the app opens no database connection (gunicorn forks workers after it).
    assert seen["connections_after_create_app"] == 0
    assert seen["create_app"] == []
    assert seen["create_app_not_at_start"] == []
    assert seen["toolbox_and_questionnaire"] == []
    assert seen["template_xlsx"] == ["openpyxl"]
    assert seen["result_radar"] == ["matplotlib", "openpyxl"]
    assert seen["report_pdf"] == ["matplotlib", "openpyxl", "weasyprint"]


def test_a_pooled_connection_that_died_is_replaced_not_used(db_app):
    with db_app.app_context():
        engine = db.engine
        engine.dispose()  # the pool is empty: the next connection is the one killed below
        pooled = engine.raw_connection()
        pooled.dbapi_connection.close()  # as a database restart would leave it
        pooled.close()  # back in the pool, dead
        with engine.connect() as connection:
            assert connection.execute(text("SELECT 1")).scalar() == 1


def test_the_yaml_parser_reads_every_file_as_the_pure_python_one_does():
    sources = [
        *Path(ROOT, "questionnaires").rglob("*.yaml"),
        *Path(ROOT, "content").rglob("*.yaml"),
    ]
    sources += [ROOT / "app" / "api" / "openapi.yaml"]
    front = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
    texts = [path.read_text(encoding="utf-8") for path in sources]
    pages = Path(ROOT, "content").glob("*/*/*.md")  # every page's front matter
    texts += [front.match(page.read_text(encoding="utf-8")).group(1) for page in pages]
    assert len(texts) > 60
    for text_ in texts:
        assert yamlio.safe_load(text_) == yaml.safe_load(text_)
    with pytest.raises(yaml.YAMLError):
        yamlio.safe_load("key: [unclosed")


def test_two_preloaded_gunicorn_workers_each_use_the_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'g.db'}"
    migrate_fresh(make_app(url))
    tokens = [start(make_app(url).test_client()) for _ in range(6)]
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "g" * 40, "APP_ENV": "test",
           "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2",
           "PYTHONPATH": str(ROOT)}  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py",
         "--access-logfile", "/dev/null", "app:create_app()"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        _wait_for(port)
        for _ in range(100):  # the second worker may still be on its way
            workers = set(workers_of(process.pid))
            if len(workers) == 2:
                break
            time.sleep(0.1)
        assert len(workers) == 2
        for _ in range(3):
            for token in tokens:  # each page is found in the database (an unknown link is a 404)
                page = f"http://127.0.0.1:{port}/da/selvevaluering/{token}/trin/1"
                with urllib.request.urlopen(page) as response:
                    assert response.status == 200
        unknown = f"http://127.0.0.1:{port}/da/selvevaluering/{'x' * 43}/trin/1"
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(unknown)
        assert refused.value.code == 404
        refused.value.close()
        assert set(workers_of(process.pid)) == workers  # no worker died on a shared connection
    finally:
        process.send_signal(signal.SIGTERM)
        _, errors = process.communicate(timeout=20)
    assert "Traceback" not in errors.decode(), errors.decode()[-3000:]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(port: int) -> None:
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/livez").read()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("gunicorn did not start")


def test_the_stand_in_hash_for_unknown_addresses_is_as_slow_as_a_real_one():
    # Made beforehand so that no worker hashes at start-up; it must carry the current settings,
    # or a login with an unknown address would take a different time than a wrong password.
    assert not passwords.HASHER.check_needs_rehash(passwords._DUMMY_HASH)
    assert passwords.HASHER.verify(passwords.dummy_hash(), "not a password of any account")
    assert passwords.verify(None, "not a password of any account") is False


def test_the_collector_paused_for_start_up_runs_again_after_it():
    # In a fresh interpreter, as gunicorn starts: collection paused for the import and create_app
    # would otherwise stay off in every worker, and memory held in cycles would never be freed.
    code = (
        "import gc, sys\n"
        "import app\n"
        "after_import = gc.isenabled()\n"
        "app.create_app({'TESTING': True, 'SECRET_KEY': 'x', 'SQLALCHEMY_DATABASE_URI': 'sqlite://'})\n"
        "after_create = gc.isenabled()\n"
        "gc.disable()\n"
        "app.create_app({'TESTING': True, 'SECRET_KEY': 'x', 'SQLALCHEMY_DATABASE_URI': 'sqlite://'})\n"
        "print(after_import, after_create, gc.isenabled())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    # A caller that turned collection off itself finds it still off.
    assert result.stdout.split() == ["True", "True", "False"]


def test_every_route_builds_the_url_werkzeug_builds_with_its_builders_made_on_first_use():
    from werkzeug.routing import Map, Rule
    from werkzeug.routing.converters import AnyConverter, IntegerConverter, PathConverter

    def sample(converter) -> object:  # a value each converter takes
        if isinstance(converter, AnyConverter):
            return sorted(converter.items)[0]
        if isinstance(converter, IntegerConverter):
            return 7
        return "a/b c" if isinstance(converter, PathConverter) else "æ b"

    app = make_app("sqlite://")  # its own: no other test has built a URL with it yet
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]
    assert len(rules) > 100
    # Start-up left the builders uncompiled: stand-ins, each replaced by its first call.
    first = {rule._build.__name__ for rule in rules} | {r._build_unknown.__name__ for r in rules}
    assert first == {"build_first"}
    # The same rules as Werkzeug's own class makes them, builders compiled as they join the map.
    eager = Map([Rule(rule.rule, **rule.get_empty_kwargs()) for rule in rules])
    made = {rule.rule: rule for rule in eager.iter_rules()}
    for rule in rules:
        values = {name: sample(rule._converters[name]) for name in rule._converters}
        for extra in ({}, {"q": "x y", "page": 2}):
            for append_unknown in (True, False):
                wanted = made[rule.rule].build({**values, **extra}, append_unknown)
                assert rule.build({**values, **extra}, append_unknown) == wanted, rule.rule
                assert rule.build({**values, **extra}, append_unknown) == wanted, rule.rule  # again
    assert "build_first" not in {rule._build.__name__ for rule in rules}
    with app.test_request_context():
        from flask import url_for

        assert url_for("health.livez", probe=1) == "/livez?probe=1"


def test_the_commands_imported_when_used_are_listed_and_run_as_their_own():
    runner = make_app("sqlite://").test_cli_runner()
    listing = runner.invoke(args=["--help"])
    assert listing.exit_code == 0, listing.output
    for line in (
        "advisors       Make and change the fund's advisor accounts.",
        "backup         Back up the database to a file, or restore it from one.",
        "dev            Development helpers (refused when APP_ENV=production).",
        "export-static  Write the public site in both languages as files into...",
        "purge          Delete expired assessments, page feedback and audit events.",
    ):
        assert line in listing.output
    group = runner.invoke(args=["backup", "--help"])
    assert group.exit_code == 0 and "create " in group.output and "restore " in group.output
    options = runner.invoke(args=["dev", "seed", "--help"])
    assert options.exit_code == 0 and "--seed" in options.output
    unknown = runner.invoke(args=["backup", "bogus"])
    assert unknown.exit_code == 2 and "No such command 'bogus'" in unknown.output
    refused = runner.invoke(args=["export-static", "/nonexistent/x", "--public-url", "ftp://x"])
    assert refused.exit_code == 1 and "set PUBLIC_URL or pass --public-url" in refused.output
