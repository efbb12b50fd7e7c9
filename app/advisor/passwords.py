"""Advisor passwords: the policy, and Argon2id hashes. Pure: no Flask, no database.

Common passwords are recognised offline with zxcvbn (the Python port of Dropbox's estimator): its
bundled list of the 30,000 most frequent leaked passwords, and its guess estimate, which also
catches a common word with digits added, keyboard rows and repeats. Nothing is sent anywhere.
"""

from __future__ import annotations

import contextlib
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 1024
# zxcvbn's score 3 is "safely unguessable": more than 10^8 guesses at a rate-limited login and
# about 10^10 for a stolen slow hash.
MIN_SCORE = 3
MIN_OWN_WORD = 4  # a name or address part this long may not appear in the password

# argon2-cffi's defaults are RFC 9106's second recommendation for Argon2id (t=3, 64 MiB, p=4).
HASHER = PasswordHasher()
# Verified when an e-mail address has no account, so that a wrong address costs as long as a
# wrong password and the time taken does not tell which accounts exist. Made once beforehand
# (hashing it at import cost every process 0.2 s and 64 MiB at start-up); should the hasher's
# settings ever change, a new one with the current settings is made on first use.
_DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$EE24DYcEAtW0s4V2xszWMA$"
    "vKNMYAp1vY36Mx6MhHYCwXIisLE15dv+fCNBfFpxnUo"
)


@cache
def dummy_hash() -> str:
    if HASHER.check_needs_rehash(_DUMMY_HASH):
        return HASHER.hash("not a password of any account")
    return _DUMMY_HASH


@cache
def common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS  # 13 MB: loaded when a password is set

    return frozenset(FREQUENCY_LISTS["passwords"])


def _letters_and_digits(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def problems(password: str, context: tuple[str, ...] = ()) -> list[str]:
    """What is wrong with a new password (empty when it may be used), in English for the CLI.

    context: words that belong to the account (its e-mail address and name), which make a
    password easy to guess for anyone who knows whose it is.
    """
    found = []
    if len(password) < MIN_LENGTH:
        found.append(f"it has {len(password)} characters; at least {MIN_LENGTH} are needed")
    if len(password) > MAX_LENGTH:
        found.append(f"it has more than {MAX_LENGTH} characters")
    if found:
        return found
    folded = _letters_and_digits(password)
    own = [w for w in map(_letters_and_digits, context) if len(w) >= MIN_OWN_WORD]
    if any(word in folded for word in own):
        found.append("it contains the account's own name or e-mail address")
    elif password.lower() in common_passwords():
        found.append("it is on the list of common passwords")
    elif _guessability(password, context) < MIN_SCORE:
        found.append("it is too easy to guess (a common word, name, pattern or repetition)")
    return found


def _guessability(password: str, context: tuple[str, ...]) -> int:
    from zxcvbn import zxcvbn

    return zxcvbn(password, user_inputs=list(context))["score"]


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify(stored_hash: str | None, password: str) -> bool:
    """Whether password matches; with no hash, a dummy check that takes as long and fails."""
    if stored_hash is None:
        with contextlib.suppress(VerificationError):
            HASHER.verify(dummy_hash(), password)
        return False
    try:
        return HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Whether the hash was made with weaker settings than the current ones."""
    return HASHER.check_needs_rehash(stored_hash)
