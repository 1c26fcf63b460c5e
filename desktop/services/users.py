"""Account administration (admins only): list, create, deactivate/reactivate, reset password, roles.

Nothing is physically deleted: deactivation sets ``is_active=False`` and ends the account's sessions
at once (on every desktop, since sessions are checked against the database on each call). The last
active administrator can neither be deactivated nor lose the role, so the clinic is never locked out
of its own administration.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session as OrmSession

from desktop.db.models import User
from desktop.domain import validation as v
from desktop.domain.dto import MAX_PAGE_SIZE, AuditAction, UserAccount
from desktop.domain.enums import Role
from desktop.domain.errors import NotFoundError, ValidationError
from desktop.services import audit, passwords
from desktop.services.access_policy import Action, policed, policy_action
from desktop.services.accounts import NAME_MAX, add_user, ensure_email_free
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


def to_account(user: User) -> UserAccount:
    return UserAccount(
        id=user.id,
        email=user.email,
        name=user.name,
        role=Role(user.role),
        is_active=bool(user.is_active),
        created_at=user.created_at,
        version=user.version_id,
    )


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
            return tuple(to_account(u) for u in s.scalars(_accounts_query(include_inactive)))

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
            return tuple(to_account(by_id[i]) for i in keys if i in by_id)

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
            audit.write(
                s,
                self._ctx,
                action=AuditAction.ACCOUNT_CREATED,
                user=admin,
                entity="user",
                entity_id=user.id,
                summary=f"Account created for {email_n} ({role.value})",
            )
            s.commit()
            return to_account(user)

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
            audit.write(
                s,
                self._ctx,
                action=AuditAction.ACCOUNT_DEACTIVATED,
                user=admin,
                entity="user",
                entity_id=user.id,
                summary=f"Account deactivated: {user.email}",
            )
            s.commit()
            return to_account(user)

    @policy_action(Action.ACCOUNTS_MANAGE)
    def reactivate(self, token: str, user_id: str, expected_version: int | None = None) -> UserAccount:
        """Allow a deactivated account to sign in again (admin only)."""
        with self._ctx.unit_of_work(write=True) as s:
            admin = require_admin(s, self._ctx, token)
            user = _target(s, user_id)
            check_version(user, expected_version)
            user.is_active = True
            user.updated_at = self._ctx.now()
            audit.write(
                s,
                self._ctx,
                action=AuditAction.ACCOUNT_REACTIVATED,
                user=admin,
                entity="user",
                entity_id=user.id,
                summary=f"Account reactivated: {user.email}",
            )
            s.commit()
            return to_account(user)

    @policy_action(Action.ACCOUNTS_MANAGE)
    def reset_password(self, token: str, user_id: str, new_password: str) -> UserAccount:
        """Set a new password for an account (admin only); its open sessions end."""
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
            if user.id != admin.id:
                end_all_sessions(s, user.id)
            audit.write(
                s,
                self._ctx,
                action=AuditAction.PASSWORD_RESET,
                user=admin,
                entity="user",
                entity_id=user.id,
                summary=f"Password reset for {user.email}",
            )
            s.commit()
            return to_account(user)

    @policy_action(Action.ACCOUNTS_MANAGE)
    def set_role(
        self, token: str, user_id: str, role: Role, expected_version: int | None = None
    ) -> UserAccount:
        """Make an account an administrator or an ordinary user (admin only; the last active admin
        keeps the role)."""
        try:
            role = Role(role)
        except ValueError:
            raise ValidationError(ROLE_CHOICES) from None
        with self._ctx.unit_of_work(write=True) as s:
            admin = require_admin(s, self._ctx, token)
            user = _target(s, user_id)
            check_version(user, expected_version)
            if user.role == role.value:
                return to_account(user)
            if role == Role.USER and user.is_active and _active_admins(s) <= 1:
                raise ValidationError(LAST_ADMIN)
            old = user.role
            user.role = role.value
            user.updated_at = self._ctx.now()
            audit.write(
                s,
                self._ctx,
                action=AuditAction.ROLE_CHANGED,
                user=admin,
                entity="user",
                entity_id=user.id,
                summary=f"Role of {user.email}: {old} -> {role.value}",
                before={"role": old},
                after={"role": role.value},
            )
            s.commit()
            return to_account(user)

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
            return to_account(user)

    @policy_action(Action.CONSOLE)
    def list_accounts_from_console(self) -> tuple[UserAccount, ...]:
        """The accounts that can sign in, for ``clinicdesk users list`` (no session: console access
        only)."""
        with self._ctx.unit_of_work() as s:
            return tuple(
                to_account(u) for u in s.scalars(select(User).where(_CAN_SIGN_IN).order_by(User.email))
            )
