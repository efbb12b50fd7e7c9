"""Application factory for the social-investment toolbox."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from app import errors, i18n, security
from app.config import configure
from app.core.content import load_library
from app.core.questionnaire import load_questionnaires
from app.core.search import build_index
from app.extensions import babel, csrf, db, migrate


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: configuration, extensions, content (loaded once) and blueprints."""
    app = Flask(__name__, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    configure(app, test_config)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    babel.init_app(app, locale_selector=i18n.current_language)
    csrf.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    errors.init_app(app)

    # Parsed and rendered once; a broken file stops start-up naming the file.
    library = load_library(Path(app.config["CONTENT_DIR"]), tuple(i18n.LANGUAGES))
    app.extensions["library"] = library
    app.extensions["search"] = build_index(library)
    app.extensions["sheets"] = {}  # XLSX bytes per (lang, slug), built on first download
    app.extensions["questionnaires"] = load_questionnaires(Path(app.config["QUESTIONNAIRE_DIR"]))

    from app import (
        models,  # noqa: F401  (register tables with SQLAlchemy and Alembic)
        retention,
    )
    from app.api.routes import bp as api_bp
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
    app.register_blueprint(api_bp)
    app.register_blueprint(simulator_bp)
    retention.init_app(app)
    return app
