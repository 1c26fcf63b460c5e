"""Filing a batch screening's results into patients' charts, by the MRN column of the screened file.

A screening itself stores nothing. When the file names each case's patient by MRN, a clinician can
file every row's result into that patient's chart in one confirmed step: :func:`plan` says what would
happen (shown before the confirmation), :func:`file` does it in the caller's single transaction, so a
failure leaves no chart half-filed. A row whose MRN matches no patient is listed, never guessed at; a
deactivated patient (e.g. a merged duplicate registration) is listed too, so nothing lands in a chart
nobody looks at. A result whose 30 measurements the chart already holds is listed as already filed,
so filing the same file twice files nothing the second time.

The rows are any iterable of (MRN, 30 measurements by name); :func:`mrn_rows` reads them from a
screened CSV file whose header has an ``mrn`` column.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from desktop.db.models import BreastCancerPrediction, User
from desktop.domain.chart_dto import FilingPlan, FilingProblem, FilingResult
from desktop.domain.dto import AuditAction
from desktop.domain.enums import Role
from desktop.domain.errors import ValidationError
from desktop.domain.features import FEATURE_NAMES
from desktop.domain.patients import normalise_mrn
from desktop.domain.screening import ScreeningFileError
from desktop.ml.predictor import Predictor
from desktop.services import audit
from desktop.services.access_policy import Action, require
from desktop.services.context import ServiceContext
from desktop.services.prediction_rows import ENTITY, checked_inputs, describe, stored_result
from desktop.services.screening_csv import normalise_column, read_rows

#: One screened case: the patient's MRN as written in the file, and the 30 measurements by name;
#: rows read from a file (:func:`mrn_rows`) add their line number, so problems can name it.
FilingRow = tuple[str, Mapping[str, object]] | tuple[str, Mapping[str, object], int]

MRN_COLUMN = "mrn"
NO_PATIENT = "No patient has this MRN."
DEACTIVATED = "This patient is deactivated; open the chart they were merged into."
ALREADY_FILED = "The chart already has a prediction with these 30 measurements."
#: Significant digits two measurements must share to count as the same (a server column may hold
#: them as single-precision floats, so exact equality would miss a result filed before).
SAME_DIGITS = 6


@dataclass(frozen=True)
class _Case:
    row: int
    patient_id: str
    values: dict[str, float]


class _Sorter:
    """Sorts rows into cases to file and problems, finding each MRN's patient once."""

    def __init__(self, s: OrmSession) -> None:
        self._s = s
        self._patients: dict[str, User | None] = {}
        self.rows = 0
        self.unmatched: dict[str, None] = {}  # insertion-ordered set
        self.problems: list[FilingProblem] = []
        self._charted: dict[str, set[tuple[str, ...]]] = {}  # per patient: measurements already there

    def cases(self, rows: Iterable[FilingRow]) -> Iterator[_Case]:
        for number, (mrn_text, features, *where) in enumerate(rows, start=1):
            self.rows = number
            line = where[0] if where else None
            shown = str(mrn_text or "").strip()[:40]
            try:
                mrn = normalise_mrn(mrn_text)
            except ValidationError as error:
                self.problems.append(FilingProblem(number, shown, error.message, line))
                continue
            patient = self._patient(mrn)
            if patient is None:
                self.unmatched.setdefault(mrn)
                self.problems.append(FilingProblem(number, mrn, NO_PATIENT, line))
                continue
            if not patient.is_active:
                self.problems.append(FilingProblem(number, mrn, DEACTIVATED, line))
                continue
            try:
                values, _ = checked_inputs(features, "")
            except ValidationError as error:
                reason = " ".join(error.fields.values()) or error.message
                self.problems.append(FilingProblem(number, mrn, reason, line))
                continue
            charted = self._charted_for(patient.id)
            key = _measurements_key(values[name] for name in FEATURE_NAMES)
            if key in charted:  # filed before (or twice in this file): a second copy adds nothing
                self.problems.append(FilingProblem(number, mrn, ALREADY_FILED, line))
                continue
            charted.add(key)
            yield _Case(number, patient.id, values)

    def _charted_for(self, patient_id: str) -> set[tuple[str, ...]]:
        if patient_id not in self._charted:
            columns = [getattr(BreastCancerPrediction, name) for name in FEATURE_NAMES]
            rows = self._s.execute(select(*columns).where(BreastCancerPrediction.user_id == patient_id))
            self._charted[patient_id] = {_measurements_key(row) for row in rows}
        return self._charted[patient_id]

    def _patient(self, mrn: str) -> User | None:
        if mrn not in self._patients:
            self._patients[mrn] = self._s.scalars(
                select(User).where(User.mrn == mrn, User.role == Role.PATIENT.value)
            ).first()
        return self._patients[mrn]


