"""Account administration (admins only): list, create, deactivate/reactivate, unlock, reset password,
roles, and the clinic-wide preferences only an administrator may change.

Nothing is physically deleted: deactivation sets ``is_active=False`` and ends the account's sessions
at once (on every desktop, since sessions are checked against the database on each call). The last
active administrator can neither be deactivated nor lose the role, so the clinic is never locked out
of its own administration.

An account an administrator created or whose password they reset must choose a new password at its
next sign-in (see ``accounts.must_change_password``). Unlocking, and resetting a password, lift the
sign-in lock of too many failed attempts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session as OrmSession

from desktop import settings as app_settings
from desktop.db.models import User
from desktop.domain import validation as v
from desktop.domain.dto import MAX_PAGE_SIZE, AuditAction, ClinicPreferences, UserAccount
from desktop.domain.enums import Role
from desktop.domain.errors import NotFoundError, ValidationError
from desktop.services import audit, lockout, passwords
from desktop.services.access_policy import Action, policed, policy_action
from desktop.services.accounts import NAME_MAX, add_user, ensure_email_free, must_change_password
from desktop.services.context import ServiceContext
from desktop.services.rows import check_version
from desktop.services.sessions import end_all_sessions, require_admin

ROLE_CHOICES = "The role must be patient, reception, clinician or admin."
LAST_ADMIN = "This is the last active administrator: make another account an administrator first."


#: Staff, and the patients who were given an e-mail and a password (most patients never sign in).
_CAN_SIGN_IN = or_(
    User.role != Role.PATIENT.value,
    and_(User.email.is_not(None), User.password_hash != ""),
)


def to_account(s: OrmSession, user: User, now: dt.datetime) -> UserAccount:
    return UserAccount(
        id=user.id,
        email=user.email,
        name=user.name,
        role=Role(user.role),
        is_active=bool(user.is_active),
        created_at=user.created_at,
        version=user.version_id,
        locked_until=lockout.locked_until(s, _lock_key(user), now),
        must_change_password=must_change_password(s, user.id),
    )


def _lock_key(user: User) -> str:
    """The e-mail as sign-in counts failures under it (normalised, lower case)."""
    return user.email.strip().lower()


def _target(s: OrmSession, user_id: object) -> User:
    user = s.get(User, user_id) if v.is_clean(user_id) else None
    if user is None:
        raise NotFoundError("This account does not exist.")
    return user


def _accounts_query(include_inactive: bool) -> Select[User]:
    query = select(User).where(_CAN_SIGN_IN).order_by(User.email, User.id)
    return query if include_inactive else query.where(User.is_active.is_(True))


def _active_admins(s: OrmSession) -> int:
    # FOR UPDATE (PostgreSQL) serialises two admins demoting each other at the same moment.
    rows = s.scalars(
        select(User.id).where(User.role == Role.ADMIN.value, User.is_active.is_(True)).with_for_update()
    )
    return len(list(rows))


@policed
class UserAdminService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    @policy_action(Action.ACCOUNTS_MANAGE)
    def list_accounts(self, token: str, *, include_inactive: bool = True) -> tuple[UserAccount, ...]:
        """The accounts that can sign in (admin only), by e-mail: staff, and patients given portal
        access; the patient list, not this one, holds every patient. No medical data."""
        with self._ctx.unit_of_work() as s:
            require_admin(s, self._ctx, token)
            now = self._ctx.now()
            return tuple(to_account(s, u, now) for u in s.scalars(_accounts_query(include_inactive)))

    @policy_action(Action.ACCOUNTS_MANAGE)
    def account_ids(self, token: str, *, include_inactive: bool = True) -> tuple[str, ...]:
        """The ids of the accounts that can sign in (admin only), by e-mail: what the users table holds."""
        with self._ctx.unit_of_work() as s:
            require_admin(s, self._ctx, token)
            query = _accounts_query(include_inactive).with_only_columns(User.id)
            return tuple(s.scalars(query))

    @policy_action(Action.ACCOUNTS_MANAGE)
    def accounts(self, token: str, ids: Sequence[str]) -> tuple[UserAccount, ...]:
        """The accounts ``ids`` (admin only, at most 1000) in that order; unknown ids are left out."""
        if isinstance(ids, str) or not isinstance(ids, Sequence) or len(ids) > MAX_PAGE_SIZE:
            raise ValidationError(f"At most {MAX_PAGE_SIZE} account ids can be read at once.")
        keys = [i for i in ids if v.is_clean(i)]
        with self._ctx.unit_of_work() as s:
            require_admin(s, self._ctx, token)
            found = s.scalars(select(User).where(User.id.in_(keys), _CAN_SIGN_IN)) if keys else ()
            by_id = {u.id: u for u in found}
            now = self._ctx.now()
            return tuple(to_account(s, by_id[i], now) for i in keys if i in by_id)

    @policy_action(Action.ACCOUNTS_MANAGE)
    def create_user(
        self, token: str, email: str, name: str, password: str, role: Role = Role.USER
    ) -> UserAccount:
        """Create an account with an initial password (admin only)."""
        errors = v.FieldErrors()
        email_n = errors.check("email", v.normalise_email, email)
        name_c = errors.check("name", v.text, name, "Name", max_length=NAME_MAX, required=True)
        errors.check("password", passwords.check_policy, password, email_n or "")
        try:
            role = Role(role)
        except ValueError:
            errors.add("role", ROLE_CHOICES)
        errors.raise_if_any()
        hashed = passwords.hash_password(password, self._ctx.bcrypt_rounds)
        with self._ctx.unit_of_work(write=True) as s:
            admin = require_admin(s, self._ctx, token)
            ensure_email_free(s, email_n)
            user = add_user(s, self._ctx, email_n, name_c, hashed, role)
            audit.account_event(
                s,
                self._ctx,
                AuditAction.ACCOUNT_CREATED,
                user,
                f"Account created for {email_n} ({role.value})",
                by=admin,
            )
            s.commit()
            return to_account(s, user, self._ctx.now())

    @policy_action(Action.ACCOUNTS_MANAGE)
    def deactivate(self, token: str, user_id: str, expected_version: int | None = None) -> UserAccount:
        """Deactivate an account and end its sessions (admin only; not the last active admin)."""
        with self._ctx.unit_of_work(write=True) as s:
            admin = require_admin(s, self._ctx, token)
            user = _target(s, user_id)
            check_version(user, expected_version)
            if user.is_active and user.role == Role.ADMIN and _active_admins(s) <= 1:
                raise ValidationError(LAST_ADMIN)
            user.is_active = False
            user.updated_at = self._ctx.now()
            end_all_sessions(s, user.id)
            audit.account_event(
                s,
                self._ctx,
                AuditAction.ACCOUNT_DEACTIVATED,
                user,
                f"Account deactivated: {user.email}",
                by=admin,
            )
            s.commit()
            return to_account(s, user, self._ctx.now())

    @policy_action(Action.ACCOUNTS_MANAGE)
    def reactivate(self, token: str, user_id: str, expected_version: int | None = None) -> UserAccount:
        """Allow a deactivated account to sign in again (admin only)."""
        with self._ctx.unit_of_work(write=True) as s:
            admin = require_admin(s, self._ctx, token)
            user = _target(s, user_id)
            check_version(user, expected_version)
            user.is_active = True
            user.updated_at = self._ctx.now()
            audit.account_event(
                s,
                self._ctx,
                AuditAction.ACCOUNT_REACTIVATED,
                user,
                f"Account reactivated: {user.email}",
                by=admin,
            )
            s.commit()
            return to_account(s, user, self._ctx.now())

    @policy_action(Action.ACCOUNTS_MANAGE)
    def reset_password(self, token: str, user_id: str, new_password: str) -> UserAccount:
        """Set a new password for an account (admin only); its open sessions end, any sign-in lock is
        lifted, and the person must choose their own password at the next sign-in (unless the admin
        reset their own)."""
        with self._ctx.unit_of_work() as s:
            require_admin(s, self._ctx, token)
            email = _target(s, user_id).email
        passwords.check_policy(new_password, email)
        new_hash = passwords.hash_password(new_password, self._ctx.bcrypt_rounds)  # outside the write lock
        with self._ctx.unit_of_work(write=True) as s:
            admin = require_admin(s, self._ctx, token)
            user = _target(s, user_id)
            user.password_hash = new_hash
            user.updated_at = self._ctx.now()
            lockout.lift(s, _lock_key(user))
            if user.id != admin.id:
                end_all_sessions(s, user.id)
            audit.account_event(
                s, self._ctx, AuditAction.PASSWORD_RESET, user, f"Password reset for {user.email}", by=admin
            )
            s.commit()
            return to_account(s, user, self._ctx.now())

    @policy_action(Action.ACCOUNTS_MANAGE)
    def unlock(self, token: str, user_id: str) -> UserAccount:
        """Lift the sign-in lock of too many failed attempts before it runs out (admin only)."""
        with self._ctx.unit_of_work(write=True) as s:
            admin = require_admin(s, self._ctx, token)
            user = _target(s, user_id)
            forgotten = lockout.lift(s, _lock_key(user))
            audit.account_event(
                s,
                self._ctx,
                AuditAction.ACCOUNT_UNLOCKED,
                user,
                f"Sign-in lock lifted for {user.email} ({forgotten} failed attempt(s) forgotten)",
                by=admin,
            )
            s.commit()
            return to_account(s, user, self._ctx.now())

    # --- preferences ------------------------------------------------------------------------------

    @policy_action(Action.ACCOUNTS_MANAGE)
    def clinic_preferences(self, token: str) -> ClinicPreferences:
        """The preferences only an administrator may change, as stored on this computer (admin only)."""
        with self._ctx.unit_of_work() as s:
            require_admin(s, self._ctx, token)
        stored = app_settings.stored_value  # as stored: an environment override is not a preference
        mirror = stored(app_settings.BACKUP_MIRROR_KEY)
        idle = stored("idle_lock_minutes")
        return ClinicPreferences(
            idle_lock_minutes=idle if isinstance(idle, int) else app_settings.DEFAULT_IDLE_LOCK_MINUTES,
            self_registration=bool(stored("self_registration") or False),
            admin_can_read_medical_data=bool(stored("admin_can_read_medical_data") or False),
            backup_mirror_dir=mirror if isinstance(mirror, str) else "",
        )

    @policy_action(Action.ACCOUNTS_MANAGE)
    def save_clinic_preferences(self, token: str, prefs: ClinicPreferences) -> app_settings.Settings:
        """Store the administrator's preferences in this computer's settings file (admin only) and
        return the settings to run with from now on (environment overrides still win)."""
        errors = v.FieldErrors()
        longest = app_settings.MAX_IDLE_LOCK_MINUTES
        if not 1 <= prefs.idle_lock_minutes <= longest:
            errors.add(
                "idle_lock_minutes",
                f"The screen must lock after 1 to {longest} minutes without activity.",
            )
        errors.raise_if_any()
        before = dataclasses.asdict(self.clinic_preferences(token))
        after = dataclasses.asdict(prefs)
        with self._ctx.unit_of_work(write=True) as s:
            admin = require_admin(s, self._ctx, token)
            app_settings.save_settings(
                {
                    "idle_lock_minutes": prefs.idle_lock_minutes,
                    "self_registration": prefs.self_registration,
                    "admin_can_read_medical_data": prefs.admin_can_read_medical_data,
                    app_settings.BACKUP_MIRROR_KEY: prefs.backup_mirror_dir.strip(),
                }
            )
            audit.write(
                s,
                self._ctx,
                action=AuditAction.SETTINGS_CHANGED,
                user=admin,
                entity="settings",
                summary="Preferences changed",
                before=before,
                after=after,
            )
            s.commit()
        reloaded = app_settings.load_settings(self._ctx.settings.database_url)
        return dataclasses.replace(
            self._ctx.settings,
            idle_lock_minutes=reloaded.idle_lock_minutes,
            self_registration=reloaded.self_registration,
            admin_can_read_medical_data=reloaded.admin_can_read_medical_data,
            backup_mirror_dir=reloaded.backup_mirror_dir,
        )

    @policy_action(Action.ACCOUNTS_MANAGE)
    def set_role(
        self, token: str, user_id: str, role: Role, expected_version: int | None = None
    ) -> UserAccount:
        """Give an account one of the roles (admin only; the last active admin keeps the role)."""
        try:
            role = Role(role)
        except ValueError:
            raise ValidationError(ROLE_CHOICES) from None
        with self._ctx.unit_of_work(write=True) as s:
            admin = require_admin(s, self._ctx, token)
            user = _target(s, user_id)
            check_version(user, expected_version)
            if user.role == role.value:
                return to_account(s, user, self._ctx.now())
            if user.role == Role.ADMIN.value and user.is_active and _active_admins(s) <= 1:
                raise ValidationError(LAST_ADMIN)  # whatever the new role: someone must manage
            old = user.role
            user.role = role.value
            user.updated_at = self._ctx.now()
            audit.account_event(
                s,
                self._ctx,
                AuditAction.ROLE_CHANGED,
                user,
                f"Role of {user.email}: {old} -> {role.value}",
                by=admin,
                before={"role": old},
                after={"role": role.value},
            )
            s.commit()
            return to_account(s, user, self._ctx.now())

    @policy_action(Action.ACCOUNTS_MANAGE)
    def make_admin(self, token: str, user_id: str) -> UserAccount:
        """Shortcut for ``set_role(token, user_id, Role.ADMIN)``."""
        return self.set_role(token, user_id, Role.ADMIN)

    @policy_action(Action.ACCOUNTS_MANAGE)
    def remove_admin(self, token: str, user_id: str) -> UserAccount:
        """Shortcut for ``set_role(token, user_id, Role.USER)``; refused for the last active admin."""
        return self.set_role(token, user_id, Role.USER)

    # --- console (CLI) only: whoever runs these can already open the database itself ------------

    @policy_action(Action.CONSOLE)
    def create_admin_from_console(self, email: str, name: str, password: str) -> UserAccount:
        """Create an administrator without a session (``clinicdesk users create-admin``): the first
        account on a new database, or a rescue admin when the password of every admin is lost."""
        return self.create_account_from_console(email, name, password, Role.ADMIN)

    @policy_action(Action.CONSOLE)
    def create_account_from_console(self, email: str, name: str, password: str, role: Role) -> UserAccount:
        """Create an account of any role without a session (``clinicdesk users create --role``)."""
        errors = v.FieldErrors()
        email_n = errors.check("email", v.normalise_email, email)
        name_c = errors.check("name", v.text, name, "Name", max_length=NAME_MAX, required=True)
        errors.check("password", passwords.check_policy, password, email_n or "")
        try:
            role = Role(role)
        except ValueError:
            errors.add("role", ROLE_CHOICES)
        errors.raise_if_any()
        hashed = passwords.hash_password(password, self._ctx.bcrypt_rounds)
        with self._ctx.unit_of_work(write=True) as s:
            ensure_email_free(s, email_n)
            user = add_user(s, self._ctx, email_n, name_c, hashed, role)
            audit.write(
                s,
                self._ctx,
                action=AuditAction.ACCOUNT_CREATED,
                actor="console",
                entity="user",
                entity_id=user.id,
                summary=f"{role.label} {email_n} created from the command line",
            )
            s.commit()
            return to_account(s, user, self._ctx.now())

    @policy_action(Action.CONSOLE)
    def list_accounts_from_console(self) -> tuple[UserAccount, ...]:
        """The accounts that can sign in, for ``clinicdesk users list`` (no session: console access
        only)."""
        with self._ctx.unit_of_work() as s:
            now = self._ctx.now()
            query = select(User).where(_CAN_SIGN_IN).order_by(User.email)
            return tuple(to_account(s, u, now) for u in s.scalars(query))
