"""`make serve`: nginx in front of several gunicorn instances, on the production configuration.

Checks the settings, runs the migrations once, starts INSTANCES gunicorn instances (default 2) on
127.0.0.1:8001, 8002, ... and nginx on HOST:PORT (default 127.0.0.1:8000) in front of them, waits
until /healthz answers through nginx, and on Ctrl-C or SIGTERM stops exactly what it started.
Logs and nginx's pid file are in RUN_DIR (default instance/serve/).

Standard library only: tests/test_load.py starts the same stack through `Stack`.
"""

from __future__ import annotations

import contextlib
import http.client
import importlib.util
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "nginx.conf"
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
STATIC_ROOT = ROOT / "app" / "static"
NGINX = os.environ.get("NGINX", "/usr/sbin/nginx")
MIME_TYPES = "/etc/nginx/mime.types"
PLACEHOLDER = re.compile(r"\$\{([A-Z_]+)\}")
MIN_SECRET_KEY_LENGTH = 32  # as app/config.py


def _load_redact() -> Callable[[str], str]:
    """app/logredact.py's redact, loaded from its file: the app package itself is not imported."""
    spec = importlib.util.spec_from_file_location("_logredact", ROOT / "app" / "logredact.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module.redact


redact = _load_redact()


class ServeError(RuntimeError):
    """The stack cannot start; the message says why."""


def problems(env: Mapping[str, str]) -> list[str]:
    """What is missing or wrong in the environment for serving production, one line each."""
    found = []
    key = env.get("SECRET_KEY", "")
    if not key:
        found.append(
            "SECRET_KEY is not set: the same random key on every host, for example "
            "python3 -c 'import secrets; print(secrets.token_hex(32))'"
        )
    elif len(key) < MIN_SECRET_KEY_LENGTH:
        found.append(f"SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} characters long")
    url = env.get("DATABASE_URL", "")
    if not url:
        found.append("DATABASE_URL is not set, e.g. postgresql://user:password@dbhost:5432/site")
    elif not url.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        found.append(
            "DATABASE_URL must be a PostgreSQL URL (postgresql://...): several app servers "
            "cannot share a SQLite file"
        )
    if not env.get("PUBLIC_URL"):
        found.append("PUBLIC_URL is not set: the site's public address, e.g. https://example.dk")
    redis = env.get("REDIS_URL", "")
    if not redis:
        found.append(
            "REDIS_URL is not set, e.g. redis://127.0.0.1:6379/0: rate limits must be counted "
            "once for every instance, not per process"
        )
    elif not redis.startswith(("redis://", "rediss://", "unix://")):
        found.append("REDIS_URL must start with redis://, rediss:// or unix://")
    return found


def upstream_lines(ports: list[int], host: str = "127.0.0.1") -> str:
    return "\n".join(f"        server {host}:{port} max_fails=1 fail_timeout=5s;" for port in ports)


def files_owner() -> str:
    """The user and group that own the release's static files, for nginx's `user` directive: its
    workers read the files as their owner, also where a directory above them is closed to others
    (a clone inside `mktemp -d`, mode 0700). Without super-user rights nginx ignores the directive
    and its workers run as whoever started it."""
    import grp
    import pwd

    stat = STATIC_ROOT.stat()
    return f"{pwd.getpwuid(stat.st_uid).pw_name} {grp.getgrgid(stat.st_gid).gr_name}"


def render_nginx_conf(listen: str, upstream_ports: list[int], run_dir: Path) -> str:
    """deploy/nginx.conf with its placeholders filled in."""
    values = {
        "RUN_DIR": str(run_dir),
        "LISTEN": listen,
        "UPSTREAM_SERVERS": upstream_lines(upstream_ports),
        "STATIC_ROOT": str(STATIC_ROOT),
        "MIME_TYPES": MIME_TYPES,
        "FILES_OWNER": files_owner(),
    }

    def fill(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            raise ServeError(f"deploy/nginx.conf has an unknown placeholder ${{{name}}}")
        return values[name]

    return PLACEHOLDER.sub(fill, TEMPLATE.read_text())


def _pump(stream, path: Path) -> None:  # type: ignore[no-untyped-def]
    """Copy a child's output to a log file line by line, secret links replaced by their hash."""
    with path.open("a", encoding="utf-8") as log:
        for line in iter(stream.readline, ""):
            log.write(redact(line))
            log.flush()
    stream.close()


class Stack:
    """nginx on `port` in front of one gunicorn instance per port in `upstream_ports`."""

    def __init__(
        self,
        env: Mapping[str, str],
        port: int,
        upstream_ports: list[int],
        run_dir: Path,
        host: str = "127.0.0.1",
        python: str = sys.executable,
    ) -> None:
        self.env = {
            **env,
            "APP_ENV": "production",
            "FLASK_APP": "app",
            # nginx is the one proxy in front, unless the operator says there are more.
            "TRUSTED_PROXIES": env.get("TRUSTED_PROXIES") or "1",
        }
        self.port = port
        self.host = host
        self.upstream_ports = list(upstream_ports)
        self.run_dir = Path(run_dir)
        self.python = python
        self.instances: dict[int, subprocess.Popen] = {}
        self.nginx: subprocess.Popen | None = None
        self._pumps: list[threading.Thread] = []

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def check(self) -> None:
        found = problems(self.env)
        if found:
            raise ServeError("Cannot serve production:\n  " + "\n  ".join(found))
        if not Path(NGINX).exists():
            raise ServeError(f"{NGINX} is missing: make serve installs it (apt-get install nginx)")

    def migrate(self) -> None:
        """`flask db upgrade`, once for all instances."""
        subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
            [self.python, "-m", "flask", "db", "upgrade"],
            cwd=ROOT,
            env=self.env,
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def start_instance(self, port: int) -> subprocess.Popen:
        """One gunicorn instance (its master; the workers are its children)."""
        log = (self.run_dir / f"gunicorn-{port}.log").open("a")
        process = subprocess.Popen(  # noqa: S603
            [self.python, "-m", "gunicorn", "-c", str(GUNICORN_CONF), "app:create_app()"],
            cwd=ROOT,
            # nginx's access.log has every request once; the instances' own would say it again.
            env={"GUNICORN_ACCESS_LOG": "", **self.env, "BIND": f"127.0.0.1:{port}"},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches serve.py, which stops it in order
        )
        log.close()
        self.instances[port] = process
        return process

    def start_nginx(self) -> subprocess.Popen:
        conf = self.run_dir / "nginx.conf"
        conf.write_text(
            render_nginx_conf(f"{self.host}:{self.port}", self.upstream_ports, self.run_dir)
        )
        (self.run_dir / "tmp").mkdir(exist_ok=True)
        command = [NGINX, "-p", str(self.run_dir), "-c", str(conf), "-e", "stderr"]
        test = subprocess.run([*command, "-t", "-q"], capture_output=True, text=True)  # noqa: S603
        if test.returncode != 0:
            raise ServeError(f"nginx refuses {conf}:\n{redact(test.stderr)}")
        self.nginx = subprocess.Popen(  # noqa: S603
            [*command, "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        pump = threading.Thread(
            target=_pump, args=(self.nginx.stderr, self.run_dir / "nginx-error.log"), daemon=True
        )
        pump.start()
        self._pumps.append(pump)
        return self.nginx

    def start(self, timeout: float = 60.0) -> None:
        """Check, migrate, start every instance and nginx, and wait until the site answers."""
        self.check()
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.migrate()
        try:
            deadline = time.monotonic() + timeout
            for port in self.upstream_ports:
                self.start_instance(port)
            # Each instance first, straight: nginx would count an instance still starting as failed.
            self.wait_healthy(self.upstream_ports, deadline)
            self.start_nginx()
            self.wait_healthy([self.port], deadline)
        except BaseException:
            self.stop()
            raise

    def wait_healthy(self, ports: list[int], deadline: float) -> None:
        """Until /healthz answers 200 on each of these ports (poll, deadline), or ServeError."""
        for port in ports:
            while not self.answers(port, "/healthz"):
                for name, process in self.processes():
                    if process.poll() is not None:
                        raise ServeError(f"{name} stopped at start-up: see {self.run_dir}")
                if time.monotonic() > deadline:
                    raise ServeError(f"no answer from 127.0.0.1:{port}/healthz: see {self.run_dir}")
                time.sleep(0.1)

    def answers(self, port: int, path: str) -> bool:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", path)
            return connection.getresponse().status == 200
        except OSError:
            return False
        finally:
            connection.close()

    def processes(self) -> list[tuple[str, subprocess.Popen]]:
        found = [(f"gunicorn on port {port}", p) for port, p in self.instances.items()]
        if self.nginx is not None:
            found.append(("nginx", self.nginx))
        return found

    def stop_instance(self, port: int, timeout: float = 35.0) -> None:
        """SIGTERM: gunicorn finishes the requests under way, then exits (SIGKILL if it hangs)."""
        _stop(self.instances[port], signal.SIGTERM, timeout)

    def stop(self) -> None:
        """nginx first (no new requests), then every instance; only the processes started here."""
        if self.nginx is not None:
            _stop(self.nginx, signal.SIGQUIT, 10.0)  # graceful: lets requests under way finish
        for port in list(self.instances):
            self.stop_instance(port)
        for pump in self._pumps:
            pump.join(timeout=5)

    def __enter__(self) -> Stack:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _stop(process: subprocess.Popen, sig: int, timeout: float) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(sig)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


def main() -> int:
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "8000"))
    instances = int(os.environ.get("INSTANCES", "2"))
    first = int(os.environ.get("FIRST_PORT", str(port + 1)))
    run_dir = Path(os.environ.get("RUN_DIR", ROOT / "instance" / "serve"))
    stack = Stack(os.environ, port, [first + i for i in range(instances)], run_dir, host)

    stopping = threading.Event()

    def ask_to_stop(signum, frame):  # type: ignore[no-untyped-def]
        stopping.set()

    signal.signal(signal.SIGTERM, ask_to_stop)
    signal.signal(signal.SIGINT, ask_to_stop)
    try:
        stack.start()
    except (ServeError, subprocess.CalledProcessError) as error:
        print(error, file=sys.stderr)
        return 1
    ports = ", ".join(str(p) for p in stack.upstream_ports)
    print(f"Serving at {stack.url}/ : nginx in front of gunicorn on 127.0.0.1:{ports}")
    print(f"Logs in {run_dir}/ (Ctrl+C stops)", flush=True)
    status = 0
    while not stopping.wait(0.5):
        stopped = [name for name, process in stack.processes() if process.poll() is not None]
        if stopped:
            print(f"{', '.join(stopped)} stopped: stopping the rest", file=sys.stderr)
            status = 1
            break
    stack.stop()
    return status


if __name__ == "__main__":
    if shutil.which(NGINX) is None and not Path(NGINX).exists():
        print(f"{NGINX} is missing: apt-get install nginx", file=sys.stderr)
    sys.exit(main())
