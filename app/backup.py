"""`flask backup create PATH` and `flask backup restore PATH`.

SQLite is copied page by page with its online backup API (`sqlite3.Connection.backup`), which is
safe while the app runs and writes; a restore goes back the same way into the live file, in one
step under SQLite's own lock, so that other processes read the restored database at their next
query. PostgreSQL is dumped with `pg_dump --format=custom` and restored with `pg_restore --clean
--if-exists --no-owner` in a single transaction: a restore that fails leaves the database as it
was. The password of the database URL goes to pg_dump and pg_restore in PGPASSWORD, never on their
command line (where any user of the machine could read it in the process list).

Before a restore the file is read and checked: a SQLite database that passes its integrity check,
or a pg_dump archive, with this site's tables and a schema revision this code knows. After it,
the database is counted again and must hold what the backup holds. A backup holds personal data
(answers, e-mail addresses), so its file is readable by its owner only.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select, text
from sqlalchemy.engine import URL, make_url

from app.extensions import db
from app.models import Assessment, AuditEvent, ReviewComment, Sending

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
# What a restore reports and checks: (table, what one row is called).
COUNTED = (
    ("assessment", "assessment(s)"),
    ("sending", "sending(s)"),
    ("review_comment", "review comment(s) and note(s)"),
    ("audit_event", "audit event(s)"),
)
MODELS = {
    "assessment": Assessment,
    "sending": Sending,
    "review_comment": ReviewComment,
    "audit_event": AuditEvent,
}
# Tables a backup of this site must have, whatever its schema revision.
REQUIRED = ("alembic_version", "assessment", "sending", "audit_event")
# How long a PostgreSQL restore waits for a table that an app server holds before it gives up.
LOCK_TIMEOUT = "30s"


class BackupError(click.ClickException):
    """The backup or restore was refused or failed; the message says why."""


@dataclass
class Contents:
    """What a backup file holds."""

    kind: str  # "SQLite" or "PostgreSQL"
    revision: str
    counts: dict[str, int]

    def summary(self) -> str:
        return ", ".join(f"{self.counts[table]} {label}" for table, label in COUNTED)


# --- where the database is ------------------------------------------------------------------------


def database_url() -> URL:
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def shown(url: URL) -> str:
    """The database URL as it may be printed: without its password."""
    return url.render_as_string(hide_password=True)


def libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URL for pg_dump and pg_restore, and the environment to run them in.

    SQLAlchemy's driver suffix (`+psycopg`) is dropped; the password, if any, goes to PGPASSWORD.
    """
    # Made anew: URL.set(password=None) would keep the password (None there means "unchanged").
    plain = URL.create(
        "postgresql", url.username, None, url.host, url.port, url.database, url.query
    )
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    env["PGOPTIONS"] = f"{env.get('PGOPTIONS', '')} -c lock_timeout={LOCK_TIMEOUT}".strip()
    return plain.render_as_string(hide_password=False), env


def sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        raise BackupError(f"Cannot back up {shown(url)}: only a SQLite file can be backed up.")
    return Path(url.database)


