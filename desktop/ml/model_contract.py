"""Reading and checking model.json, the contract between onnx_model/train.py and the app.

Everything the predictor needs besides the ONNX graph lives in model.json: the expected sha256 of
model.onnx, input/output names, decision threshold, risk-band edges, training ranges and the linear
model's parameters for exact explanations. A contract that does not match the app's 30 features in
order, or that lacks a field, is refused with ModelError before any prediction is made.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from desktop.domain.enums import RiskLevel
from desktop.domain.errors import ModelError
from desktop.domain.features import FEATURE_NAMES
from desktop.domain.prediction import FeatureRange, MetricSummary, ModelInfo, RiskBand, TargetCheck

CONTRACT_FILE = "model.json"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class LinearExplanation:
    """Parameters of log-odds = intercept + sum(coef * (log1p(x / median) - center) / scale)."""

    median: np.ndarray
    center: np.ndarray
    scale: np.ndarray
    coefficients: np.ndarray
    intercept: float

    def contributions(self, x: np.ndarray) -> np.ndarray:
        """Per-feature log-odds contributions for rows x [..., 30] (float64), as train.py defines them."""
        return self.coefficients * ((np.log1p(x / self.median) - self.center) / self.scale)


@dataclass(frozen=True)
class ModelContract:
    """model.json, checked: the domain ModelInfo plus what only the ml layer needs."""

    info: ModelInfo
    onnx_file: str
    input_name: str
    probability_output: str
    malignant_column: int
    low_edge: float
    high_edge: float
    feature_min: np.ndarray
    feature_max: np.ndarray
    explanation: LinearExplanation


def _vector(section: dict[str, Any], key: str) -> np.ndarray:
    values = np.asarray(section[key], dtype=np.float64)
    if values.shape != (len(FEATURE_NAMES),) or not np.all(np.isfinite(values)):
        raise ModelError(f"model.json: '{key}' must hold {len(FEATURE_NAMES)} finite numbers")
    return values


def parse_contract(data: dict[str, Any]) -> ModelContract:
    """Check a decoded model.json and build the contract; ModelError names the first problem found."""
    try:
        onnx = data["onnx"]
        sha = str(onnx["sha256"])
        if not _SHA256.match(sha):
            raise ModelError("model.json: 'onnx.sha256' is not a sha256 hex digest")
        names = [f["name"] for f in data["features"]]
        if tuple(names) != FEATURE_NAMES:
            raise ModelError("model.json: the features do not match the app's 30 measurements in order")
        columns = list(onnx["output_columns"])
        if sorted(columns) != ["Benign", "Malignant"]:
            raise ModelError("model.json: 'onnx.output_columns' must be Benign and Malignant")
        threshold = float(data["decision_threshold"])
        bands_section = data["risk_bands"]
        low, high = float(bands_section["low_edge"]), float(bands_section["high_edge"])
        if not 0.0 < low <= threshold <= high < 1.0:
            raise ModelError("model.json: risk band edges must satisfy 0 < low <= threshold <= high < 1")
        bands = tuple(
            RiskBand(
                level=RiskLevel(b["level"]),
                lower=float(b["lower"]),
                upper=float(b["upper"]),
                n_predictions=int(b["n_predictions"]),
                malignant_rate=None if b["malignant_rate"] is None else float(b["malignant_rate"]),
                share_of_malignant=float(b["share_of_malignant"]),
            )
            for b in bands_section["bands"]
        )
        features = tuple(
            FeatureRange(
                name=f["name"],
                label=f["label"],
                meaning=f["meaning"],
                unit=f["unit"],
                minimum=float(f["min"]),
                maximum=float(f["max"]),
                mean=float(f["mean"]),
                std=float(f["std"]),
            )
            for f in data["features"]
        )
        explanation_section = data["explanation"]
        if explanation_section["kind"] != "linear_log_odds":
            raise ModelError(f"model.json: unsupported explanation kind {explanation_section['kind']!r}")
        explanation = LinearExplanation(
            median=_vector(explanation_section, "median"),
            center=_vector(explanation_section, "center"),
            scale=_vector(explanation_section, "scale"),
            coefficients=_vector(explanation_section, "coefficients"),
            intercept=float(explanation_section["intercept"]),
        )
        if np.any(explanation.median <= 0) or np.any(explanation.scale <= 0):
            raise ModelError("model.json: explanation medians and scales must be positive")
        info = ModelInfo(
            version=str(data["model_version"]),
            sha256=sha,
            name=str(data["model"]["name"]),
            description=str(data["model"]["description"]),
            decision_threshold=threshold,
            risk_bands=bands,
            metrics=tuple(
                MetricSummary(name, float(m["mean"]), float(m["std"])) for name, m in data["metrics"].items()
            ),
            targets=tuple(
                TargetCheck(
                    t["metric"], t["comparison"], float(t["target"]), float(t["value"]), bool(t["met"])
                )
                for t in data["targets"]
            ),
            features=features,
            cv_scheme=str(data["cross_validation"]["scheme"]),
            n_training_cases=int(data["dataset"]["n_cases"]),
        )
        return ModelContract(
            info=info,
            onnx_file=str(onnx["file"]),
            input_name=str(onnx["input_name"]),
            probability_output=str(onnx["probability_output"]),
            malignant_column=columns.index("Malignant"),
            low_edge=low,
            high_edge=high,
            feature_min=np.array([f.minimum for f in features]),
            feature_max=np.array([f.maximum for f in features]),
            explanation=explanation,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(f"model.json is incomplete or malformed ({type(exc).__name__}: {exc})") from exc


def read_contract(model_dir: Path) -> ModelContract:
    """Read and check ``model_dir/model.json``."""
    path = model_dir / CONTRACT_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ModelError(
            f"The prediction model's description is missing ({path}). Reinstall ClinicDesk."
        ) from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"The prediction model's description ({path}) cannot be read: {exc}") from exc
    if not isinstance(data, dict):
        raise ModelError(f"The prediction model's description ({path}) is malformed.")
    return parse_contract(data)
