"""Creating accounts: the checks and the insert shared by registration, first run and admins."""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session as OrmSession

from desktop.db.models import User
from desktop.domain import validation as v
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
    )
    s.add(user)
    s.flush()
    return user
