"""The breast-cancer predictor: onnxruntime plus numpy, never scikit-learn.

Nothing heavy happens at construction: ``load()`` (called by the first prediction, or ahead of time by a
worker thread) reads model.json, checks model.onnx's sha256 against it and opens the onnxruntime
sessions. A missing or altered model is refused with ModelError, whose message a clinician can pass
on to support.

The single-row session uses one intra-op thread: waking a thread pool costs more than the 30-value
dot product. Batches get their own session with onnxruntime's default thread count
(``batch_threads=0``): on a quiet 2-core machine the bare batch ran 6.0M rows/s on one thread and
10.9M on the default pool, so one thread would leave half the batch speed unused
(tests/perf/bench_predict.py compares both). ``batch_threads=1`` shares the single-row session.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from desktop.domain.enums import Diagnosis, RiskLevel
from desktop.domain.errors import ModelError, ValidationError
from desktop.domain.features import FEATURE_NAMES, feature_label
from desktop.domain.prediction import (
    MAX_MEASUREMENT,
    FeatureContribution,
    ModelInfo,
    PredictionResult,
    validate_features,
)
from desktop.ml.batch import BatchPrediction
from desktop.ml.model_contract import ModelContract, read_contract
from desktop.paths import resource_path

N_FEATURES = len(FEATURE_NAMES)
_LABELS = tuple(feature_label(n) for n in FEATURE_NAMES)
#: Rows per onnxruntime call in predict_many: large enough to amortise the call, small enough for cache.
DEFAULT_CHUNK = 65_536


def default_model_dir() -> Path:
    """The bundled onnx_model/ folder (source checkout, wheel or PyInstaller bundle)."""
    try:
        return resource_path("onnx_model")
    except FileNotFoundError as exc:
        raise ModelError(f"The prediction model is not installed: {exc}") from exc


class _RowKernel:
    """The single-row path with every per-model constant resolved once.

    predict() is meant to cost a small multiple of the bare onnxruntime call (about 7 us): attribute
    look-ups, numpy calls on 30-element arrays and object creation are each a noticeable share, so
    this class keeps them to the minimum (benchmark: tests/perf/bench_predict.py).
    """

    __slots__ = (
        "column", "high", "input_name", "inv_median", "low", "maxs", "mins", "offset", "outputs",
        "session", "threshold", "version", "weight",
    )  # fmt: skip

    def __init__(self, contract: ModelContract, session: Any) -> None:
        explanation = contract.explanation
        self.session = session
        self.outputs = [contract.probability_output]
        self.input_name = contract.input_name
        self.column = contract.malignant_column
        # coef * (log1p(x / median) - center) / scale, rearranged to weight * log1p(x * inv) - offset
        self.weight = explanation.coefficients / explanation.scale
        self.inv_median = 1.0 / explanation.median
        self.offset = self.weight * explanation.center
        self.mins: list[float] = contract.feature_min.tolist()
        self.maxs: list[float] = contract.feature_max.tolist()
        self.threshold = contract.info.decision_threshold
        self.low, self.high = contract.low_edge, contract.high_edge
        self.version = contract.info.full_version

    def result(self, values: Sequence[float], x: np.ndarray, p: float) -> PredictionResult:
        contributions = self.weight * np.log1p(x * self.inv_median) - self.offset
        order = np.abs(contributions).argsort()[::-1].tolist()  # largest first
        contribs = contributions.tolist()
        mins, maxs = self.mins, self.maxs
        out_of_range = tuple(
            [FEATURE_NAMES[j] for j in range(N_FEATURES) if not mins[j] <= values[j] <= maxs[j]]
        )
        malignant = p >= self.threshold
        risk = RiskLevel.LOW if p < self.low else (RiskLevel.HIGH if p >= self.high else RiskLevel.MEDIUM)
        new = tuple.__new__  # what FeatureContribution(...) does, minus a Python-level call per item
        return PredictionResult(
            prediction=Diagnosis.MALIGNANT if malignant else Diagnosis.BENIGN,
            confidence=p if malignant else 1.0 - p,
            probability_malignant=p,
            risk_level=risk,
            contributions=tuple(
                [
                    new(FeatureContribution, (FEATURE_NAMES[j], _LABELS[j], values[j], contribs[j]))
                    for j in order
                ]
            ),
            out_of_range=out_of_range,
            model_version=self.version,
        )


class Predictor:
    """Predicts malignancy from the 30 measurements. Thread-safe; load once, use from any thread."""

    def __init__(self, model_dir: Path | str | None = None, *, batch_threads: int = 0) -> None:
        self._model_dir = Path(model_dir) if model_dir is not None else None
        self._batch_threads = batch_threads
        self._lock = threading.Lock()
        self._contract: ModelContract | None = None
        self._single: Any = None
        self._batch: Any = None
        self._kernel: _RowKernel | None = None

    # -- loading ---------------------------------------------------------------------------------

    @property
    def model_dir(self) -> Path:
        if self._model_dir is None:
            self._model_dir = default_model_dir()
        return self._model_dir

    @property
    def loaded(self) -> bool:
        return self._single is not None

    @property
    def contract(self) -> ModelContract:
        """model.json, read and checked on first access (cheap: no onnxruntime)."""
        contract = self._contract
        if contract is None:
            with self._lock:
                if self._contract is None:
                    self._contract = read_contract(self.model_dir)
                contract = self._contract
        return contract

    @property
    def info(self) -> ModelInfo:
        return self.contract.info

    def load(self) -> ModelInfo:
        """Check the model file and open the sessions (idempotent). Raises ModelError."""
        if self._single is None:
            contract = self.contract
            with self._lock:
                if self._single is None:
                    model_bytes = self._verified_model_bytes(contract)
                    single = self._session(model_bytes, 1)
                    if self._batch_threads == 1:
                        self._batch = single
                    else:
                        self._batch = self._session(model_bytes, self._batch_threads)
                    self._kernel = _RowKernel(contract, single)
                    self._single = single
        return self.contract.info

    def _verified_model_bytes(self, contract: ModelContract) -> bytes:
        path = self.model_dir / contract.onnx_file
        try:
            data = path.read_bytes()
        except FileNotFoundError as exc:
            raise ModelError(f"The prediction model file is missing ({path}). Reinstall ClinicDesk.") from exc
        except OSError as exc:
            raise ModelError(f"The prediction model file cannot be read ({path}): {exc}") from exc
        digest = hashlib.sha256(data).hexdigest()
        if digest != contract.info.sha256:
            raise ModelError(
                f"The prediction model file ({path}) has been altered or damaged: its checksum does "
                "not match model.json. Predictions are disabled; reinstall ClinicDesk."
            )
        return data

    @staticmethod
    def _session(model_bytes: bytes, intra_threads: int) -> Any:
        # Here, not at the top: importing onnxruntime takes longer than the rest of the app's start;
        # it is paid on a worker when the model first loads.
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = intra_threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        try:
            return ort.InferenceSession(model_bytes, sess_options=options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own Fail/InvalidGraph types
            raise ModelError(f"The prediction model cannot be loaded: {exc}") from exc

    # -- prediction ------------------------------------------------------------------------------

    def predict(self, features: Mapping[str, object]) -> PredictionResult:
        """One case: label, confidence, probability, risk level, exact explanation, range flags.

        Raises ValidationError (one message per field) before touching the model.
        """
        values = validate_features(features)
        kernel = self._kernel or self._load_kernel()
        x = np.array(values)
        out = kernel.session.run(
            kernel.outputs, {kernel.input_name: x.astype(np.float32).reshape(1, N_FEATURES)}
        )
        return kernel.result(values, x, float(out[0][0, kernel.column]))

    def _load_kernel(self) -> _RowKernel:
        self.load()
        assert self._kernel is not None
        return self._kernel

    def _result(self, x: np.ndarray, p: float) -> PredictionResult:
        """The full result for one row ``x`` (float [30]) whose malignant probability is ``p``."""
        kernel = self._kernel or self._load_kernel()
        x = np.asarray(x, dtype=np.float64)
        return kernel.result(x.tolist(), x, p)

    def risk_level(self, probability_malignant: float) -> RiskLevel:
        contract = self.contract
        if probability_malignant < contract.low_edge:
            return RiskLevel.LOW
        if probability_malignant >= contract.high_edge:
            return RiskLevel.HIGH
        return RiskLevel.MEDIUM

    def predict_many(
        self, rows: np.ndarray | Sequence[Mapping[str, object]], *, chunk_size: int = DEFAULT_CHUNK
    ) -> BatchPrediction:
        """Many cases, one onnxruntime call per chunk. ``rows``: an [N, 30] array in model order or
        a sequence of mappings like ``predict`` takes. Any invalid row raises ValidationError naming it.
        """
        x = self._as_matrix(rows)
        if self._batch is None:
            self.load()
        contract = self._contract
        assert contract is not None
        x32 = x if x.dtype == np.float32 else x.astype(np.float32)
        n = x.shape[0]
        p = np.empty(n, dtype=np.float64)
        for start in range(0, n, chunk_size):
            stop = min(start + chunk_size, n)
            out = self._batch.run([contract.probability_output], {contract.input_name: x32[start:stop]})[0]
            p[start:stop] = out[:, contract.malignant_column]
        malignant = p >= contract.info.decision_threshold
        risk = (p >= contract.low_edge).view(np.int8) + (p >= contract.high_edge).view(
            np.int8
        )  # 0 Low, 1 Med, 2 High
        for array in (p, malignant, risk):
            array.flags.writeable = False
        return BatchPrediction(
            x,
            p,
            malignant,
            risk,
            contract.info.full_version,
            contract.feature_min,
            contract.feature_max,
            self._result,
        )

    @staticmethod
    def _as_matrix(rows: np.ndarray | Sequence[Mapping[str, object]]) -> np.ndarray:
        if isinstance(rows, np.ndarray):
            if rows.ndim != 2 or rows.shape[1] != N_FEATURES:
                raise ValidationError(
                    f"Expected rows of {N_FEATURES} measurements, got an array of shape {rows.shape}."
                )
            try:  # no copy of a float array (100k rows: the copy would cost a fifth of the inference)
                x = rows if rows.dtype in (np.float64, np.float32) else np.asarray(rows, dtype=np.float64)
            except (TypeError, ValueError) as exc:
                raise ValidationError("The measurements must be numbers.") from exc
            x = x.view()
            x.flags.writeable = False  # our view only: the caller must not change the array meanwhile
            if x.size and not (x.min() >= 0 and x.max() <= MAX_MEASUREMENT):  # NaN fails both
                # Only finds the rows, vectorised; validate_features says what is wrong with them.
                where = np.flatnonzero(~((x >= 0) & (x <= MAX_MEASUREMENT)).all(axis=1))
                listed = ", ".join(str(int(i) + 1) for i in where[:10]) + (" ..." if len(where) > 10 else "")
                try:
                    validate_features(dict(zip(FEATURE_NAMES, x[where[0]].tolist(), strict=True)))
                except ValidationError as exc:
                    raise ValidationError(
                        f"{len(where)} row(s) hold a missing, infinite, negative or too large measurement "
                        f"(rows {listed}). "
                        f"Row {int(where[0]) + 1}: {exc.message}",
                        exc.fields,
                    ) from None
            return x
        matrix = np.empty((len(rows), N_FEATURES), dtype=np.float64)
        for i, mapping in enumerate(rows):
            try:
                matrix[i] = validate_features(mapping)
            except ValidationError as exc:
                raise ValidationError(f"Row {i + 1}: {exc.message}", exc.fields) from exc
        return matrix
