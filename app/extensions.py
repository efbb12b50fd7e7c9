"""Flask extensions, created unbound and bound to the app in create_app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from flask import Flask
from flask_babel import Babel
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase

from app.transactions import RequestSession


class Base(DeclarativeBase):
    """Base class for the typed models."""


# GET and HEAD requests read on autocommit connections (app/transactions.py).
db = SQLAlchemy(model_class=Base, session_options={"class_": RequestSession})
babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()


# --- migrations: Flask-Migrate and Alembic, imported only when a migration is run --------------

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


class LazyMigrate:
    """Flask-Migrate's settings for one app, made when first asked for.

    Alembic takes about a fifth of the app's start-up to import and serves only `flask db` and the
    tests that build a schema; a worker never needs it. Flask-Migrate's functions read
    `app.extensions["migrate"]`: the first attribute asked of this stand-in sets Flask-Migrate up
    for real, which puts its own settings in that place and its `flask db` commands on app.cli.
    """

    def __init__(self, app: Flask) -> None:
        self.app = app

    def real(self) -> Any:
        from flask_migrate import Migrate

        Migrate(self.app, db, directory=str(MIGRATIONS))
        return self.app.extensions["migrate"]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real(), name)


class LazyDbCommands(click.Group):
    """`flask db …`: Flask-Migrate's own command group, loaded when it is used.

    Click runs a subcommand in the context its make_context returns, with that context's command:
    so handing over to Flask-Migrate's group there runs its options, callback and commands as
    they are, `--help` included.
    """

    def __init__(self, app: Flask) -> None:
        super().__init__(name="db", help="Database migrations (Flask-Migrate and Alembic).")
        self.app = app

    def real(self) -> click.Group:
        config = self.app.extensions["migrate"]
        if isinstance(config, LazyMigrate):
            config.real()
        from flask_migrate.cli import db as group

        return group

    def make_context(self, info_name, args, parent=None, **extra):  # type: ignore[no-untyped-def, override]
        return self.real().make_context(info_name, args, parent=parent, **extra)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self.real().list_commands(ctx)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return self.real().get_command(ctx, name)


def init_migrations(app: Flask) -> None:
    app.extensions["migrate"] = LazyMigrate(app)
    app.cli.add_command(LazyDbCommands(app))
