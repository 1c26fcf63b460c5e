"""Results of batch screening a CSV file: what was predicted, what was refused and why, agreement.

Screening never saves anything; these frozen dataclasses are what the UI table, the CLI summary and the
CSV export are built from. A report holds counts, not rows: a file can have a million rows, so the
predicted rows stay in a compact table (``ScreenedRows``) that builds one ``ScreenedRow`` when asked.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from desktop.domain.enums import Diagnosis, RiskLevel
from desktop.domain.errors import KnownError
from desktop.domain.features import FEATURE_NAMES

#: Columns of a screening's results file: one line per input row, predicted or rejected.
EXPORT_COLUMNS = (
    "line",
    "id",
    "status",
    "reason",
    "diagnosis_in_file",
    "prediction",
    "probability_malignant",
    "confidence",
    "risk_level",
    "agrees",
    "out_of_range",
    *FEATURE_NAMES,
)


class ScreeningFileError(KnownError):
    """The file cannot be screened at all (missing, unreadable, empty, header without the features)."""


class ScreeningCancelledError(KnownError):
    """The person cancelled the screening; nothing was kept."""

    def __init__(self, message: str = "Screening cancelled; no results were kept.") -> None:
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class ScreenedRow:
    """A predicted row. ``line`` is the 1-based line number in the file."""

    line: int
    case_id: str
    known_diagnosis: Diagnosis | None
    prediction: Diagnosis
    probability_malignant: float
    confidence: float
    risk_level: RiskLevel
    out_of_range: tuple[str, ...]

    @property
    def agrees(self) -> bool | None:
        """Whether the prediction matches the file's diagnosis; None when the file has none."""
        return None if self.known_diagnosis is None else self.known_diagnosis is self.prediction


@dataclass(frozen=True, slots=True)
class RejectedRow:
    """A row that was not predicted, with the reason in plain words."""

    line: int
    case_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class Agreement:
    """Predictions against the file's own diagnoses; malignant is the positive class."""

    true_positive: int
    false_negative: int
    false_positive: int
    true_negative: int

    @property
    def total(self) -> int:
        return self.true_positive + self.false_negative + self.false_positive + self.true_negative

    @property
    def accuracy(self) -> float | None:
        return (self.true_positive + self.true_negative) / self.total if self.total else None

    @property
    def sensitivity(self) -> float | None:
        positives = self.true_positive + self.false_negative
        return self.true_positive / positives if positives else None

    @property
    def specificity(self) -> float | None:
        negatives = self.true_negative + self.false_positive
        return self.true_negative / negatives if negatives else None

    @property
    def confusion_matrix(self) -> tuple[tuple[int, int], tuple[int, int]]:
        """Rows: actual Malignant, Benign; columns: predicted Malignant, Benign."""
        return ((self.true_positive, self.false_negative), (self.false_positive, self.true_negative))


class ScreenedRows(Protocol):
    """Every predicted row of a run, held compactly; rows are built on demand and sorted by column."""

    def __len__(self) -> int: ...

    def row(self, position: int) -> ScreenedRow:
        """The row at ``position`` in file order."""
        ...

    def order(self, column: str, descending: bool = False) -> Sequence[int]:
        """Positions sorted by ``column`` (one of ``ScreenedRow``'s fields, or ``agrees``)."""
        ...

    def close(self) -> None:
        """Release the rows and the run's temporary results file."""
        ...


@dataclass(frozen=True, slots=True)
class RiskCounts:
    """How many predicted rows fell in each risk band."""

    low: int = 0
    medium: int = 0
    high: int = 0


@dataclass(frozen=True, slots=True)
class ScreeningReport:
    """What one screening run produced: counts, the refused rows (the first ``MAX_LISTED_REJECTED``
    of them; ``rejected_count`` counts all) and, when asked for, the predicted rows."""

    source: str
    layout: str  # "wdbc" (no header) or "header"
    rows_read: int
    predicted: int
    malignant: int
    risk: RiskCounts
    out_of_range_rows: int
    rejected: tuple[RejectedRow, ...]
    rejected_count: int
    agreement: Agreement | None
    model_version: str
    ignored_columns: tuple[str, ...] = ()
    delimiter: str = ","
    output: str | None = None  # the results file written, if any
    results: ScreenedRows | None = None

    @property
    def benign(self) -> int:
        return self.predicted - self.malignant


#: Refused rows a report lists; the rest are counted (every one is in the results file).
MAX_LISTED_REJECTED = 10_000


#: progress(bytes read, bytes in the file)
Progress = Callable[[int, int], None]


class CancelFlag(Protocol):
    def is_set(self) -> bool: ...


Cancel = CancelFlag | Callable[[], bool] | None


@dataclass(frozen=True)
class RunOptions:
    """How one screening runs (see ScreeningService.screen_file): where the results go, whether the rows
    are kept for the results table, and the progress, cancel and block-size hooks."""

    out: Path | str | None = None
    keep_rows: bool = False
    progress: Progress | None = None
    cancel: Cancel = None
    block_bytes: int | None = None
