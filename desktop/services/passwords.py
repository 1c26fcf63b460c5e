"""Password hashing, legacy-hash verification and the password policy.

New hashes are bcrypt (cost 12 by default). The web version stored passlib ``pbkdf2_sha256`` hashes
(``$pbkdf2-sha256$<rounds>$<salt>$<checksum>``, salt and checksum in passlib's "adapted base64":
``.`` instead of ``+``, no padding); those are verified here with ``hashlib.pbkdf2_hmac`` (no passlib
dependency) and re-hashed to bcrypt at the next successful sign-in.

Passwords are compared after Unicode NFC normalisation: "é" typed as one character or as "e" plus a
combining accent (macOS keyboards, some input methods) is the same password. Hashing and verifying
both normalise; ASCII passwords are unchanged by it, so their existing hashes still verify. A hash
made before normalisation from a non-NFC password still verifies when typed the same way.

bcrypt only looks at the first 72 bytes of a password. Rather than silently ignoring the rest, a
new password longer than 72 bytes (UTF-8) is refused with a message, and a longer password never
matches a bcrypt hash.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import unicodedata
from functools import lru_cache

import bcrypt

from desktop.domain.errors import ValidationError

BCRYPT_MAX_BYTES = 72
MIN_LENGTH = 10
LEGACY_PREFIX = "$pbkdf2-sha256$"

#: Refused outright (compared case-insensitively); long enough to matter at >= 10 characters.
COMMON_PASSWORDS = frozenset(
    {
        "1234567890",
        "12345678910",
        "0123456789",
        "0987654321",
        "1111111111",
        "1234512345",
        "password12",
        "password123",
        "password1234",
        "passw0rd123",
        "qwertyuiop",
        "qwerty1234",
        "qwerty12345",
        "1q2w3e4r5t",
        "1qaz2wsx3edc",
        "asdfghjkl1",
        "iloveyou12",
        "letmein123",
        "welcome123",
        "welcome1234",
        "administrator",
        "admin12345",
        "admin123456",
        "changeme123",
        "football12",
        "baseball12",
        "sunshine12",
        "princess12",
        "trustno1234",
        "abcdefghij",
        "abc1234567",
        "aaaaaaaaaa",
        "zaq12wsxcde",
        "clinicdesk",
        "clinicdesk1",
        "clinicdesk123",
        "doctor1234",
        "hospital123",
        "nurse12345",
        "patient123",
        "medicine123",
        "password!1",
    }
)


def check_policy(password: object, email: str = "") -> str:
    """Return ``password`` if it may be set; otherwise raise ValidationError saying why.

    Applied when a password is set (registration, change, reset), never at sign-in, so an existing
    account with an older, weaker password can still sign in.
    """
    if not isinstance(password, str) or not password:
        _refuse("Enter a password.")
    assert isinstance(password, str)
    password = normalise(password)
    if len(password) < MIN_LENGTH:
        _refuse(f"The password must be at least {MIN_LENGTH} characters long.")
    try:
        size = len(password.encode("utf-8"))
    except UnicodeEncodeError:
        _refuse("The password contains characters that cannot be stored.")
    if size > BCRYPT_MAX_BYTES:
        _refuse(
            f"The password is too long: at most {BCRYPT_MAX_BYTES} bytes (this one is {size}; "
            "accented letters and symbols take 2-4 bytes each)."
        )
    if email and password.strip().lower() == email.strip().lower():
        _refuse("The password must not be your e-mail address.")
    if password.lower() in COMMON_PASSWORDS or len(set(password)) <= 2:
        _refuse("This password is too common or too easy to guess; choose another.")
    return password


def _refuse(message: str) -> None:
    raise ValidationError(message, {"password": message})


def normalise(password: str) -> str:
    """The form a password is hashed and compared in (Unicode NFC)."""
    return unicodedata.normalize("NFC", password)


def hash_password(password: str, rounds: int = 12) -> str:
    """A bcrypt hash of ``password`` (NFC); refuses (never truncates) more than 72 bytes."""
    raw = normalise(password).encode("utf-8")
    if len(raw) > BCRYPT_MAX_BYTES:
        _refuse(f"The password is too long: at most {BCRYPT_MAX_BYTES} bytes.")
    return bcrypt.hashpw(raw, bcrypt.gensalt(rounds)).decode("ascii")


def verify_password(password: str, stored_hash: str) -> bool:
    """True when ``password`` matches ``stored_hash`` (bcrypt or legacy pbkdf2-sha256), compared in NFC."""
    if not isinstance(password, str) or not isinstance(stored_hash, str) or not stored_hash:
        return False
    forms = [normalise(password)]
    if forms[0] != password:  # a hash made before passwords were normalised, typed the same way
        forms.append(password)
    return any(_matches(form, stored_hash) for form in forms)


def _matches(password: str, stored_hash: str) -> bool:
    try:
        raw = password.encode("utf-8")
    except UnicodeEncodeError:
        return False
    if stored_hash.startswith(LEGACY_PREFIX):
        return _verify_pbkdf2(raw, stored_hash)
    if len(raw) > BCRYPT_MAX_BYTES:
        return False  # bcrypt would only compare the first 72 bytes: refuse instead
    try:
        return bcrypt.checkpw(raw, stored_hash.encode("ascii"))
    except ValueError:  # not a bcrypt hash at all
        return False


def needs_rehash(stored_hash: str, rounds: int) -> bool:
    """True for legacy hashes and bcrypt hashes made with a lower cost than ``rounds``."""
    if stored_hash.startswith(LEGACY_PREFIX):
        return True
    parts = stored_hash.split("$")
    try:
        return int(parts[2]) < rounds
    except (IndexError, ValueError):
        return True


def burn_time(rounds: int) -> None:
    """Spend as long as a real bcrypt check (it is one, against a dummy hash), so an unknown e-mail or a
    locked account answers no faster than a wrong password: the response time reveals neither."""
    bcrypt.checkpw(b"not the password", _dummy_hash(rounds))


@lru_cache(maxsize=4)
def _dummy_hash(rounds: int) -> bytes:
    return bcrypt.hashpw(b"dummy password for timing", bcrypt.gensalt(rounds))


def ab64_decode(data: str) -> bytes:
    """passlib's adapted base64: ``.`` for ``+``, no padding."""
    padded = data.replace(".", "+") + "=" * (-len(data) % 4)
    return base64.b64decode(padded, validate=True)


def _verify_pbkdf2(raw: bytes, stored_hash: str) -> bool:
    parts = stored_hash.split("$")
    if len(parts) != 5:
        return False
    try:
        rounds = int(parts[2])
        salt = ab64_decode(parts[3])
        expected = ab64_decode(parts[4])
    except (ValueError, binascii.Error):
        return False
    if rounds < 1 or rounds > 10_000_000 or not expected:
        return False
    digest = hashlib.pbkdf2_hmac("sha256", raw, salt, rounds, dklen=len(expected))
    return hmac.compare_digest(digest, expected)
