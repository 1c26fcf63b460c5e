"""Who may do what: one table of role x action, and the check every service calls.

The table is the clinic's rules in one place (the UI only hides what it refuses):
- a patient reaches their own chart only; any other patient's id is "not found", so ids reveal
  nothing;
- reception registers patients and edits demographics and contact details, never medical data;
- a clinician opens any patient's chart, reads and writes its medical data, runs predictions;
- an administrator manages accounts, the audit and access logs and the database, and reads medical
  data only when the clinic's setting ``admin_can_read_medical_data`` allows it;
- some methods touch no patient's data and are open to everyone: screening a file (a report nothing
  stores), the model's card and the lists a filter offers (``reference.read``), signing in, one's own
  session and password, recording one's own events, and the command-line methods (``console``: no
  session; whoever runs the command can already open the database file).

Every public method of a service declares its action with :func:`policy_action`; the policy test
walks every method of every class in :data:`POLICED_SERVICES` for every role and compares what the
service does with this table, so a method without an entry (or a service ignoring its entry) fails.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import Enum, StrEnum
from typing import Any, TypeVar

from desktop.domain.enums import Role
from desktop.domain.errors import NotFoundError, PermissionDeniedError
from desktop.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])


class Action(StrEnum):
    PATIENTS_SEARCH = "patients.search"
    PATIENTS_READ = "patients.read"
    PATIENTS_REGISTER = "patients.register"
    PATIENTS_UPDATE = "patients.update"
    PATIENTS_DEACTIVATE = "patients.deactivate"
    PATIENTS_MERGE = "patients.merge"
    CHART_OPEN = "chart.open"
    CHART_READ_MEDICAL = "chart.read_medical"
    CHART_WRITE_MEDICAL = "chart.write_medical"
    PREDICTIONS_RUN = "predictions.run"
    ACCESS_LOG_READ = "access_log.read"
    ACCESS_LOG_READ_OWN = "access_log.read_own"
    ACCOUNTS_MANAGE = "accounts.manage"
    AUDIT_READ = "audit.read"
    DATABASE_MAINTAIN = "database.maintain"
    SCREENING_FILE = "screening.file"
    # Methods that touch no patient's data; the row says who may call them, like every other.
    SCREENING_RUN = "screening.run"
    REFERENCE_READ = "reference.read"
    SIGN_IN = "account.sign_in"
    OWN_ACCOUNT = "account.own"
    EVENT_RECORD = "audit.record_event"
    CONSOLE = "console"


class Grant(Enum):
    NO = "no"
    YES = "yes"
    OWN = "own chart only"
    IF_SETTING = "if admin_can_read_medical_data"


NO, YES, OWN, IF_SETTING = Grant.NO, Grant.YES, Grant.OWN, Grant.IF_SETTING

# fmt: off
#: action -> (patient, reception, clinician, admin)
_TABLE: dict[Action, tuple[Grant, Grant, Grant, Grant]] = {
    #                                 patient  reception  clinician  admin
    Action.PATIENTS_SEARCH:          (NO,      YES,       YES,       YES),
    Action.PATIENTS_READ:            (OWN,     YES,       YES,       YES),
    Action.PATIENTS_REGISTER:        (NO,      YES,       YES,       YES),
    Action.PATIENTS_UPDATE:          (NO,      YES,       YES,       YES),
    Action.PATIENTS_DEACTIVATE:      (NO,      YES,       YES,       YES),
    Action.PATIENTS_MERGE:           (NO,      NO,        YES,       YES),
    Action.CHART_OPEN:               (OWN,     NO,        YES,       IF_SETTING),
    Action.CHART_READ_MEDICAL:       (OWN,     NO,        YES,       IF_SETTING),
    Action.CHART_WRITE_MEDICAL:      (OWN,     NO,        YES,       NO),
    Action.PREDICTIONS_RUN:          (OWN,     NO,        YES,       NO),
    Action.ACCESS_LOG_READ:          (NO,      NO,        NO,        YES),
    Action.ACCESS_LOG_READ_OWN:      (YES,     YES,       YES,       YES),
    Action.ACCOUNTS_MANAGE:          (NO,      NO,        NO,        YES),
    Action.AUDIT_READ:               (NO,      NO,        NO,        YES),
    Action.DATABASE_MAINTAIN:        (NO,      NO,        NO,        YES),
    Action.SCREENING_FILE:           (NO,      NO,        YES,       NO),
    Action.SCREENING_RUN:            (YES,     YES,       YES,       YES),
    Action.REFERENCE_READ:           (YES,     YES,       YES,       YES),
    Action.SIGN_IN:                  (YES,     YES,       YES,       YES),
    Action.OWN_ACCOUNT:              (YES,     YES,       YES,       YES),
    Action.EVENT_RECORD:             (YES,     YES,       YES,       YES),
    Action.CONSOLE:                  (YES,     YES,       YES,       YES),
}
# fmt: on

_ROLES = (Role.PATIENT, Role.RECEPTION, Role.CLINICIAN, Role.ADMIN)

POLICY: Mapping[tuple[Role, Action], Grant] = {
    (role, action): grants[i] for action, grants in _TABLE.items() for i, role in enumerate(_ROLES)
}

#: Actions that read a patient's chart: each one by anyone but the patient is written to the access log.
CHART_READS = frozenset({Action.CHART_OPEN, Action.CHART_READ_MEDICAL})

REFUSED = {
    Role.PATIENT: "This is only available to the clinic's staff.",
    Role.RECEPTION: "Reception works with demographics and contact details only, not medical data.",
    Role.CLINICIAN: "Only an administrator can do this.",
    Role.ADMIN: "Administrators cannot do this.",
}
ADMIN_MEDICAL = (
    "Administrators read medical data only when the clinic allows it (setting admin_can_read_medical_data)."
)
NOT_FOUND = "This patient does not exist."


def grant(role: Role, action: Action) -> Grant:
    return POLICY[(Role(role), Action(action))]


def allowed(role: Role, action: Action, settings: Settings, *, own: bool = True) -> bool:
    """Whether ``role`` may do ``action`` (``own``: on their own chart, for a patient). For the UI,
    which hides what is refused; services call :func:`require`."""
    g = grant(role, action)
    if g is Grant.IF_SETTING:
        return bool(settings.admin_can_read_medical_data)
    return g is Grant.YES or (g is Grant.OWN and own)


def require(
    user_id: str, role: Role | str, action: Action, settings: Settings, *, patient_id: str | None = None
) -> str | None:
    """Raise unless the account ``user_id`` with ``role`` may do ``action`` (on ``patient_id``'s chart).

    Returns the patient the action applies to: for a patient, themselves when ``patient_id`` is None.
    A patient naming any other patient gets NotFoundError (ids reveal nothing); every other refusal
    is PermissionDeniedError with a reason a person understands.
    """
    role = Role(role)
    g = grant(role, action)
    if g is Grant.OWN:
        if patient_id is None or patient_id == user_id:
            return user_id
        raise NotFoundError(NOT_FOUND)
    if g is Grant.YES:
        return patient_id
    if g is Grant.IF_SETTING and settings.admin_can_read_medical_data:
        return patient_id
    if g is Grant.IF_SETTING:
        raise PermissionDeniedError(ADMIN_MEDICAL)
    if role is Role.PATIENT and patient_id is not None and patient_id != user_id:
        raise NotFoundError(NOT_FOUND)
    raise PermissionDeniedError(REFUSED[role])


# --- which action each public service method is ------------------------------------------------------

POLICY_ATTRIBUTE = "__policy_action__"

#: Service classes whose every public method must declare an action (the policy test walks them).
POLICED_SERVICES: list[type] = []


def policy_action(action: Action) -> Callable[[F], F]:
    """Declare the action a public service method performs (checked by the policy test)."""

    def mark(method: F) -> F:
        setattr(method, POLICY_ATTRIBUTE, Action(action))
        return method

    return mark


def policed(cls: type) -> type:
    """Register a service class whose public methods are all covered by the policy."""
    POLICED_SERVICES.append(cls)
    return cls


def declared_actions(cls: type) -> dict[str, Action | None]:
    """Every public method of ``cls`` and the action it declares (None: undeclared)."""
    return {
        name: getattr(member, POLICY_ATTRIBUTE, None)
        for name, member in vars(cls).items()
        if callable(member) and not name.startswith("_")
    }
