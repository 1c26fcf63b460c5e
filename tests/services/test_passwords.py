"""Hashing, legacy pbkdf2-sha256 verification, the policy and bcrypt's 72-byte limit (no database)."""

from __future__ import annotations

import base64

import bcrypt
import pytest

from desktop.domain.errors import ValidationError
from desktop.services import passwords
from tests.services.conftest import passlib_style_hash


@pytest.mark.parametrize(
    ("password", "salt", "rounds"),
    [
        ("old web password", b"\xfb\xef\xbe" * 5 + b"\x01", 29000),  # salt whose base64 has '+' -> '.'
        ("pässwörd with ümlauts", b"salt-16-bytes!!!", 1000),
        ("x", b"\x00" * 16, 29000),
    ],
)
def test_legacy_hashes_verify(password, salt, rounds):
    stored = passlib_style_hash(password, salt, rounds)
    assert passwords.verify_password(password, stored)
    assert not passwords.verify_password(password + " ", stored)
    assert passwords.needs_rehash(stored, 4)


def test_adapted_base64_with_dots_and_no_padding_decodes():
    salt = b"\xfb\xef\xbe" * 5 + b"\x01"
    encoded = base64.b64encode(salt).decode().replace("+", ".").rstrip("=")
    assert "." in encoded and not encoded.endswith("=")
    assert passwords.ab64_decode(encoded) == salt


@pytest.mark.parametrize(
    "stored",
    [
        "$pbkdf2-sha256$29000$",
        "$pbkdf2-sha256$abc$c2FsdA$aGFzaA",
        "$pbkdf2-sha256$29000$!!$!!",
        "$pbkdf2-sha256$0$c2FsdA$aGFzaA",
        "",
        "plain text",
        "$2b$12$short",
    ],
)
def test_malformed_hashes_never_match(stored):
    assert passwords.verify_password("anything at all", stored) is False


def test_bcrypt_hash_uses_the_configured_cost():
    stored = passwords.hash_password("correct horse battery", rounds=4)
    assert stored.startswith("$2b$04$")
    assert passwords.verify_password("correct horse battery", stored)
    assert not passwords.needs_rehash(stored, 4) and passwords.needs_rehash(stored, 12)


def test_default_cost_is_12():
    from desktop.services.context import DEFAULT_BCRYPT_ROUNDS

    assert DEFAULT_BCRYPT_ROUNDS == 12


def test_more_than_72_bytes_is_refused_not_truncated():
    seventy_two = "é" * 36  # 72 bytes in UTF-8
    stored = passwords.hash_password(seventy_two, rounds=4)
    assert passwords.verify_password(seventy_two, stored)
    with pytest.raises(ValidationError, match="at most 72 bytes"):
        passwords.hash_password(seventy_two + "a", rounds=4)
    with pytest.raises(ValidationError, match="at most 72 bytes"):
        passwords.check_policy("é" * 37)
    # A longer password never matches, even though bcrypt itself would only look at 72 bytes.
    plain = "a" * 72
    stored = bcrypt.hashpw(plain.encode(), bcrypt.gensalt(4)).decode()
    assert passwords.verify_password(plain, stored)
    assert not passwords.verify_password(plain + "extra", stored)


@pytest.mark.parametrize(
    ("password", "email", "message"),
    [
        ("", "", "Enter a password"),
        ("short", "", "at least 10 characters"),
        ("alice@clinic.example", "alice@clinic.example", "must not be your e-mail"),
        ("ALICE@clinic.example", "alice@clinic.example", "must not be your e-mail"),
        ("password123", "", "too common"),
        ("Qwertyuiop", "", "too common"),
        ("aaaaaaaaaaaa", "", "too common"),
    ],
)
def test_policy_messages(password, email, message):
    with pytest.raises(ValidationError, match=message) as info:
        passwords.check_policy(password, email)
    assert "password" in info.value.fields


def test_policy_accepts_a_reasonable_password():
    assert passwords.check_policy("correct horse battery", "alice@clinic.example")


def test_passwords_are_compared_in_nfc():
    composed, decomposed = "Caf\u00e9 secret 1", "Cafe\u0301 secret 1"
    assert composed != decomposed
    assert passwords.verify_password(composed, passwords.hash_password(decomposed, 4))
    assert passwords.verify_password(decomposed, passwords.hash_password(composed, 4))
    assert not passwords.verify_password("Cafe secret 1", passwords.hash_password(composed, 4))


def test_hashes_made_before_normalisation_still_verify():
    ascii_hash = bcrypt.hashpw(b"plain ascii secret", bcrypt.gensalt(4)).decode()
    assert passwords.verify_password("plain ascii secret", ascii_hash)
    legacy = passlib_style_hash("plain ascii secret", b"salt1234", 1000)
    assert passwords.verify_password("plain ascii secret", legacy)
    # A non-NFC password hashed as typed (before normalisation) verifies when typed the same way.
    raw_nfd = bcrypt.hashpw("Cafe\u0301 secret 1".encode(), bcrypt.gensalt(4)).decode()
    assert passwords.verify_password("Cafe\u0301 secret 1", raw_nfd)
