"""Rules that hold for every route and module, so that a new one cannot quietly break them."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Assessment
from app.security import HEADERS
from tests.assessment_helpers import answer_all, start
from tests.conftest import ROOT
from tests.helpers import check_page

NON_HTML = {"static", "health.healthz", "health.livez"}


@pytest.fixture
def sample_values(app, client) -> dict:
    """A real value for every kind of URL argument."""
    token = start(client)
    answer_all(client, "da", token, app.extensions["questionnaires"]["kommune"])
    client.post(f"/da/selvevaluering/{token}/indsend")
    client.post(f"/da/selvevaluering/{token}/laeseadgang/opret")  # the read-only link
    with app.app_context():
        view_token = db.session.scalar(select(Assessment.view_token))
    library = app.extensions["library"]
    return {"token": token, "number": 1, "sending_id": 1, "programme_id": 1, "action": "start",
            "view_token": view_token, "library": library}  # fmt: skip


def every_get_url(app, values: dict) -> list[tuple[str, str]]:
    """(endpoint, url) for every GET rule of the app, with real arguments filled in."""
    library = values["library"]
    kind_of = {"main.step": "steps", "main.case": "cases", "main.template": "templates",
               "main.template_download": "templates", "main.page": "pages"}  # fmt: skip
    found = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint == "static":
            continue
        lang = (rule.defaults or {}).get("lang_code", "da")
        args = {}
        for name in rule.arguments - set(rule.defaults or {}):
            if name == "slug":
                pages = library.list(lang, kind_of[rule.endpoint])
                page = next((p for p in pages if p.download), pages[0])
                args["slug"] = page.slug
            elif name == "questionnaire_id":
                args[name] = "kommune"
            else:
                args[name] = values[name]
        found.append((rule.endpoint, rule.build(args)[1] if args or rule.arguments else rule.rule))
    return found


def test_every_get_route_answers_with_the_security_headers_and_html_pages_are_whole(
    app, client, sample_values
):
    urls = every_get_url(app, sample_values)
    assert len(urls) > 40
    for endpoint, url in urls:
        response = client.get(url)
        assert response.status_code < 500, (endpoint, url)
        for name, value in HEADERS.items():
            assert response.headers.get(name) == value, (endpoint, url, name)
        if response.mimetype == "text/html" and response.status_code == 200:
            check_page(response.get_data(as_text=True), url)
        response.close()


def test_the_core_imports_no_flask():
    for path in sorted((ROOT / "app" / "core").glob("*.py")):
        tree = ast.parse(path.read_text())
        imported = {
            alias.name.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in (
                node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")]
            )
        }
        assert not imported & {"flask", "flask_babel", "flask_wtf", "flask_sqlalchemy"}, path.name


def test_matplotlib_and_weasyprint_load_only_when_something_is_drawn():
    code = (
        "import sys; from app import create_app; "
        "create_app({'TESTING': True, 'SECRET_KEY': 'x', 'SQLALCHEMY_DATABASE_URI': 'sqlite://'}); "
        "print(sorted(m for m in ('matplotlib', 'weasyprint', 'openpyxl') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_no_template_holds_inline_script_or_style():
    for path in Path(ROOT / "app" / "templates").rglob("*.html"):
        text = path.read_text()
        assert "<style" not in text and " style=" not in text, path
        assert "<script>" not in text and "<script " not in text.replace("<script src=", ""), path


def imported_top_level_modules(paths) -> set[str]:
    """Every top-level module the files import (relative imports left out)."""
    found = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module.split(".")[0])
    return found


def declared_distributions() -> set[str]:
    """The distributions pyproject.toml installs for the app (not the test tools)."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["postgres"]]
    return {
        re.split(r"[<>=\[; ]", spec, maxsplit=1)[0].lower().replace("_", "-") for spec in wanted
    }


def test_every_package_the_app_imports_is_a_declared_dependency():
    from importlib.metadata import packages_distributions, requires

    paths = [*(ROOT / "app").rglob("*.py"), *(ROOT / "deploy").glob("*.py")]
    modules = imported_top_level_modules(paths) - set(sys.stdlib_module_names) - {"app"}
    providers = packages_distributions()
    declared = declared_distributions()
    # A declared package's own requirements come with it (flask brings werkzeug and jinja2).
    brought = set(declared)
    for name in declared:
        for requirement in requires(name) or []:
            if "extra ==" not in requirement:
                brought.add(re.split(r"[<>=\[; (!~]", requirement, maxsplit=1)[0].lower())
    missing = {
        module: providers.get(module)
        for module in modules
        if not {d.lower().replace("_", "-") for d in providers.get(module, [])} & brought
    }
    assert not missing, f"imported but not declared in pyproject.toml: {missing}"


def test_the_e_mail_check_that_wtforms_loads_lazily_is_declared():
    assert "email-validator" in declared_distributions()