def known_revision(revision: str) -> tuple[bool, bool]:
    """Whether this code's migrations know the revision, and whether it is their newest."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())
    try:
        known = script.get_revision(revision) is not None
    except Exception:  # alembic raises its own errors for an unknown or malformed id
        return False, False
    return known, revision in script.get_heads()


def counts_in_database() -> dict[str, int]:
    return {t: db.session.scalar(select(func.count()).select_from(MODELS[t])) for t, _ in COUNTED}


def run(command: list[str], env: dict[str, str], what: str) -> subprocess.CompletedProcess:
    if shutil.which(command[0]) is None:
        raise BackupError(
            f"{command[0]} is not installed; PostgreSQL backups need pg_dump and pg_restore of the "
            "server's major version (Debian: apt-get install postgresql-client)."
        )
    # Fixed programs with arguments built here; no shell.
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{what} failed ({command[0]} exited with {done.returncode}):\n"
                          f"{done.stderr.strip()}")  # fmt: skip
    return done


# --- reading a backup file ------------------------------------------------------------------------


def magic_of(path: Path) -> bytes:
    if not path.is_file():
        raise BackupError(f"{path} does not exist or is not a file.")
    with path.open("rb") as file:
        return file.read(16)


def read_sqlite(path: Path) -> Contents:
    """What a SQLite backup holds; refused unless it is a sound database of this site."""
    magic = magic_of(path)
    if magic.startswith(PGDUMP_MAGIC):
        raise BackupError(
            f"{path} is a PostgreSQL dump, not a SQLite backup: restore it with DATABASE_URL "
            "set to a PostgreSQL database."
        )
    if magic != SQLITE_MAGIC:
        raise BackupError(f"{path} is not a backup made by 'flask backup create': not SQLite.")
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            check = conn.execute("PRAGMA integrity_check").fetchall()
            if check != [("ok",)]:
                problems = "; ".join(row[0] for row in check[:5])
                raise BackupError(f"{path} is damaged (SQLite integrity check: {problems}).")
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
            missing = [t for t in REQUIRED if t not in tables]
            if missing:
                raise BackupError(
                    f"{path} is a SQLite database but not a backup of this site "
                    f"(no table {', '.join(missing)})."
                )
            revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            counts = {
                t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608 (fixed names)
                for t, _ in COUNTED
            }
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} cannot be read as a SQLite database: {error}.") from error
    return Contents("SQLite", revision[0] if revision else "", counts)


COPY_RE = re.compile(r"^COPY public\.(\w+) .* FROM stdin;$")


def read_pgdump(path: Path) -> Contents:
    """What a pg_dump archive holds; refused unless it is a custom-format dump of this site.

    Its table of contents names the tables; the rows of the counted tables are read back out of it
    (COPY text has one line per row), which also proves that their data can be restored.
    """
    magic = magic_of(path)
    if magic == SQLITE_MAGIC:
        raise BackupError(
            f"{path} is a SQLite backup, not a PostgreSQL dump: restore it with DATABASE_URL "
            "set to a SQLite file."
        )
    if not magic.startswith(PGDUMP_MAGIC):
        raise BackupError(
            f"{path} is not a backup made by 'flask backup create': not a pg_dump archive."
        )
    listing = run(["pg_restore", "--list", str(path)], dict(os.environ), f"Reading {path}").stdout
    tables = set(re.findall(r" TABLE DATA public (\w+) ", listing))
    missing = [t for t in REQUIRED if t not in tables]
    if missing:
        raise BackupError(
            f"{path} is a PostgreSQL dump but not a backup of this site "
            f"(no table {', '.join(missing)})."
        )
    command = ["pg_restore", "--data-only", "--file=-"]
    command += [f"--table={t}" for t in ("alembic_version", *(t for t, _ in COUNTED))]
    data = run([*command, str(path)], dict(os.environ), f"Reading {path}").stdout
    counts = {t: 0 for t, _ in COUNTED}
    revision, table = "", None
    for line in data.splitlines():
        if table is None:
            match = COPY_RE.match(line)
            table = match.group(1) if match else None
        elif line == "\\.":
            table = None
        elif table == "alembic_version":
            revision = line.strip()
        elif table in counts:
            counts[table] += 1
    return Contents("PostgreSQL", revision, counts)


def read_backup(path: Path, dialect: str) -> Contents:
    return read_sqlite(path) if dialect == "sqlite" else read_pgdump(path)


# --- create ---------------------------------------------------------------------------------------


def partial_file(path: Path) -> Path:
    """An empty file beside the target, readable by its owner only, to write the backup into."""
    partial = path.with_name(f".{path.name}.partial-{os.getpid()}")
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    return partial


def create(path: Path, force: bool) -> Contents:
    """Write a backup of the app's database to path (not over an existing file unless force)."""
    url = database_url()
    dialect = url.get_backend_name()
    if dialect not in ("sqlite", "postgresql"):
        raise BackupError(f"Cannot back up a {dialect} database: only SQLite and PostgreSQL.")
    if path.exists() and not force:
        raise BackupError(f"{path} already exists; use --force to overwrite it.")
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent} is not a directory.")
    partial = partial_file(path)
    try:
        if dialect == "sqlite":
            source = sqlite_path(url)
            if not source.is_file():
                raise BackupError(f"There is no database at {source}.")
            with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(partial)) as dst:
                src.backup(dst)
        else:
            address, env = libpq(url)
            command = ["pg_dump", "--format=custom", f"--file={partial}", f"--dbname={address}"]
            run(command, env, "pg_dump")
        contents = read_backup(partial, dialect)
        if force:
            partial.replace(path)
        else:
            # A link fails if someone made the file meanwhile: nothing is ever overwritten.
            try:
                os.link(partial, path)
            except FileExistsError as error:
                raise BackupError(f"{path} already exists; use --force to overwrite it.") from error
    finally:
        partial.unlink(missing_ok=True)
    return contents


