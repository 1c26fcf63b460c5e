"""The signed-in person's own profile: read and update (never e-mail, role or password here)."""

from __future__ import annotations

from desktop.db.models import User
from desktop.domain import validation as v
from desktop.domain.dto import AuditAction, ProfileDTO, ProfileUpdate
from desktop.services import audit
from desktop.services.context import ServiceContext
from desktop.services.rows import check_version
from desktop.services.sessions import authenticate

TEXT_LIMITS = {"phone": 50, "emergency_contact": 200, "allergies": 1000, "medications": 1000}


def to_dto(user: User) -> ProfileDTO:
    return ProfileDTO(
        id=user.id,
        email=user.email,
        name=user.name,
        age=user.age,
        phone=user.phone or "",
        emergency_contact=user.emergency_contact or "",
        blood_type=user.blood_type or "",
        allergies=user.allergies or "",
        medications=user.medications or "",
        created_at=user.created_at,
        updated_at=user.updated_at,
        version=user.version_id,
    )


def validate(update: ProfileUpdate) -> dict[str, object]:
    """The update's values, cleaned; ValidationError listing every bad field otherwise."""
    errors = v.FieldErrors()
    values: dict[str, object] = {
        "name": errors.check("name", v.text, update.name, "Name", max_length=100, required=True),
        "age": errors.check("age", v.integer, update.age, "Age", minimum=0, maximum=130, optional=True),
        "blood_type": errors.check("blood_type", v.blood_type, update.blood_type),
    }
    labels = {
        "phone": "Phone",
        "emergency_contact": "Emergency contact",
        "allergies": "Allergies",
        "medications": "Medications",
    }
    for key, limit in TEXT_LIMITS.items():
        values[key] = errors.check(
            key,
            v.text,
            getattr(update, key),
            labels[key],
            max_length=limit,
            multiline=key in ("allergies", "medications"),
        )
    errors.raise_if_any()
    return values


class ProfileService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def get(self, token: str) -> ProfileDTO:
        """The signed-in user's profile."""
        with self._ctx.unit_of_work() as s:
            return to_dto(authenticate(s, self._ctx, token))

    def update(self, token: str, update: ProfileUpdate, expected_version: int) -> ProfileDTO:
        """Save the signed-in user's own fields. ``expected_version`` is ``ProfileDTO.version`` as
        shown; ConflictError if the profile changed since. The previous values go to the audit log."""
        values = validate(update)
        with self._ctx.unit_of_work(write=True) as s:
            user = authenticate(s, self._ctx, token)
            check_version(user, expected_version)
            before = audit.row_values(user)
            for key, value in values.items():
                setattr(user, key, value)
            user.updated_at = self._ctx.now()
            s.flush()
            audit.write(
                s,
                self._ctx,
                action=AuditAction.UPDATE,
                user=user,
                entity="user",
                entity_id=user.id,
                summary="Profile updated",
                before=before,
                after=audit.row_values(user),
            )
            s.commit()
            return to_dto(user)
