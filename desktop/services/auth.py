"""Registration, sign-in with lockout, sessions, password changes and the first-run admin.

Lockout: 5 failed attempts for one e-mail within 15 minutes lock it for 15 minutes after the fifth.
Attempts are counted from the ``loginattempt`` table (by normalised e-mail, whether or not an account
has it), so the count holds across several desktops, and unknown e-mails are treated exactly like
known ones: the messages never reveal whether an account exists. Attempts made while locked are
written to the audit log, not counted again (otherwise a locked person could never get back in).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from desktop.db.models import LoginAttempt, User
from desktop.domain import validation as v
from desktop.domain.dto import AuditAction, CurrentUser, SessionInfo
from desktop.domain.enums import Role
from desktop.domain.errors import AuthenticationError, ConflictError, PermissionDeniedError, ValidationError
from desktop.services import audit, passwords
from desktop.services.access_policy import Action, policed, policy_action
from desktop.services.accounts import (
    add_user,
    check_new_account,
    ensure_email_free,
    must_change_password,
    serialise_first_run,
)
from desktop.services.context import ServiceContext
from desktop.services.lockout import locked_error
from desktop.services.lockout import locked_until as locked_until_time
from desktop.services.sessions import (
    DEACTIVATED,
    any_user_exists,
    authenticate,
    current_user,
    end_all_sessions,
    open_session,
    session_row,
    signed_in_user,
)

WRONG_CREDENTIALS = "The e-mail or password is not correct."
SAME_AS_GIVEN = "Choose a password different from the one you were given."
REGISTRATION_OFF = (
    "Creating your own account is turned off on this computer. Ask the clinic's administrator for one."
)


@policed
class AuthService:
    """Sign-in and account self-service. Every method blocks on bcrypt: call it off the GUI thread."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    # --- first run and registration -----------------------------------------------------------

    @policy_action(Action.SIGN_IN)
    def has_any_user(self) -> bool:
        """True once any account exists (False on first run: the UI then asks for the first admin)."""
        with self._ctx.unit_of_work() as s:
            return any_user_exists(s)

    @policy_action(Action.SIGN_IN)
    def create_first_admin(self, email: str, name: str, password: str) -> CurrentUser:
        """Create the first account, an administrator. Refused once any account exists."""
        email_n, name_c = check_new_account(email, name, password)
        hashed = passwords.hash_password(password, self._ctx.bcrypt_rounds)
        with self._ctx.unit_of_work(write=True) as s:
            serialise_first_run(s)
            if any_user_exists(s):
                raise AuthenticationError("An administrator already exists. Sign in instead.")
            user = add_user(s, self._ctx, email_n, name_c, hashed, Role.ADMIN)
            audit.account_event(
                s, self._ctx, AuditAction.ACCOUNT_CREATED, user, "First administrator created"
            )
            s.commit()
            return current_user(user)

    @policy_action(Action.SIGN_IN)
    def registration_open(self) -> bool:
        """Whether anyone at the sign-in window may create their own account (the
        ``self_registration`` setting; off unless a clinic turns it on, e.g. for a patient kiosk)."""
        return self._ctx.settings.self_registration

    @policy_action(Action.SIGN_IN)
    def register(self, email: str, name: str, password: str) -> CurrentUser:
        """Create an ordinary (non-admin) account. The e-mail must not be in use. Refused
        (PermissionDeniedError) unless self-registration is turned on."""
        if not self.registration_open():
            raise PermissionDeniedError(REGISTRATION_OFF)
        email_n, name_c = check_new_account(email, name, password)
        hashed = passwords.hash_password(password, self._ctx.bcrypt_rounds)
        with self._ctx.unit_of_work(write=True) as s:
            ensure_email_free(s, email_n)
            user = add_user(s, self._ctx, email_n, name_c, hashed, Role.USER)
            audit.account_event(s, self._ctx, AuditAction.ACCOUNT_CREATED, user, "Account registered")
            s.commit()
            return current_user(user)

    # --- sign-in and sessions -------------------------------------------------------------------

    @policy_action(Action.SIGN_IN)
    def sign_in(self, email: str, password: str) -> SessionInfo:
        """Check the password and open a session (valid ``settings.session_hours``).

        Raises AuthenticationError (wrong e-mail or password, deactivated account) or
        AccountLockedError (too many failures; ``.until`` says when the lock ends). A legacy
        pbkdf2-sha256 hash is replaced by bcrypt on success. bcrypt runs between two short
        transactions, never while holding the database's write lock.
        """
        email_n = v.storable(email).strip().lower()[: v.EMAIL_MAX]
        now = self._ctx.now()
        with self._ctx.unit_of_work() as s:
            user = _user_by_email(s, email_n)
            user_id, stored_hash = (user.id, user.password_hash) if user is not None else (None, None)
            locked_until = locked_until_time(s, email_n, now)
        if locked_until is not None:
            with self._ctx.unit_of_work(write=True) as s:
                audit.write(
                    s,
                    self._ctx,
                    action=AuditAction.SIGN_IN_LOCKED,
                    user=_get_user(s, user_id),
                    actor=email_n,
                    entity="user",
                    entity_id=user_id or "",
                    summary="Sign-in refused: account locked",
                )
                s.commit()
            passwords.burn_time(self._ctx.bcrypt_rounds)  # as slow as a wrong password
            raise locked_error(locked_until)
        if stored_hash is None:
            passwords.burn_time(self._ctx.bcrypt_rounds)
            ok = False
        else:
            ok = passwords.verify_password(password, stored_hash)
        new_hash = None
        if ok and stored_hash is not None and passwords.needs_rehash(stored_hash, self._ctx.bcrypt_rounds):
            new_hash = passwords.hash_password(password, self._ctx.bcrypt_rounds)
        with self._ctx.unit_of_work(write=True) as s:
            user = _get_user(s, user_id)
            if not ok or user is None:
                self._record_failure(s, email_n, user, now, "Wrong e-mail or password")
                s.commit()
                locked_until = locked_until_time(s, email_n, now)
                if locked_until is not None:
                    raise locked_error(locked_until)
                raise AuthenticationError(WRONG_CREDENTIALS)
            if not user.is_active:
                self._record_failure(s, email_n, user, now, "Account deactivated")
                s.commit()
                raise AuthenticationError(DEACTIVATED)
            if new_hash is not None and user.password_hash == stored_hash:
                user.password_hash = new_hash
                audit.account_event(
                    s,
                    self._ctx,
                    AuditAction.PASSWORD_REHASHED,
                    user,
                    "Stored password hash upgraded to bcrypt",
                )
            s.add(LoginAttempt(email=email_n, user_id=user.id, succeeded=True, created_at=now))
            row = open_session(s, self._ctx, user)
            audit.write(
                s,
                self._ctx,
                action=AuditAction.SIGN_IN,
                user=user,
                entity="session",
                entity_id=row.id,
                summary="Signed in",
            )
            must_change = must_change_password(s, user.id)
            s.commit()
            return SessionInfo(
                token=row.id,
                user=current_user(user),
                expires_at=row.expires_at,
                must_change_password=must_change,
            )

    @policy_action(Action.OWN_ACCOUNT)
    def sign_out(self, token: str) -> None:
        """End the session (idempotent: signing out twice, or with an expired token, is fine)."""
        with self._ctx.unit_of_work(write=True) as s:
            row = session_row(s, token) if isinstance(token, str) else None
            if row is None or not row.is_active:
                return
            row.is_active = False
            user = s.get(User, row.user_id)
            audit.write(
                s,
                self._ctx,
                action=AuditAction.SIGN_OUT,
                user=user,
                entity="session",
                entity_id=row.id,
                summary="Signed out",
            )
            s.commit()

    @policy_action(Action.OWN_ACCOUNT)
    def current_user(self, token: str) -> CurrentUser:
        """The signed-in user; SessionExpiredError if the session is no longer valid. Answers also
        while the account must choose a new password (the dialog asking for it names the person)."""
        with self._ctx.unit_of_work() as s:
            return current_user(signed_in_user(s, self._ctx, token))

    @policy_action(Action.OWN_ACCOUNT)
    def verify_password(self, token: str, password: str) -> None:
        """Resume after the idle lock: returns if ``password`` is the signed-in user's.

        A wrong password raises AuthenticationError and counts towards the lockout like a failed
        sign-in; once locked, AccountLockedError (the UI should then sign out).
        """
        now = self._ctx.now()
        with self._ctx.unit_of_work() as s:
            user = authenticate(s, self._ctx, token)
            email, user_id, stored_hash = user.email, user.id, user.password_hash
            locked_until = locked_until_time(s, email, now)
        if locked_until is not None:
            passwords.burn_time(self._ctx.bcrypt_rounds)  # as slow as a wrong password
            raise locked_error(locked_until)
        if passwords.verify_password(password, stored_hash):
            return
        with self._ctx.unit_of_work(write=True) as s:
            self._record_failure(
                s, email, _get_user(s, user_id), now, "Wrong password when resuming a locked screen"
            )
            s.commit()
            locked_until = locked_until_time(s, email, now)
        if locked_until is not None:
            raise locked_error(locked_until)
        raise AuthenticationError("The password is not correct.")

    @policy_action(Action.OWN_ACCOUNT)
    def change_password(self, token: str, current_password: str, new_password: str) -> None:
        """Change the signed-in user's own password (the current one is required).

        Every other session of the account ends (someone who learnt the old password and signed in
        elsewhere is signed out); the session that changed it stays open. While the password is one
        an administrator set, this also chooses the person's own, so it must differ from that one.
        """
        with self._ctx.unit_of_work() as s:
            user = signed_in_user(s, self._ctx, token)
            email, stored_hash = user.email, user.password_hash
            given = must_change_password(s, user.id)
        if not passwords.verify_password(current_password, stored_hash):
            raise ValidationError(
                "The current password is not correct.",
                {"current_password": "The current password is not correct."},
            )
        passwords.check_policy(new_password, email)
        if given and passwords.verify_password(new_password, stored_hash):
            raise ValidationError(SAME_AS_GIVEN, {"new_password": SAME_AS_GIVEN})
        new_hash = passwords.hash_password(new_password, self._ctx.bcrypt_rounds)
        self._store_new_password(token, stored_hash, new_hash)

    @policy_action(Action.OWN_ACCOUNT)
    def set_required_password(self, token: str, new_password: str) -> None:
        """Choose a new password right after signing in with one an administrator set.

        The current password is not asked again (it was typed a moment ago to open this session);
        refused (PermissionDeniedError) when no change is required, so it is no way around
        ``change_password`` for anyone else.
        """
        with self._ctx.unit_of_work() as s:
            user = signed_in_user(s, self._ctx, token)
            email, user_id, stored_hash = user.email, user.id, user.password_hash
            if not must_change_password(s, user_id):
                raise PermissionDeniedError("No new password is needed: use Change password in Profile.")
        passwords.check_policy(new_password, email)
        if passwords.verify_password(new_password, stored_hash):
            raise ValidationError(SAME_AS_GIVEN, {"new_password": SAME_AS_GIVEN})
        new_hash = passwords.hash_password(new_password, self._ctx.bcrypt_rounds)
        self._store_new_password(token, stored_hash, new_hash)

    def _store_new_password(self, token: str, stored_hash: str, new_hash: str) -> None:
        with self._ctx.unit_of_work(write=True) as s:
            user = signed_in_user(s, self._ctx, token)
            if user.password_hash != stored_hash:
                raise ConflictError("The password was changed elsewhere meanwhile. Sign in again.")
            user.password_hash = new_hash
            user.updated_at = self._ctx.now()
            current = session_row(s, token)
            end_all_sessions(s, user.id, keep=current.id if current is not None else None)
            audit.account_event(
                s,
                self._ctx,
                AuditAction.PASSWORD_CHANGED,
                user,
                "Password changed; the account's other sessions were ended",
            )
            s.commit()

    def _record_failure(self, s, email: str, user: User | None, now: dt.datetime, reason: str) -> None:
        s.add(LoginAttempt(email=email, user_id=user.id if user else None, succeeded=False, created_at=now))
        audit.write(
            s,
            self._ctx,
            action=AuditAction.SIGN_IN_FAILED,
            user=user,
            actor=email,
            entity="user",
            entity_id=user.id if user else "",
            summary=f"Failed sign-in: {reason}",
        )


def _user_by_email(s, email: str) -> User | None:
    if not email:
        return None
    return s.scalars(select(User).where(func.lower(User.email) == email)).first()


def _get_user(s, user_id: str | None) -> User | None:
    return s.get(User, user_id) if user_id is not None else None