def _measurements_key(values: Iterable[Any]) -> tuple[str, ...]:
    return tuple(f"{float(v):.{SAME_DIGITS}g}" for v in values)


def plan(s: OrmSession, ctx: ServiceContext, user: User, rows: Iterable[FilingRow]) -> FilingPlan:
    """What :func:`file` would do with ``rows``; reads only."""
    require(user.id, user.role, Action.SCREENING_FILE, ctx.settings)
    sorter = _Sorter(s)
    cases = list(sorter.cases(rows))
    return FilingPlan(
        rows=sorter.rows,
        to_file=len(cases),
        patients=len({c.patient_id for c in cases}),
        unmatched_mrns=tuple(sorter.unmatched),
        not_filed=tuple(sorter.problems),
    )


def file(
    s: OrmSession,
    ctx: ServiceContext,
    user: User,
    rows: Iterable[FilingRow],
    predictor: Predictor,
    notes: str,
) -> FilingResult:
    """Save one prediction per filable row into its patient's chart, written by ``user``, with an
    audit row each; the caller commits (all rows) or rolls back (none)."""
    require(user.id, user.role, Action.SCREENING_FILE, ctx.settings)
    sorter = _Sorter(s)
    now = ctx.now()
    saved: list[BreastCancerPrediction] = []
    for case in sorter.cases(rows):
        row = BreastCancerPrediction(
            user_id=case.patient_id,
            created_by=user.id,
            created_at=now,
            notes=notes,
            **case.values,
            **stored_result(predictor, case.values),
        )
        s.add(row)
        saved.append(row)
    s.flush()
    for row in saved:
        audit.write(
            s,
            ctx,
            action=AuditAction.CREATE,
            user=user,
            entity=ENTITY,
            entity_id=row.id,
            summary=f"Prediction filed from a screening: {describe(row)}",
        )
    return FilingResult(
        filed=len(saved),
        patients=len({r.user_id for r in saved}),
        unmatched_mrns=tuple(sorter.unmatched),
        not_filed=tuple(sorter.problems),
        prediction_ids=tuple(r.id for r in saved),
    )


def has_mrn_column(header: Iterable[str] | None) -> bool:
    """Whether a screened file's header (e.g. a report's ``ignored_columns``) has an MRN column."""
    return header is not None and any(normalise_column(name) == MRN_COLUMN for name in header)


def mrn_rows(path: Path | str) -> Iterator[FilingRow]:
    """(MRN, measurements, line number) for every data row of a screened CSV whose header names an
    ``mrn`` column and the 30 measurements; ScreeningFileError when it has none. A row with the wrong
    number of cells is still given (its MRN and what it holds), so filing lists it with a reason."""
    header, raw_rows = read_rows(Path(path))
    names = [normalise_column(name) for name in header or ()]
    if MRN_COLUMN not in names:
        raise ScreeningFileError(f"{path} has no MRN column, so its results cannot be filed into charts.")
    missing = [name for name in FEATURE_NAMES if name not in names]
    if missing:
        raise ScreeningFileError(
            f"{path} does not name all 30 measurements; missing: {', '.join(missing[:6])}."
        )
    mrn_at = names.index(MRN_COLUMN)
    positions = {name: names.index(name) for name in FEATURE_NAMES}
    for raw in raw_rows:
        cells = raw.cells
        mrn = cells[mrn_at] if mrn_at < len(cells) else ""
        yield mrn, {name: cells[i] if i < len(cells) else "" for name, i in positions.items()}, raw.line
