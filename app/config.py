"""Configuration: defaults here, then instance/config.py, then environment variables."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Environment variables the app reads (documented in README.md).
ENV_VARS = (
    "APP_ENV",
    "SECRET_KEY",
    "DATABASE_URL",
    "CONTENT_DIR",
    "QUESTIONNAIRE_DIR",
    "MAX_CONTENT_LENGTH",
    "TRUSTED_PROXIES",
    "REDIS_URL",
    "RATELIMIT_ENABLED",
    "RATE_LIMITS",
    "PUBLIC_URL",
    "MAIL_SERVER",
    "MAIL_PORT",
    "MAIL_USE_TLS",
    "MAIL_USE_SSL",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_FROM",
)


APP_ENVS = ("development", "test", "production")
# A session-signing key must resist guessing: 32 characters of hex or base64 carry 128 bits or more.
MIN_SECRET_KEY_LENGTH = 32


class ConfigError(RuntimeError):
    """The app cannot start with this configuration."""


def defaults(instance_path: str) -> dict:
    """Settings that hold unless the instance file or the environment say otherwise."""
    return {
        "APP_ENV": "development",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(instance_path) / 'app.db'}",
        # A connection that died with a database restart is noticed and replaced, not used.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "CONTENT_DIR": str(PROJECT_ROOT / "content"),
        "QUESTIONNAIRE_DIR": str(PROJECT_ROOT / "questionnaires"),
        "BABEL_DEFAULT_LOCALE": "da",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": False,
        # Long questionnaires must not lose answers to an aged token.
        "WTF_CSRF_TIME_LIMIT": 24 * 3600,
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "SEND_FILE_MAX_AGE_DEFAULT": 3600,
        # How many reverse proxies in front may set X-Forwarded-*: the secret links shown to
        # respondents must carry the public https address, not the app server's.
        "TRUSTED_PROXIES": 0,
        # Rate-limit counts: in this process unless REDIS_URL is set (see app/limits.py).
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://",
        # Questionnaire pages filled in from a skeleton drawn once (app/assessment/step_page.py);
        # False draws every page in full, which tests/test_step_page.py compares it with.
        "STEP_SKELETONS": True,
        # Content, search index and questionnaires kept in instance/built/ per release
        # (app/core/built.py), so a start-up reads them back instead of building them.
        "KEEP_BUILT_CONTENT": True,
        # No X-RateLimit-* headers on every limited response: reading the window for them cost
        # two Redis round trips a request. A refusal (429) still says when to come back
        # (Retry-After, app/limits.py).
        "RATELIMIT_HEADERS_ENABLED": False,
        # A Redis that is down must not take the site with it: requests then go unlimited.
        "RATELIMIT_SWALLOW_ERRORS": True,
        # The site's public address (https://host[/prefix]) for secret links and the PDF's links;
        # empty in development, where the request's own host is used.
        "PUBLIC_URL": "",
        # Mail (app/mail.py). Without MAIL_SERVER mails go to the log, secret links hashed.
        "MAIL_SERVER": "",
        "MAIL_PORT": 587,
        "MAIL_USE_TLS": True,  # STARTTLS after connecting
        "MAIL_USE_SSL": False,  # TLS from the start (port 465)
        "MAIL_USERNAME": "",
        "MAIL_PASSWORD": "",
        "MAIL_FROM": "no-reply@socialeinvesteringer.example",
        "MAIL_TIMEOUT": 10,
        # Advisor sessions (app/advisor): logged out after 30 minutes without a request, warned
        # 5 minutes before, and after 12 hours whatever happens; the step between password and
        # second factor lasts 5 minutes.
        "ADVISOR_IDLE_TIMEOUT": 30 * 60,
        "ADVISOR_IDLE_WARNING": 25 * 60,
        "ADVISOR_ABSOLUTE_TIMEOUT": 12 * 3600,
        "ADVISOR_PENDING_TIMEOUT": 5 * 60,
        # The name an authenticator app shows next to the code.
        "ADVISOR_TOTP_ISSUER": "Sociale investeringer",
    }


def from_environment() -> dict:
    """Settings given as environment variables."""
    found: dict = {}
    if os.environ.get("APP_ENV"):
        found["APP_ENV"] = os.environ["APP_ENV"]
    if os.environ.get("SECRET_KEY"):
        found["SECRET_KEY"] = os.environ["SECRET_KEY"]
    if os.environ.get("DATABASE_URL"):
        found["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(os.environ["DATABASE_URL"])
    for name in ("CONTENT_DIR", "QUESTIONNAIRE_DIR"):
        if os.environ.get(name):
            found[name] = os.environ[name]
    if os.environ.get("MAX_CONTENT_LENGTH"):
        found["MAX_CONTENT_LENGTH"] = int(os.environ["MAX_CONTENT_LENGTH"])
    if os.environ.get("TRUSTED_PROXIES"):
        found["TRUSTED_PROXIES"] = int(os.environ["TRUSTED_PROXIES"])
    if os.environ.get("RATELIMIT_ENABLED"):
        found["RATELIMIT_ENABLED"] = os.environ["RATELIMIT_ENABLED"].lower() not in ("0", "false")
    if os.environ.get("REDIS_URL"):
        found["RATELIMIT_STORAGE_URI"] = os.environ["REDIS_URL"]
    if os.environ.get("RATE_LIMITS"):
        found["RATE_LIMITS"] = rate_limits_from(os.environ["RATE_LIMITS"])
    if os.environ.get("PUBLIC_URL"):
        found["PUBLIC_URL"] = os.environ["PUBLIC_URL"]
    for name in ("MAIL_SERVER", "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_FROM"):
        if os.environ.get(name):
            found[name] = os.environ[name]
    if os.environ.get("MAIL_PORT"):
        found["MAIL_PORT"] = int(os.environ["MAIL_PORT"])
    for name in ("MAIL_USE_TLS", "MAIL_USE_SSL"):
        if os.environ.get(name):
            found[name] = os.environ[name].lower() not in ("0", "false", "no")
    return found


def rate_limits_from(text: str) -> dict[str, str]:
    """RATE_LIMITS as JSON, e.g. {"forms": "60 per minute"}: figures that replace the defaults."""
    try:
        limits = json.loads(text)
    except ValueError as error:
        raise ConfigError(f"RATE_LIMITS is not JSON: {error}") from None
    if not isinstance(limits, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in limits.items()
    ):
        raise ConfigError(
            'RATE_LIMITS must be a JSON object of names and limits, e.g. {"forms": "60 per minute"}'
        )
    return limits


def normalise_database_url(url: str) -> str:
    """Point plain postgres URLs at the psycopg 3 driver the project installs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def development_secret_key(instance_path: str) -> str:
    """A random key made once per checkout and kept in instance/, so sessions survive restarts."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def configure(app: Flask, test_config: dict | None) -> None:
    """Layer the settings and refuse to start production without a secret key."""
    app.config.from_mapping(defaults(app.instance_path))
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_mapping(from_environment())
    else:
        app.config.from_mapping(test_config)
    check(app.config)
    if app.config["APP_ENV"] == "production":
        app.config["SESSION_COOKIE_SECURE"] = True
    elif not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = development_secret_key(app.instance_path)


def check(config: dict) -> None:
    """Stop start-up on settings that would run the site wrongly, saying which and why."""
    env = config["APP_ENV"]
    if env not in APP_ENVS:
        raise ConfigError(
            f"APP_ENV={env!r} is not known: use one of {', '.join(APP_ENVS)} "
            "(production turns on secure cookies and HSTS and needs SECRET_KEY)"
        )
    if env == "production":
        key = config.get("SECRET_KEY") or ""
        if not key:
            raise ConfigError("SECRET_KEY must be set when APP_ENV=production")
        if len(key) < MIN_SECRET_KEY_LENGTH:
            raise ConfigError(
                f"SECRET_KEY is {len(key)} characters long; production needs at least "
                f"{MIN_SECRET_KEY_LENGTH}, for example: python3 -c 'import secrets; "
                "print(secrets.token_hex(32))'"
            )
        if not config.get("PUBLIC_URL"):
            raise ConfigError(
                "PUBLIC_URL must be set when APP_ENV=production, for example "
                "PUBLIC_URL=https://socialeinvesteringer.dk (links must not follow the Host header)"
            )
    public = config.get("PUBLIC_URL") or ""
    if public and not public.startswith(("https://", "http://")):
        raise ConfigError(f"PUBLIC_URL must start with https:// (or http://), not {public!r}")
