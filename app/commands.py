"""`flask` commands that are imported from their modules only when one of them is used.

The command-line tools (backup, dev, advisors, export-static) serve an operator, never a request:
their modules and what only they import stay out of every web worker and out of its start-up.
"""

from __future__ import annotations

import importlib

import click
from flask import Flask

# name on the command line -> "module:the click command or group in it"
COMMANDS = {
    "backup": "app.backup:backup",
    "dev": "app.devtools:dev",
    "advisors": "app.advisor.cli:advisors",
    "export-static": "app.static_export:export_static",
}


class LazyCommand(click.Command):
    """Stands for a command of another module, which is imported when the command is run.

    Click runs a subcommand in the context its make_context returns, with that context's command:
    handing over to the real command there runs its options, callback and subcommands as they
    are, `--help` included. `flask --help` asks each command for its line of help, and so imports
    them all (the listing, unlike a worker, needs them).
    """

    def __init__(self, name: str, target: str) -> None:
        super().__init__(name=name)
        self.target = target

    def real(self) -> click.Command:
        module, _, attribute = self.target.partition(":")
        command: click.Command = getattr(importlib.import_module(module), attribute)
        return command

    def make_context(self, info_name, args, parent=None, **extra):  # type: ignore[no-untyped-def, override]
        return self.real().make_context(info_name, args, parent=parent, **extra)

    def get_short_help_str(self, limit: int = 45) -> str:
        return self.real().get_short_help_str(limit)


def init_app(app: Flask) -> None:
    for name, target in COMMANDS.items():
        app.cli.add_command(LazyCommand(name, target))
