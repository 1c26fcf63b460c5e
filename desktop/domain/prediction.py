"""What a prediction is, for every layer: the result, the model's card, and the input rules.

Plain frozen dataclasses (no numpy, no onnxruntime) so the UI can show them and the services can
store them. ``validate_features`` is here, not in the predictor, because the rules (30 named,
finite, non-negative numbers) belong to the measurements themselves: the predictor, the prediction
service and the input form all call it (or ``feature_value`` for one field), and get one message per
field from the ``ValidationError`` it raises.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from desktop.domain.enums import Diagnosis, RiskLevel
from desktop.domain.errors import ValidationError
from desktop.domain.features import FEATURE_NAMES, feature_label

_FEATURE_SET = frozenset(FEATURE_NAMES)
_PLAIN_NUMBER_TYPES = frozenset({float, int})
_FLOAT_ONLY = frozenset({float})
#: The largest measurement accepted: the largest single-precision float, since the model reads its
#: inputs as float32. A larger value would reach it as infinity, and a case with two such values
#: would get a probability of NaN.
MAX_MEASUREMENT = 3.4028234663852886e38


class FeatureContribution(NamedTuple):
    """How far one measurement pushed the log-odds of malignancy (positive: towards malignant).

    A NamedTuple rather than a frozen dataclass: equally immutable, but each prediction builds 30 of
    them and a frozen dataclass's __init__ alone cost more than the model's inference (benchmark in
    tests/perf/bench_predict.py).
    """

    name: str
    label: str
    value: float
    contribution: float


@dataclass(frozen=True, slots=True)
class PredictionResult:
    """One case's prediction. ``contributions`` are sorted by absolute size, largest first."""

    prediction: Diagnosis
    confidence: float
    probability_malignant: float
    risk_level: RiskLevel
    contributions: tuple[FeatureContribution, ...]
    out_of_range: tuple[str, ...]
    model_version: str

    @property
    def is_malignant(self) -> bool:
        return self.prediction is Diagnosis.MALIGNANT


@dataclass(frozen=True, slots=True)
class FeatureRange:
    """Training-data statistics of one feature, for input hints and the out-of-range flag."""

    name: str
    label: str
    meaning: str
    unit: str
    minimum: float
    maximum: float
    mean: float
    std: float


@dataclass(frozen=True, slots=True)
class RiskBand:
    """A band of the malignant probability [lower, upper) and what cross-validation saw in it."""

    level: RiskLevel
    lower: float
    upper: float
    n_predictions: int
    malignant_rate: float | None
    share_of_malignant: float


@dataclass(frozen=True, slots=True)
class MetricSummary:
    """A cross-validated metric: mean and standard deviation over the folds."""

    name: str
    mean: float
    std: float


@dataclass(frozen=True, slots=True)
class TargetCheck:
    """One acceptance target of the model and whether cross-validation met it."""

    metric: str
    comparison: str
    target: float
    value: float
    met: bool


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """The model's card (from model.json): what it is, how good it is, how to read its output."""

    version: str
    sha256: str
    name: str
    description: str
    decision_threshold: float
    risk_bands: tuple[RiskBand, ...]
    metrics: tuple[MetricSummary, ...]
    targets: tuple[TargetCheck, ...]
    features: tuple[FeatureRange, ...]
    cv_scheme: str
    n_training_cases: int

    @property
    def full_version(self) -> str:
        """What is stored with each prediction: version plus the model file's short hash."""
        return f"{self.version}+{self.sha256[:12]}"

    def metric(self, name: str) -> MetricSummary:
        for m in self.metrics:
            if m.name == name:
                return m
        raise KeyError(name)

    def feature(self, name: str) -> FeatureRange:
        for f in self.features:
            if f.name == name:
                return f
        raise KeyError(name)


