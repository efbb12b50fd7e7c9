"""gunicorn settings for production: `gunicorn -c deploy/gunicorn.conf.py 'app:create_app()'`."""

import gc
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# One line per request on stdout; GUNICORN_ACCESS_LOG="" turns it off where a proxy in front
# keeps the access log (make serve: nginx's access.log). Writing it cost about 0.25 ms of a
# worker's CPU per request, a sixth of what gunicorn itself spends on a request.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
# Secret links in paths and referrers are logged as short hashes, never as themselves.
logger_class = "app.gunicorn_logging.RedactingLogger"
# The app is built once in the master, before the workers are forked: its content, search index
# and questionnaires are then pages the workers share rather than one copy each, and a worker
# that is replaced starts at once. (Code changes then need a restart, not a HUP.)
preload_app = True


def post_fork(server, worker):  # type: ignore[no-untyped-def]
    """Give each worker database pools of its own.

    create_app opens no connection, but should anything in the master ever have done so, a
    connection shared by two processes corrupts both: the child drops the pooled ones it
    inherited without closing them (SQLAlchemy's `dispose(close=False)`), leaving the parent's
    intact, and opens its own on first use.
    """
    from app.extensions import db

    flask_app = server.app.wsgi()
    with flask_app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)


def pre_fork(server, worker):  # type: ignore[no-untyped-def]
    """Freeze what the preloaded app made out of the garbage collector before each fork.

    The content, questionnaires and routes live as long as the worker; a collection that walks
    them frees nothing, costs time on requests, and writes to the pages a worker shares with
    the master, so that each worker ends up with its own copy (gc.freeze, as the Python docs
    advise for a pre-fork server).
    """
    gc.freeze()
