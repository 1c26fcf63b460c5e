"""Plain frozen values of the chart services beyond single rows: a prediction's report and the
filing of a batch screening's results into patients' charts."""

from __future__ import annotations

from dataclasses import dataclass

from desktop.domain.dto import SavedPrediction
from desktop.domain.patient_dto import PatientDTO

#: What every prediction report says about itself, in the clinic's words.
DECISION_SUPPORT_NOTICE = (
    "Decision support, to be read by a clinician together with the patient's other findings. "
    "This result is not a diagnosis."
)


@dataclass(frozen=True)
class PredictionReport:
    """Everything a printed prediction report names: the patient (name, date of birth, MRN), who ran
    it, the model (version and the full sha256 of its file), the result and its inputs."""

    prediction: SavedPrediction
    patient: PatientDTO
    clinician_name: str  # "Not known" for a prediction saved before authors were kept
    model_version: str
    model_sha256: str  # "" for a prediction saved before the model's hash was kept
    notice: str = DECISION_SUPPORT_NOTICE


@dataclass(frozen=True)
class FilingProblem:
    """A screened row that is not filed: its position among the rows given (1-based), its MRN and
    why; ``line`` is its line in the file when the rows were read from one (``mrn_rows``), which is
    what a person looking for it in the file needs (a header and blank lines shift it from ``row``)."""

    row: int
    mrn: str
    reason: str
    line: int | None = None


@dataclass(frozen=True)
class FilingPlan:
    """What filing a screening would do, shown before the clinician confirms it."""

    rows: int  # rows given
    to_file: int  # rows whose MRN names an active patient and whose measurements are valid
    patients: int  # distinct patients those rows go to
    unmatched_mrns: tuple[str, ...]  # MRNs that match no patient, each once, in file order
    not_filed: tuple[FilingProblem, ...]  # every row that will not be filed, with the reason


@dataclass(frozen=True)
class FilingResult:
    """What filing did: ``filed`` predictions saved into ``patients`` charts in one transaction."""

    filed: int
    patients: int
    unmatched_mrns: tuple[str, ...]
    not_filed: tuple[FilingProblem, ...]
    prediction_ids: tuple[int, ...]
