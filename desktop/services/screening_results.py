"""The predicted rows of a screening run in a few numpy columns, about 30 bytes a row.

A million ScreenedRow objects would take over a gigabyte; these columns take about 30 MB, and the
table view builds a ScreenedRow only for the rows it shows. Sorting is an argsort of one column.
The run's results file (for Export) belongs to the table: it is deleted when the table is closed
or garbage-collected, so an abandoned run leaves nothing in the temporary folder.
"""

from __future__ import annotations

import contextlib
import os
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import cast

import numpy as np

from desktop.domain.enums import Diagnosis
from desktop.domain.features import FEATURE_NAMES
from desktop.domain.screening import ScreenedRow
from desktop.ml.batch import RISK_BY_CODE

_KNOWN = (Diagnosis.BENIGN, Diagnosis.MALIGNANT)


def out_of_range_names(bits: int) -> tuple[str, ...]:
    """The measurements flagged in a row's bit mask (bit j: FEATURE_NAMES[j])."""
    return tuple(name for j, name in enumerate(FEATURE_NAMES) if bits >> j & 1)


def out_of_range_bits(mask: np.ndarray) -> np.ndarray:
    """[n, 30] bool -> [n] uint32 bit masks."""
    padded = np.zeros((mask.shape[0], 32), dtype=bool)
    padded[:, : mask.shape[1]] = mask
    return np.packbits(padded, axis=1, bitorder="little").view("<u4").ravel()


class ResultColumns:
    """Collects the columns chunk by chunk (lists of arrays, joined once at the end)."""

    def __init__(self) -> None:
        self._parts: dict[str, list[np.ndarray]] = {
            k: [] for k in ("line", "case_id", "known", "malignant", "probability", "risk", "out_of_range")
        }

    def add(
        self,
        line: np.ndarray,
        case_id: np.ndarray,
        known: np.ndarray,
        malignant: np.ndarray,
        probability: np.ndarray,
        risk: np.ndarray,
        out_of_range: np.ndarray,
    ) -> None:
        for key, value in (
            ("line", line.astype(np.int64, copy=False)),
            ("case_id", case_id),
            ("known", known.astype(np.int8, copy=False)),
            ("malignant", malignant.astype(bool, copy=False)),
            ("probability", probability.astype(np.float64, copy=False)),
            ("risk", risk.astype(np.int8, copy=False)),
            ("out_of_range", out_of_range.astype(np.uint32, copy=False)),
        ):
            self._parts[key].append(value)

    def build(self, results_file: Path | None) -> ResultTable:
        columns = {
            key: np.concatenate(parts) if parts else np.zeros(0, dtype="S1" if key == "case_id" else np.int64)
            for key, parts in self._parts.items()
        }
        return ResultTable(columns, results_file)


def _remove(path: Path | None) -> None:
    if path is not None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


class ResultTable:
    """Compact predicted rows; implements desktop.domain.screening.ScreenedRows."""

    def __init__(self, columns: dict[str, np.ndarray], results_file: Path | None = None) -> None:
        self._c = columns
        self.results_file = results_file
        self._finalizer = weakref.finalize(self, _remove, results_file)

    def close(self) -> None:
        """Delete the results file now (also done when the table is garbage-collected)."""
        self._finalizer()

    def __len__(self) -> int:
        return int(self._c["line"].shape[0])

    @property
    def nbytes(self) -> int:
        return sum(int(v.nbytes) for v in self._c.values())

    def row(self, position: int) -> ScreenedRow:
        c = self._c
        p = float(c["probability"][position])
        malignant = bool(c["malignant"][position])
        known_code = int(c["known"][position])
        return ScreenedRow(
            line=int(c["line"][position]),
            case_id=bytes(c["case_id"][position]).decode("utf-8", "replace"),
            known_diagnosis=_KNOWN[known_code] if known_code >= 0 else None,
            prediction=Diagnosis.MALIGNANT if malignant else Diagnosis.BENIGN,
            probability_malignant=p,
            confidence=p if malignant else 1.0 - p,
            risk_level=RISK_BY_CODE[int(c["risk"][position])],
            out_of_range=out_of_range_names(int(c["out_of_range"][position])),
        )

    def order(self, column: str, descending: bool = False) -> Sequence[int]:
        """Positions sorted by ``column``; ties keep file order in both directions."""
        key = self._key(column)
        if not descending:
            return cast(Sequence[int], np.argsort(key, kind="stable"))
        n = key.shape[0]
        return cast(Sequence[int], (n - 1 - np.argsort(key[::-1], kind="stable"))[::-1])

    def _key(self, column: str) -> np.ndarray:
        c = self._c
        if column == "confidence":
            return np.where(c["malignant"], c["probability"], 1.0 - c["probability"])
        if column == "agrees":
            agrees = (c["known"] == 1) == c["malignant"]
            return np.where(c["known"] < 0, -1, agrees.astype(np.int8))
        if column == "out_of_range":
            return np.bitwise_count(c["out_of_range"])
        names = {
            "line": "line",
            "case_id": "case_id",
            "prediction": "malignant",
            "probability_malignant": "probability",
            "risk_level": "risk",
            "known_diagnosis": "known",
        }
        return c[names[column]]
