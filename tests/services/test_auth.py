"""Sign-in, lockout, sessions, first run, password changes (SQLite file and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from desktop.db.models import AuditLog, LoginAttempt, User
from desktop.domain.dto import AuditAction
from desktop.domain.enums import Role
from desktop.domain.errors import (
    AccountLockedError,
    AuthenticationError,
    SessionExpiredError,
    ValidationError,
)
from desktop.services import passwords
from desktop.services.auth import WRONG_CREDENTIALS
from tests.services.conftest import PASSWORD, add_user, make_services, passlib_style_hash


def test_first_run_creates_the_first_admin_once(services):
    assert services.auth.has_any_user() is False
    user = services.auth.create_first_admin("  Boss@Clinic.Example ", "Boss", PASSWORD)
    assert user.email == "boss@clinic.example" and user.role == Role.ADMIN and user.is_admin
    assert services.auth.has_any_user() is True
    with pytest.raises(AuthenticationError, match="already exists"):
        services.auth.create_first_admin("other@clinic.example", "Other", PASSWORD)


def test_sign_in_is_case_insensitive_and_opens_an_8_hour_session(services, admin, clock):
    session = services.auth.sign_in("  ADMIN@clinic.EXAMPLE", PASSWORD)
    assert session.user.email == "admin@clinic.example"
    assert session.expires_at == clock.now + dt.timedelta(hours=8)
    assert services.auth.current_user(session.token) == session.user


def test_register_refuses_a_duplicate_email_whatever_its_case(services, admin):
    services.auth.register("carol@clinic.example", "Carol", PASSWORD)
    with pytest.raises(ValidationError, match="already exists") as info:
        services.auth.register(" CAROL@Clinic.example ", "Carol 2", PASSWORD)
    assert "email" in info.value.fields


def test_wrong_password_and_unknown_email_get_the_same_message(services, admin):
    with pytest.raises(AuthenticationError) as wrong_password:
        services.auth.sign_in("admin@clinic.example", "not the password")
    with pytest.raises(AuthenticationError) as unknown:
        services.auth.sign_in("nobody@clinic.example", "not the password")
    assert wrong_password.value.message == unknown.value.message == WRONG_CREDENTIALS


@pytest.mark.parametrize("email", ["admin@clinic.example", "ghost@clinic.example"])
def test_lockout_after_five_failures_and_its_expiry(services, admin, clock, db_url, email):
    for _ in range(4):
        with pytest.raises(AuthenticationError) as info:
            services.auth.sign_in(email, "wrong password!")
        assert not isinstance(info.value, AccountLockedError)
        clock.advance(minutes=1)
    with pytest.raises(AccountLockedError) as fifth:
        services.auth.sign_in(email, "wrong password!")
    locked_at = clock.now
    assert fifth.value.until == locked_at + dt.timedelta(minutes=15)
    # Even the right password is refused while locked, with a message that says nothing about the e-mail.
    clock.advance(minutes=14, seconds=59)
    with pytest.raises(AccountLockedError) as locked:
        services.auth.sign_in(email, PASSWORD)
    assert "admin" not in locked.value.message and "exist" not in locked.value.message
    clock.advance(seconds=2)
    if email.startswith("admin"):
        assert services.auth.sign_in(email, PASSWORD).user.email == email
    else:
        with pytest.raises(AuthenticationError) as after:
            services.auth.sign_in(email, PASSWORD)
        assert not isinstance(after.value, AccountLockedError)
    with services.database.unit_of_work() as s:
        failures = s.scalar(
            select(func.count())
            .select_from(LoginAttempt)
            .where(LoginAttempt.email == email, LoginAttempt.succeeded.is_(False))
        )
        audited = s.scalar(
            select(func.count())
            .select_from(AuditLog)
            .where(AuditLog.action == AuditAction.SIGN_IN_FAILED.value, AuditLog.actor == email)
        )
        locked_rows = s.scalar(
            select(func.count())
            .select_from(AuditLog)
            .where(AuditLog.action == AuditAction.SIGN_IN_LOCKED.value, AuditLog.actor == email)
        )
    assert failures >= 5 and audited >= 5 and locked_rows == 1


def test_failures_spread_over_more_than_15_minutes_do_not_lock(services, admin, clock):
    for _ in range(6):
        with pytest.raises(AuthenticationError) as info:
            services.auth.sign_in("admin@clinic.example", "wrong password!")
        assert not isinstance(info.value, AccountLockedError)
        clock.advance(minutes=4)


def test_a_successful_sign_in_resets_the_failure_count(services, admin, clock):
    for _ in range(4):
        with pytest.raises(AuthenticationError):
            services.auth.sign_in("admin@clinic.example", "wrong password!")
    services.auth.sign_in("admin@clinic.example", PASSWORD)
    for _ in range(4):
        with pytest.raises(AuthenticationError) as info:
            services.auth.sign_in("admin@clinic.example", "wrong password!")
        assert not isinstance(info.value, AccountLockedError)


def test_lockout_is_counted_across_two_desktops(db_url, clock, admin, services):
    other = make_services(db_url, clock)  # a second Database object: another desktop
    try:
        for i in range(4):
            desk = services if i % 2 else other
            with pytest.raises(AuthenticationError):
                desk.auth.sign_in("admin@clinic.example", "wrong password!")
        with pytest.raises(AccountLockedError):
            other.auth.sign_in("admin@clinic.example", "wrong password!")
        with pytest.raises(AccountLockedError):
            services.auth.sign_in("admin@clinic.example", PASSWORD)
    finally:
        other.close()


def test_session_expires_after_eight_hours(services, admin, clock):
    clock.advance(hours=7, minutes=59)
    services.auth.current_user(admin.token)
    clock.advance(minutes=1)
    with pytest.raises(SessionExpiredError, match="expired"):
        services.auth.current_user(admin.token)


def test_sign_out_ends_the_session_everywhere(services, admin, db_url, clock):
    other = make_services(db_url, clock)
    try:
        other.auth.current_user(admin.token)
        services.auth.sign_out(admin.token)
        services.auth.sign_out(admin.token)  # idempotent
        with pytest.raises(SessionExpiredError):
            other.auth.current_user(admin.token)
    finally:
        other.close()


@pytest.mark.parametrize("token", ["", "not-a-uuid", "00000000-0000-0000-0000-000000000000", None, 42])
def test_bogus_tokens_are_refused(services, admin, token):
    with pytest.raises(SessionExpiredError):
        services.auth.current_user(token)


def test_deactivated_account_cannot_sign_in_and_its_sessions_end(services, admin, alice):
    services.users.deactivate(admin.token, alice.user.id)
    with pytest.raises(SessionExpiredError):
        services.profile.get(alice.token)
    with pytest.raises(AuthenticationError, match="deactivated"):
        services.auth.sign_in("alice@clinic.example", PASSWORD)
    with pytest.raises(AuthenticationError, match="not correct"):
        services.auth.sign_in("alice@clinic.example", "a wrong password")
    services.users.reactivate(admin.token, alice.user.id)
    services.auth.sign_in("alice@clinic.example", PASSWORD)


def test_legacy_pbkdf2_hash_verifies_and_is_upgraded_to_bcrypt(services, admin):
    legacy = passlib_style_hash("old web password", b"0123456789abcdef", 29000)
    assert legacy.startswith("$pbkdf2-sha256$29000$") and "+" not in legacy and "=" not in legacy
    with services.database.unit_of_work() as s:
        s.add(User(email="legacy@clinic.example", name="Legacy", password_hash=legacy))
        s.commit()
    with pytest.raises(AuthenticationError):
        services.auth.sign_in("legacy@clinic.example", "old web passworD")
    session = services.auth.sign_in("legacy@clinic.example", "old web password")
    with services.database.unit_of_work() as s:
        stored = s.scalars(select(User.password_hash).where(User.email == "legacy@clinic.example")).one()
        rehashed = s.scalar(
            select(func.count())
            .select_from(AuditLog)
            .where(AuditLog.action == AuditAction.PASSWORD_REHASHED.value)
        )
    assert stored.startswith("$2b$04$") and rehashed == 1
    services.auth.sign_out(session.token)
    services.auth.sign_in("legacy@clinic.example", "old web password")


def test_verify_password_for_the_idle_lock_counts_failures(services, alice, clock):
    services.auth.verify_password(alice.token, PASSWORD)
    for _ in range(4):
        with pytest.raises(AuthenticationError, match="not correct"):
            services.auth.verify_password(alice.token, "nope nope nope")
    with pytest.raises(AccountLockedError):
        services.auth.verify_password(alice.token, "nope nope nope")
    with pytest.raises(AccountLockedError):
        services.auth.verify_password(alice.token, PASSWORD)
    clock.advance(minutes=16)
    services.auth.verify_password(alice.token, PASSWORD)


def test_change_password_checks_the_current_one_and_the_policy(services, alice):
    with pytest.raises(ValidationError, match="current password"):
        services.auth.change_password(alice.token, "wrong current", "a brand new secret")
    with pytest.raises(ValidationError, match="at least 10"):
        services.auth.change_password(alice.token, PASSWORD, "short")
    services.auth.change_password(alice.token, PASSWORD, "a brand new secret")
    with pytest.raises(AuthenticationError):
        services.auth.sign_in("alice@clinic.example", PASSWORD)
    services.auth.sign_in("alice@clinic.example", "a brand new secret")


def test_new_account_validation_lists_every_bad_field(services):
    with pytest.raises(ValidationError) as info:
        services.auth.create_first_admin("not an email", "", "short")
    assert set(info.value.fields) == {"email", "name", "password"}


def test_sign_in_writes_sign_in_and_sign_out_to_the_audit_log(services, admin):
    services.auth.sign_out(admin.token)
    with services.database.unit_of_work() as s:
        actions = list(s.scalars(select(AuditLog.action).order_by(AuditLog.id)))
    assert actions == ["account_created", "sign_in", "sign_out"]


def test_signing_out_ends_that_session_only(services, admin):
    carol = add_user(services, admin, "carol@clinic.example")
    carol_elsewhere = services.auth.sign_in("carol@clinic.example", PASSWORD)
    services.auth.sign_out(carol.token)
    with pytest.raises(SessionExpiredError):
        services.auth.current_user(carol.token)
    assert services.auth.current_user(carol_elsewhere.token).email == "carol@clinic.example"
    assert services.auth.current_user(admin.token) == admin.user


def test_changing_ones_password_signs_out_ones_other_sessions(services, alice, admin):
    elsewhere = services.auth.sign_in("alice@clinic.example", PASSWORD)  # another desktop, or a thief
    services.auth.change_password(alice.token, PASSWORD, "a brand new secret")
    assert services.auth.current_user(alice.token).email == "alice@clinic.example"  # this one stays
    with pytest.raises(SessionExpiredError):
        services.auth.current_user(elsewhere.token)
    services.auth.current_user(admin.token)  # other accounts' sessions are untouched


@pytest.fixture
def bcrypt_checks(monkeypatch):
    """Counts bcrypt verifications (the real ones run): the costly step every answer must include."""
    calls: list[bytes] = []
    real = passwords.bcrypt.checkpw

    def counting(password: bytes, hashed: bytes) -> bool:
        calls.append(hashed)
        return real(password, hashed)

    monkeypatch.setattr(passwords.bcrypt, "checkpw", counting)
    return calls


def test_locked_unknown_and_wrong_password_all_run_one_bcrypt_check(services, admin, clock, bcrypt_checks):
    """A locked account must answer in the time of a wrong password: both pay for one bcrypt check."""
    answers = {}
    for email in ("admin@clinic.example", "ghost@clinic.example"):
        for _ in range(5):
            with pytest.raises(AuthenticationError):
                services.auth.sign_in(email, "wrong password!")
    bcrypt_checks.clear()
    for label, email in (("locked", "admin@clinic.example"), ("locked unknown", "ghost@clinic.example")):
        with pytest.raises(AccountLockedError):
            services.auth.sign_in(email, PASSWORD)
        answers[label] = len(bcrypt_checks)
        bcrypt_checks.clear()
    clock.advance(minutes=31)
    for label, email in (("wrong password", "admin@clinic.example"), ("unknown", "nobody@clinic.example")):
        with pytest.raises(AuthenticationError) as info:
            services.auth.sign_in(email, "wrong password!")
        assert not isinstance(info.value, AccountLockedError)
        answers[label] = len(bcrypt_checks)
        bcrypt_checks.clear()
    assert answers == {"locked": 1, "locked unknown": 1, "wrong password": 1, "unknown": 1}


def test_resuming_a_locked_screen_while_locked_runs_the_bcrypt_check_too(services, alice, bcrypt_checks):
    for _ in range(5):
        with pytest.raises(AuthenticationError):
            services.auth.verify_password(alice.token, "wrong password!")
    bcrypt_checks.clear()
    with pytest.raises(AccountLockedError):
        services.auth.verify_password(alice.token, PASSWORD)
    assert len(bcrypt_checks) == 1


@pytest.mark.parametrize(
    ("fifth_after", "locks"),
    [(dt.timedelta(minutes=15), True), (dt.timedelta(minutes=15, microseconds=1), False)],
)
def test_the_lockout_window_is_15_minutes_inclusive(services, admin, clock, fifth_after, locks):
    """Five failures lock when exactly 15 minutes separate the first and the fifth, not a moment more."""
    first = clock.now
    for minute in (0, 1, 2, 3):
        clock.now = first + dt.timedelta(minutes=minute)
        with pytest.raises(AuthenticationError) as info:
            services.auth.sign_in("admin@clinic.example", "wrong password!")
        assert not isinstance(info.value, AccountLockedError)
    clock.now = first + fifth_after
    with pytest.raises(AuthenticationError) as fifth:
        services.auth.sign_in("admin@clinic.example", "wrong password!")
    assert isinstance(fifth.value, AccountLockedError) is locks
    if locks:
        assert fifth.value.until == clock.now + dt.timedelta(minutes=15)


def test_a_password_matches_whatever_its_unicode_form(services, admin):
    composed = "Caf\u00e9 na\u00efve 2026"  # é and ï as single characters (NFC)
    decomposed = "Cafe\u0301 nai\u0308ve 2026"  # the same letters as base + combining mark (NFD)
    services.users.create_user(admin.token, "zoe@clinic.example", "Zoe", decomposed, Role.USER)
    assert services.auth.sign_in("zoe@clinic.example", composed).user.email == "zoe@clinic.example"
    services.auth.sign_in("zoe@clinic.example", decomposed)
