"""A patient's profile in their chart: read and update (never e-mail, role or password here).

``patient_id`` as in every chart service: a signed-in patient's own profile by default (any other id
is "not found"); staff name the patient. The profile holds medical fields (blood type, allergies,
medications), so reading it is a chart read (logged for everyone but the patient) and changing it is
a medical write (clinicians, or patients for themselves); reception changes demographics and contact
details through the patient service instead.
"""

from __future__ import annotations

from desktop.db.models import User
from desktop.domain import validation as v
from desktop.domain.dto import AuditAction, ProfileDTO, ProfileUpdate
from desktop.domain.enums import AllergyStatus
from desktop.services import audit
from desktop.services.access_log import open_patient
from desktop.services.access_policy import Action, policed, policy_action
from desktop.services.context import ServiceContext
from desktop.services.rows import check_version
from desktop.services.sessions import authenticate

TEXT_LIMITS = {"phone": 50, "emergency_contact": 200, "allergies": 1000, "medications": 1000}


def to_dto(user: User) -> ProfileDTO:
    return ProfileDTO(
        id=user.id,
        email=user.email or "",  # most patients have none
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


@policed
class ProfileService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    @policy_action(Action.CHART_READ_MEDICAL)
    def get(self, token: str, *, patient_id: str | None = None) -> ProfileDTO:
        """The patient's profile."""
        with self._ctx.unit_of_work() as s:
            user = authenticate(s, self._ctx, token)
            return to_dto(open_patient(s, self._ctx, user, Action.CHART_READ_MEDICAL, patient_id, "profile"))

    @policy_action(Action.CHART_WRITE_MEDICAL)
    def update(
        self, token: str, update: ProfileUpdate, expected_version: int, *, patient_id: str | None = None
    ) -> ProfileDTO:
        """Save the patient's profile. ``expected_version`` is ``ProfileDTO.version`` as shown;
        ConflictError if the profile changed since. The previous values go to the audit log."""
        values = validate(update)
        with self._ctx.unit_of_work(write=True) as s:
            user = authenticate(s, self._ctx, token)
            patient = open_patient(s, self._ctx, user, Action.CHART_WRITE_MEDICAL, patient_id)
            check_version(patient, expected_version)
            before = audit.row_values(patient)
            if values["allergies"] != (patient.allergies or ""):
                # The banner's allergy statement follows the list: a list typed here is "recorded"
                # (checked today), an emptied one "not recorded", never a stale "no known allergies".
                patient.allergy_status = (
                    AllergyStatus.RECORDED if values["allergies"] else AllergyStatus.NOT_RECORDED
                ).value
                patient.allergies_checked_on = self._ctx.now().date() if values["allergies"] else None
            for key, value in values.items():
                setattr(patient, key, value)
            patient.updated_at = self._ctx.now()
            s.flush()
            audit.account_event(
                s,
                self._ctx,
                AuditAction.UPDATE,
                patient,
                "Profile updated",
                by=user,
                before=before,
                after=audit.row_values(patient),
            )
            s.commit()
            return to_dto(patient)
