"""Creating accounts: the checks and the insert shared by registration, first run and admins; and
whether a person must choose a new password at the next sign-in."""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session as OrmSession

from desktop.db.models import AuditLog, User
from desktop.domain import validation as v
from desktop.domain.dto import AuditAction
from desktop.domain.enums import Role
from desktop.domain.errors import ValidationError
from desktop.services import passwords
from desktop.services.context import ServiceContext
from desktop.services.patient_records import next_mrn

NAME_MAX = 100
FIRST_RUN_LOCK_KEY = 0x436C696E69634631  # "ClinicF1": distinct from the migration lock


def serialise_first_run(s: OrmSession) -> None:
    """Two desktops creating the first admin at once: SQLite's BEGIN IMMEDIATE already serialises
    them; on PostgreSQL a transaction-scoped advisory lock does. MySQL's user locks outlive the
    transaction, so there the one row of ``alembic_version`` is locked instead (released at COMMIT or
    ROLLBACK like the advisory lock)."""
    dialect = s.get_bind().dialect.name
    if dialect == "postgresql":
        s.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": FIRST_RUN_LOCK_KEY})
    elif dialect in ("mysql", "mariadb"):
        s.execute(text("SELECT version_num FROM alembic_version FOR UPDATE"))


def check_new_account(email: str, name: str, password: str) -> tuple[str, str]:
    errors = v.FieldErrors()
    email_n = errors.check("email", v.normalise_email, email)
    name_c = errors.check("name", v.text, name, "Name", max_length=NAME_MAX, required=True)
    errors.check("password", passwords.check_policy, password, email_n or "")
    errors.raise_if_any()
    return email_n, name_c


def ensure_email_free(s: OrmSession, email: str) -> None:
    if s.scalars(select(User.id).where(func.lower(User.email) == email)).first() is not None:
        message = "An account with this e-mail address already exists."
        raise ValidationError(message, {"email": message})


def add_user(s: OrmSession, ctx: ServiceContext, email: str, name: str, hashed: str, role: Role) -> User:
    now = ctx.now()
    user = User(
        email=email,
        name=name,
        password_hash=hashed,
        role=role.value,
        created_at=now,
        updated_at=now,
        is_active=True,
        mrn=next_mrn(s) if role == Role.PATIENT else None,
        # Unknown until the person (or a clinician) records them: the web version's defaults, age 0
        # and blood type O+, would be wrong facts about nearly everyone.
        age=None,
        blood_type="",
    )
    s.add(user)
    s.flush()
    return user


_PASSWORD_SET = (AuditAction.ACCOUNT_CREATED, AuditAction.PASSWORD_RESET, AuditAction.PASSWORD_CHANGED)


def must_change_password(s: OrmSession, user_id: str) -> bool:
    """True when the account's password was last set by an administrator (an account an admin
    created, or a reset) and the person has not changed it since.

    Read from the append-only audit log, which records every way a password gets set and by whom,
    rather than from a flag column: no schema change, and the answer cannot drift from the record.
    Self-registration, the first administrator, an admin resetting their own password and the
    console's rescue administrator set their own password: none of them is asked again.
    """
    row = s.execute(
        select(AuditLog.action, AuditLog.user_id)
        .where(
            AuditLog.entity == "user",
            AuditLog.entity_id == user_id,
            AuditLog.action.in_([a.value for a in _PASSWORD_SET]),
        )
        .order_by(AuditLog.id.desc())
        .limit(1)
    ).first()
    if row is None or row.action == AuditAction.PASSWORD_CHANGED.value:
        return False
    return row.user_id is not None and row.user_id != user_id
