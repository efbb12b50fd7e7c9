"""Advisor accounts, the two login steps, and the rules a session lives by.

The views in routes.py only move data between the request and these functions. Flask's session is
passed in as a mapping, and the time comes from now(), which tests replace to move the clock.

How a login goes:
1. The password step (authenticate) puts a *pending* marker in a fresh session. It grants nothing:
   Flask-Login knows no user yet, so no advisor page opens.
2. The second factor (a TOTP code, or a recovery code once) or, the first time, the TOTP setup
   starts the real session (begin_session): a fresh session again, with the account's epoch and
   the times it began and was last used.
Every request then checks the session (session_problem): the account is still active, its epoch
has not moved on (logout, disabling and a new password raise it), and neither the idle nor the
absolute timeout has passed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from flask import request, session
from flask_login import login_user
from markupsafe import Markup
from sqlalchemy import Text, cast, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from app.advisor import passwords
from app.extensions import db
from app.models import Advisor, AuditEvent

ROLES = ("advisor", "lead")
RECOVERY_CODE_COUNT = 10
MAX_CODE_TRIES = 5  # wrong codes in one pending login before the password is asked again
TOTP_STEP = 30  # seconds
TOTP_DRIFT_STEPS = 1  # a code from the step before or after is accepted too

PENDING = "advisor_pending"
EPOCH = "advisor_epoch"
LOGIN_AT = "advisor_login_at"
SEEN_AT = "advisor_seen_at"


def now() -> datetime:
    """The current time (UTC). The one clock of this module: tests patch it."""
    return datetime.now(UTC)


def timestamp() -> float:
    return now().timestamp()


def normalise_email(email: str) -> str:
    return email.strip().lower()


# --- accounts, made and changed on the command line ----------------------------------------------


class AccountError(ValueError):
    """An account cannot be made or changed like that (the message says why)."""


def find(email: str) -> Advisor | None:
    return db.session.scalar(select(Advisor).where(Advisor.email == normalise_email(email)))


def check_new_password(password: str, email: str, name: str) -> None:
    found = passwords.problems(password, context=(email.split("@")[0], name, *name.split()))
    if found:
        raise AccountError("The password cannot be used: " + "; ".join(found) + ".")


def create(email: str, name: str, password: str, role: str = "advisor") -> Advisor:
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise AccountError(f"{email!r} is not an e-mail address.")
    if not name.strip():
        raise AccountError("The name is empty.")
    if role not in ROLES:
        raise AccountError(f"The role must be one of {', '.join(ROLES)}.")
    if find(email) is not None:
        raise AccountError(f"There is already an account for {email}.")
    check_new_password(password, email, name)
    advisor = Advisor(
        email=email,
        name=name.strip(),
        role=role,
        password_hash=passwords.hash_password(password),
        recovery_codes=[],
        active=True,
        session_epoch=0,
    )
    db.session.add(advisor)
    db.session.flush()
    audit(None, "account_created", advisor=advisor.id, role=role)
    return advisor


def _existing(email: str) -> Advisor:
    advisor = find(email)
    if advisor is None:
        raise AccountError(f"There is no account for {normalise_email(email)}.")
    return advisor


def end_every_session(advisor: Advisor) -> None:
    advisor.session_epoch = (advisor.session_epoch or 0) + 1


def disable(email: str) -> Advisor:
    advisor = _existing(email)
    advisor.active = False
    end_every_session(advisor)
    audit(None, "account_disabled", advisor=advisor.id)
    return advisor


def reset_password(email: str, password: str, second_factor: bool = False) -> Advisor:
    """A new password; with second_factor, the TOTP and recovery codes go too (a lost phone)."""
    advisor = _existing(email)
    check_new_password(password, advisor.email, advisor.name)
    advisor.password_hash = passwords.hash_password(password)
    if second_factor:
        advisor.totp_secret = None
        advisor.totp_confirmed_at = None
        advisor.totp_last_step = None
        advisor.recovery_codes = []
    end_every_session(advisor)
    audit(None, "password_reset", advisor=advisor.id, second_factor_reset=second_factor)
    return advisor


def every_account() -> list[Advisor]:
    return list(db.session.scalars(select(Advisor).order_by(Advisor.email)))


# --- the audit log -------------------------------------------------------------------------------


def actor(advisor: Advisor | None) -> str:
    return f"advisor:{advisor.id}" if advisor is not None else "system"


def audit(by: Advisor | None, action: str, who: str | None = None, **detail: Any) -> None:
    """Add one event to the session's transaction (the caller commits). Never a password.

    by: the advisor who acted (None: the command line); who overrides it ("unknown").
    """
    db.session.add(AuditEvent(actor=who or actor(by), action=action, detail=detail))


# --- step 1: the password ------------------------------------------------------------------------


def authenticate(email: str, password: str) -> Advisor | None:
    """The account, when the password is right and the account may log in; otherwise None.

    A wrong address, a wrong password and a disabled account take the same time (an Argon2
    check every time) and give the same answer. The failure is written to the audit log.
    """
    advisor = find(email) if len(email) <= 254 else None
    good = passwords.verify(advisor.password_hash if advisor else None, password)
    if advisor is None:
        audit(None, "login_failed", who="unknown", step="password")
        return None
    if not good or not advisor.active:
        audit(advisor, "login_failed", step="password", inactive=not advisor.active)
        return None
    if passwords.needs_rehash(advisor.password_hash):
        advisor.password_hash = passwords.hash_password(password)
    return advisor


def start_pending(session: MutableMapping, advisor: Advisor, next_url: str | None) -> None:
    """A fresh session that remembers only that this account gave its password, and when."""
    session.clear()
    session[PENDING] = {
        "id": advisor.id,
        "epoch": advisor.session_epoch,
        "at": timestamp(),
        "tries": 0,
        "next": safe_next(next_url),
        "setup": False,
    }


def pending(session: MutableMapping, max_age: int) -> Advisor | None:
    """The account whose password was given in this session, while that is recent and valid."""
    marker = session.get(PENDING)
    if not isinstance(marker, dict):
        return None
    age = timestamp() - float(marker.get("at", 0))
    if not 0 <= age <= max_age:
        return None
    advisor = db.session.get(Advisor, marker.get("id"))
    if advisor is None or not advisor.active or advisor.session_epoch != marker.get("epoch"):
        return None
    return advisor


def update_pending(session: MutableMapping, **changes: Any) -> dict:
    marker = {**session[PENDING], **changes}
    session[PENDING] = marker  # a new dict, so that the session knows it changed
    return marker


def wrong_code(session: MutableMapping, advisor: Advisor, step: str) -> bool:
    """Count a wrong code; True when this pending login has had its last try."""
    tries = update_pending(session, tries=session[PENDING]["tries"] + 1)["tries"]
    audit(advisor, "login_failed", step=step)
    if tries >= MAX_CODE_TRIES:
        session.clear()
        return True
    return False


# --- step 2: TOTP and recovery codes -------------------------------------------------------------


# pyotp and segno (15 MB together) are imported by the functions below when an advisor logs in or
# sets up a second factor, not by every worker at start-up.


def new_totp_secret() -> str:
    import pyotp

    return pyotp.random_base32()  # 32 base32 characters: 160 bits, as RFC 4226 recommends


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_uri(advisor: Advisor, issuer: str) -> str:
    import pyotp

    return pyotp.TOTP(advisor.totp_secret).provisioning_uri(name=advisor.email, issuer_name=issuer)


def qr_svg(data: str, title: str) -> Markup:
    """The QR code as inline SVG markup, drawn here: no script, no request elsewhere."""
    import segno

    svg = segno.make(data, error="m").svg_inline(
        scale=5, border=4, dark="#000", light="#fff", title=title, svgclass="qr-code-image"
    )
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S704  (segno's own markup)


def digits_only(code: str) -> str:
    return "".join(ch for ch in code if not ch.isspace() and ch != "-")


def matching_step(secret: str, code: str, at: datetime, last_step: int | None) -> int | None:
    """The time step whose TOTP code this is, within the allowed drift and after last_step."""
    code = digits_only(code)
    if len(code) != 6 or not code.isdigit():
        return None
    import pyotp

    totp = pyotp.TOTP(secret, interval=TOTP_STEP)
    current = int(at.timestamp()) // TOTP_STEP
    for step in range(current - TOTP_DRIFT_STEPS, current + TOTP_DRIFT_STEPS + 1):
        if last_step is not None and step <= last_step:
            continue  # a code is good once, and never one older than the last one used
        if hmac.compare_digest(totp.at(step * TOTP_STEP), code):
            return step
    return None


def new_recovery_codes(count: int = RECOVERY_CODE_COUNT) -> list[str]:
    """Codes of 16 base32 characters (80 bits), shown in groups of four."""
    codes = []
    for _ in range(count):
        raw = base64.b32encode(secrets.token_bytes(10)).decode().lower()
        codes.append("-".join(raw[i : i + 4] for i in range(0, 16, 4)))
    return codes


def hash_recovery_code(code: str) -> str:
    """SHA-256 of the code without separators: 80 random bits need no slow hash."""
    return hashlib.sha256(digits_only(code).lower().encode()).hexdigest()


def use_recovery_code(advisor: Advisor, code: str) -> bool:
    """Whether code is one of the account's unused recovery codes; if so it is used up, once for
    every server.

    A compare-and-swap on the stored list: the codes are read as the row holds them now, and the
    shorter list is written only where the row still holds that same text. Of two requests with
    one code at once (two tabs, two app servers) one changes the row and the other then finds the
    code gone; a request that lost the race to another code's use reads the row again.
    """
    wanted = hash_recovery_code(code)
    stored_text = cast(Advisor.recovery_codes, Text)
    for _attempt in range(RECOVERY_CODE_COUNT + 1):
        text = db.session.scalar(select(stored_text).where(Advisor.id == advisor.id))
        stored = json.loads(text) if text else []
        found = next((k for k in stored if hmac.compare_digest(k, wanted)), None)
        if found is None:
            set_committed_value(advisor, "recovery_codes", stored)
            return False
        remaining = list(stored)
        remaining.remove(found)
        swapped = db.session.execute(
            update(Advisor)
            .where(Advisor.id == advisor.id, stored_text == text)
            .values(recovery_codes=remaining)
            .execution_options(synchronize_session=False)
        )
        if swapped.rowcount == 1:
            set_committed_value(advisor, "recovery_codes", remaining)
            return True
    return False


def claim_step(advisor: Advisor, step: int) -> bool:
    """Record a code's time step as used, once for every server: a code sent twice at the same
    moment (two tabs, two app servers) passes only once.

    A conditional update: the database lets one of two such requests change the row, and the
    other then finds the step already used (PostgreSQL re-reads the row it waited for; SQLite
    lets one writer in at a time).
    """
    claimed = db.session.execute(
        update(Advisor)
        .where(
            Advisor.id == advisor.id,
            or_(Advisor.totp_last_step.is_(None), Advisor.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        return False
    set_committed_value(advisor, "totp_last_step", step)
    return True


def check_second_factor(advisor: Advisor, code: str) -> str | None:
    """ "totp" or "recovery" for a good code (recorded so it is not good again), else None."""
    if advisor.totp_secret is None or advisor.totp_confirmed_at is None:
        return None
    step = matching_step(advisor.totp_secret, code, now(), advisor.totp_last_step)
    if step is not None and claim_step(advisor, step):
        return "totp"
    if len(digits_only(code)) == 16 and use_recovery_code(advisor, code):
        return "recovery"
    return None


def confirm_totp(advisor: Advisor, code: str) -> list[str] | None:
    """Finish the setup with a first good code: the recovery codes (to show once), else None."""
    if advisor.totp_secret is None or advisor.totp_confirmed_at is not None:
        return None
    step = matching_step(advisor.totp_secret, code, now(), advisor.totp_last_step)
    if step is None or not claim_step(advisor, step):
        return None
    codes = new_recovery_codes()
    advisor.totp_confirmed_at = now()
    advisor.recovery_codes = [hash_recovery_code(c) for c in codes]
    audit(advisor, "second_factor_set_up", method="totp")
    return codes


# --- the session ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timeouts:
    idle: int
    absolute: int

    @classmethod
    def of(cls, config: dict) -> Timeouts:
        return cls(config["ADVISOR_IDLE_TIMEOUT"], config["ADVISOR_ABSOLUTE_TIMEOUT"])


def begin_session(session: MutableMapping, advisor: Advisor, method: str) -> str | None:
    """Log the account in, in a fresh session; where to go next (a local path) or None."""
    next_url = (session.get(PENDING) or {}).get("next")
    session.clear()
    login_user(advisor, remember=False)
    started = timestamp()
    session[EPOCH] = advisor.session_epoch
    session[LOGIN_AT] = started
    session[SEEN_AT] = started
    advisor.last_login_at = now()
    audit(advisor, "login", method=method)
    return safe_next(next_url)


def session_problem(
    session: MutableMapping, advisor: Advisor, at: float, timeouts: Timeouts
) -> str | None:
    """Why this session may not act for this account any more ("inactive", "ended", "idle",
    "expired"), or None while it may."""
    if not advisor.active:
        return "inactive"
    if session.get(EPOCH) != advisor.session_epoch:
        return "ended"
    login_at, seen_at = session.get(LOGIN_AT), session.get(SEEN_AT)
    if not isinstance(login_at, int | float) or not isinstance(seen_at, int | float):
        return "ended"
    if at - login_at > timeouts.absolute or at < login_at:
        return "expired"
    if at - seen_at > timeouts.idle:
        return "idle"
    return None


def touch(session: MutableMapping) -> None:
    session[SEEN_AT] = timestamp()


def had_session(session: MutableMapping) -> bool:
    """Whether this browser was logged in (and is no longer, when asked after a failed load)."""
    return LOGIN_AT in session


def log_out(session: MutableMapping, advisor: Advisor) -> None:
    """End this session and every other session of the account."""
    end_every_session(advisor)
    audit(advisor, "logout")
    session.clear()


def safe_next(url: str | None) -> str | None:
    """url when it is a path on this site (no scheme, no host, one leading slash), else None."""
    if not url or not isinstance(url, str) or len(url) > 2000:
        return None
    if any(ord(ch) < 32 or ch == "\\" for ch in url):
        return None
    if not url.startswith("/") or url.startswith("//"):
        return None
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return None
    return url


def attempt_key() -> str:
    """Whose login attempts a request counts against (app/limits.py): the account named in the
    form, or the one whose password was given in this session."""
    if request.endpoint == "advisor.login":
        return "account:" + normalise_email(request.form.get("email", ""))[:254]
    marker = session.get(PENDING)
    if isinstance(marker, dict):
        return f"account-id:{marker.get('id')}"
    return "account:none"
