"""Application factory for the social-investment toolbox."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# Start-up makes about a hundred thousand objects that live as long as the process (modules,
# classes, routes, the content). The garbage collector's passes over them while they were made
# took about 0.3 s of 2.3 s of CPU on the bench machine and freed nothing. So it pauses while
# this module's imports and create_app run, and goes on as before after (collector_paused).
# What the imports made is then frozen (gc.freeze): the first collection after them took another
# 70 ms to find some 500 objects free. Frozen, they are left out of every later collection too,
# in gunicorn's master and in each worker it forks, whose shared copies of those pages of memory
# a collection's marks would unshare.
_COLLECTING = gc.isenabled()
gc.disable()

import hashlib  # noqa: E402  (the imports below run with the collector paused)
from pathlib import Path  # noqa: E402

from flask import Flask  # noqa: E402
from werkzeug.middleware.proxy_fix import ProxyFix  # noqa: E402

from app import (  # noqa: E402
    boundary,
    errors,
    i18n,
    logredact,
    public,
    security,
    templating,
    transactions,
)
from app.config import configure  # noqa: E402
from app.core import built  # noqa: E402
from app.core.content import load_library  # noqa: E402
from app.core.questionnaire_loader import load_questionnaires  # noqa: E402
from app.core.search import build_index  # noqa: E402
from app.extensions import babel, csrf, db, init_migrations  # noqa: E402
from app.routing import LazyBuildRule  # noqa: E402


@contextmanager
def collector_paused() -> Iterator[None]:
    """No garbage collection inside; afterwards it runs again if it ran before."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


# What shapes a drawn result page, chart or PDF (see RenderedFile): when any of it changes,
# stored drawings are made anew.
RENDER_INPUTS = (
    "templates/**/*.html",
    "translations/*/LC_MESSAGES/messages.po",
    "core/charts.py",
    "assessment/report.py",
    "static/css/*.css",
    "static/js/*.js",
    # The design system's files too: their URLs carry this fingerprint (?v=), and nginx lets
    # browsers keep them for a year (deploy/nginx.conf), so a new DKFDS must change it.
    "static/dkfds/css/*.css",
    "static/dkfds/js/*.js",
    "../content/**/*.md",
)


def render_version(root: Path) -> str:
    """A short fingerprint of the files that decide how a stored result looks."""
    digest = hashlib.sha256()
    for pattern in RENDER_INPUTS:
        for path in sorted(root.glob(pattern)):
            digest.update(str(path.relative_to(root.parent)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def built_content(app: Flask) -> tuple:
    """The content library, its search index and the questionnaires, built or read back."""
    content, questions = Path(app.config["CONTENT_DIR"]), Path(app.config["QUESTIONNAIRE_DIR"])

    def build() -> tuple:
        library = load_library(content, tuple(i18n.LANGUAGES))
        return library, build_index(library), load_questionnaires(questions)

    folder = Path(app.instance_path) / "built" if app.config["KEEP_BUILT_CONTENT"] else None
    return built.load_or_build(folder, built.fingerprint(content, questions), build)


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: configuration, extensions, content (loaded once) and blueprints."""
    with collector_paused():
        return _create_app(test_config)


def _create_app(test_config: dict | None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.url_rule_class = LazyBuildRule  # url_for's builders compiled on first use (app/routing.py)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    configure(app, test_config)
    logredact.install(app.logger)
    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    db.init_app(app)
    transactions.init_app(app, db)
    init_migrations(app)
    babel.init_app(app, locale_selector=i18n.current_language)
    csrf.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    boundary.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    public.init_app(app)

    app.config.setdefault("RENDER_VERSION", render_version(Path(app.root_path)))

    # Parsed and rendered once per release and kept (app/core/built.py); a broken file stops
    # start-up naming the file.
    library, search, questionnaires = built_content(app)
    app.extensions["library"] = library
    app.extensions["search"] = search
    app.extensions["sheets"] = {}  # XLSX bytes per (lang, slug), built on first download
    app.extensions["questionnaires"] = questionnaires

    from app import (
        commands,
        limits,
        models,  # noqa: F401  (register tables with SQLAlchemy and Alembic)
        retention,
    )
    from app.advisor import dashboard as _advisor_dashboard  # noqa: F401  (routes on advisor.bp)
    from app.advisor import exports as advisor_exports  # noqa: F401 (its routes join the blueprint)
    from app.advisor import programmes as advisor_programmes  # noqa: F401 (its routes on bp)
    from app.advisor import routes as advisor_routes
    from app.api.routes import bp as api_bp
    from app.assessment.read_only import bp as read_only_bp
    from app.assessment.routes import bp as assessment_bp
    from app.feedback.routes import bp as feedback_bp
    from app.health import bp as health_bp
    from app.main.routes import bp as main_bp
    from app.search.routes import bp as search_bp
    from app.simulator.routes import bp as simulator_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(feedback_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(assessment_bp)
    app.register_blueprint(read_only_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(simulator_bp)
    app.register_blueprint(advisor_routes.bp)
    advisor_routes.init_app(app)
    commands.init_app(app)  # backup, dev, advisors, export-static: imported when they are run
    retention.init_app(app)
    limits.init_app(app)
    return app


gc.freeze()  # see the top of this module
if _COLLECTING:
    gc.enable()  # paused at the top of this module