# --- restore --------------------------------------------------------------------------------------


def restore(path: Path) -> tuple[Contents, list[str]]:
    """Put a backup back over the app's database, check it, and say what was done."""
    url = database_url()
    dialect = url.get_backend_name()
    if dialect not in ("sqlite", "postgresql"):
        raise BackupError(f"Cannot restore into a {dialect} database: only SQLite and PostgreSQL.")
    contents = read_backup(path, dialect)
    known, newest = known_revision(contents.revision)
    if not known:
        raise BackupError(
            f"{path} has schema revision {contents.revision or '(none)'}, which this version "
            "of the site does not know: restore it with the version that made it."
        )
    steps: list[str] = []
    db.session.remove()
    db.engine.dispose()
    steps.append(
        "Closed this process's pooled database connections; app servers still running keep "
        "theirs and read the restored data at their next query."
    )
    if dialect == "sqlite":
        target = sqlite_path(url)
        if target.exists() and path.resolve() == target.resolve():
            raise BackupError(f"{path} is the database itself.")
        try:
            with (
                closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as src,
                closing(sqlite3.connect(target, timeout=30)) as dst,
            ):
                src.backup(dst)
        except sqlite3.Error as error:
            raise BackupError(f"Restoring into {target} failed: {error}.") from error
        with closing(sqlite3.connect(target)) as conn:
            check = conn.execute("PRAGMA integrity_check").fetchall()
        if check != [("ok",)]:
            raise BackupError(f"{target} fails its integrity check after the restore: {check[:5]}")
        steps.append(f"Copied {path} into {target} with SQLite's backup API; integrity check: ok.")
    else:
        address, env = libpq(url)
        command = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction"]
        command += ["--exit-on-error", f"--dbname={address}", str(path)]
        run(command, env, "pg_restore (nothing was changed: it runs in one transaction)")
        steps.append(f"Restored {path} into {shown(url)} with pg_restore, in one transaction.")
    found = counts_in_database()
    revision = db.session.scalar(text("SELECT version_num FROM alembic_version"))
    db.session.remove()
    if found != contents.counts or revision != contents.revision:
        raise BackupError(
            f"The restored database does not hold what the backup holds: {found} and revision "
            f"{revision}, against {contents.counts} and {contents.revision}."
        )
    steps.append("Checked: the database holds the backup's rows and its schema revision.")
    if not newest:
        steps.append(
            f"The backup's schema revision {contents.revision} is older than this code's: "
            "run 'flask db upgrade' now."
        )
    return contents, steps


# --- the commands ---------------------------------------------------------------------------------

backup = AppGroup("backup", help="Back up the database to a file, or restore it from one.")


def size(path: Path) -> str:
    octets = path.stat().st_size
    return f"{octets / 1024:.1f} KiB" if octets < 1024 * 1024 else f"{octets / 2**20:.1f} MiB"


@backup.command("create")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
def create_command(path: Path, force: bool) -> None:
    """Write a backup of the database to PATH (SQLite: a copy; PostgreSQL: a pg_dump archive)."""
    started = time.perf_counter()
    contents = create(path, force)
    took = time.perf_counter() - started
    click.echo(
        f"Wrote {contents.kind} backup {path} ({size(path)}, schema revision "
        f"{contents.revision}) in {took:.2f} s. It holds {contents.summary()}."
    )


@backup.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def restore_command(path: Path) -> None:
    """Replace the database's contents with the backup in PATH, then check them."""
    started = time.perf_counter()
    contents, steps = restore(path)
    took = time.perf_counter() - started
    for step in steps:
        click.echo(step)
    click.echo(f"Restored {contents.kind} backup {path} in {took:.2f} s: {contents.summary()}.")