def _field_problem(value: object) -> tuple[float | None, str | None]:
    """(number, None) when acceptable, else (None, problem). Numeric strings are accepted (forms, CSV)."""
    if isinstance(value, bool) or value is None:
        return None, "is missing" if value is None else "must be a number"
    if isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError:  # an int beyond float range
            return None, "must be a finite number"
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            return None, "is missing"
        try:
            number = float(text)
        except ValueError:
            return None, f"must be a number (got {text[:20]!r})"
    else:
        try:
            number = float(value)  # type: ignore[arg-type]  # numpy scalars, Decimal
        except (TypeError, ValueError, OverflowError):
            return None, "must be a number"
    if math.isnan(number):
        return None, "must be a number (got NaN)"
    if math.isinf(number):
        return None, "must be a finite number"
    if number < 0:
        return None, "must not be negative"
    if number > MAX_MEASUREMENT:
        return None, "is too large"
    return number, None


def feature_value(name: str, value: object) -> float:
    """One measurement, by the rule ``validate_features`` applies to each: for a form that checks a
    field as it is typed. ValidationError (message naming the measurement) when it is not acceptable."""
    number, problem = _field_problem(value)
    if number is None:
        message = f"{feature_label(name)} {problem}."
        raise ValidationError(message, {name: message})
    return number


def validate_features(features: Mapping[str, object]) -> tuple[float, ...]:
    """The 30 values in model order, or ValidationError with one message per offending field.

    Missing and unknown names, non-numbers, NaN, infinities, negative values and values beyond
    ``MAX_MEASUREMENT`` are refused. Values outside the training range are accepted here: the
    predictor flags them instead.
    """
    try:  # fast path for the usual case, plain numbers: keeps predict() within a few times inference
        raw: list[Any] = list(map(features.__getitem__, FEATURE_NAMES))
        types = set(map(type, raw))
        if len(features) == len(FEATURE_NAMES) and types <= _PLAIN_NUMBER_TYPES:
            total = sum(raw)  # NaN or an infinity anywhere makes the sum NaN or infinite
            if total == total and min(raw) >= 0 and max(raw) <= MAX_MEASUREMENT:
                return tuple(raw) if types == _FLOAT_ONLY else tuple(map(float, raw))
    except (KeyError, OverflowError):
        pass
    values: list[float] = []
    fields: dict[str, str] = {}
    for name in FEATURE_NAMES:
        if name not in features:
            fields[name] = f"{feature_label(name)} is missing."
            continue
        number, problem = _field_problem(features[name])
        if problem is not None:
            fields[name] = f"{feature_label(name)} {problem}."
        else:
            values.append(number)  # type: ignore[arg-type]
    if len(features) != len(values) + len(fields) or fields:
        for extra in sorted(str(k) for k in features if k not in _FEATURE_SET):
            fields[extra] = f"{extra!r} is not one of the 30 measurements."
    if fields:
        raise ValidationError(describe_problems(fields), fields)
    return tuple(values)


#: How a result from measurements outside the training range is introduced, wherever it is shown.
NOT_RELIABLE = "Outside what the model has seen: not reliable"


def outside_training_range(
    features: Mapping[str, float], ranges: Mapping[str, tuple[float, float]]
) -> tuple[str, ...]:
    """The measurements (in model order) that lie outside their training ``ranges`` (min, max)."""
    found = []
    for name in FEATURE_NAMES:
        if name in ranges and name in features:
            lo, hi = ranges[name]
            if not lo <= features[name] <= hi:
                found.append(name)
    return tuple(found)


def not_reliable_text(names: Sequence[str]) -> str:
    """The one sentence naming the measurements that make a result unreliable ("" when none)."""
    if not names:
        return ""
    listed = ", ".join(feature_label(n) for n in names)
    return f"{NOT_RELIABLE}: {listed} outside the training range."


def describe_problems(fields: Mapping[str, str]) -> str:
    """One message listing every field's own message (each already a sentence naming its field)."""
    noun = "measurement needs" if len(fields) == 1 else "measurements need"
    return f"{len(fields)} {noun} attention: " + " ".join(fields.values())
