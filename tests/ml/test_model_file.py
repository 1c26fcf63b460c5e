"""The shipped model: hash, contract contents, and that retraining gives the same bytes."""

# ruff: noqa: N806  (X and C are scikit-learn's own names)

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from desktop.domain.errors import ModelError
from desktop.domain.features import FEATURE_NAMES
from desktop.ml.model_contract import parse_contract, read_contract


def contract_json(model_dir: Path) -> dict:
    return json.loads((model_dir / "model.json").read_text(encoding="utf-8"))


def test_committed_model_matches_its_hash(model_dir: Path) -> None:
    digest = hashlib.sha256((model_dir / "model.onnx").read_bytes()).hexdigest()
    assert digest == contract_json(model_dir)["onnx"]["sha256"]


def test_contract_describes_the_training_data(
    model_dir: Path, dataset: tuple[np.ndarray, np.ndarray]
) -> None:
    X, y = dataset
    data = contract_json(model_dir)
    assert [f["name"] for f in data["features"]] == list(FEATURE_NAMES)
    np.testing.assert_array_equal([f["min"] for f in data["features"]], X.min(axis=0))
    np.testing.assert_array_equal([f["max"] for f in data["features"]], X.max(axis=0))
    assert all(f["unit"] and f["meaning"] for f in data["features"])
    assert data["dataset"]["n_cases"] == 569 and data["dataset"]["n_malignant"] == int(y.sum()) == 212
    assert data["dataset"]["source_target_coding"] == {"0": "malignant", "1": "benign"}
    assert data["onnx"]["output_columns"] == ["Benign", "Malignant"]
    for lib in ("numpy", "scikit-learn", "skl2onnx", "onnx", "onnxruntime", "python"):
        assert data["library_versions"][lib]


def test_contract_records_cv_metrics_bands_and_targets(model_dir: Path) -> None:
    data = contract_json(model_dir)
    metrics = data["metrics"]
    assert set(metrics) == {"accuracy", "roc_auc", "sensitivity", "specificity", "brier"}
    assert data["cross_validation"]["chosen"] in data["cross_validation"]["candidates"]
    assert len(data["cross_validation"]["candidates"]) >= 3
    assert metrics == data["cross_validation"]["candidates"][data["cross_validation"]["chosen"]]["metrics"]
    targets = {t["metric"]: t for t in data["targets"]}
    assert targets["accuracy"]["value"] == metrics["accuracy"]["mean"]
    for t in data["targets"]:  # "met" is computed honestly from the recorded value
        assert t["met"] == (
            t["value"] >= t["target"] if t["comparison"] == ">=" else t["value"] <= t["target"]
        )
    bands = data["risk_bands"]["bands"]
    assert [b["level"] for b in bands] == ["Low", "Medium", "High"]
    assert bands[0]["upper"] == bands[1]["lower"] == data["risk_bands"]["low_edge"]
    assert bands[1]["upper"] == bands[2]["lower"] == data["risk_bands"]["high_edge"]
    assert abs(sum(b["share_of_malignant"] for b in bands) - 1.0) < 1e-5
    assert data["risk_bands"]["high_edge"] >= data["decision_threshold"]


def test_retraining_gives_byte_identical_onnx(train: ModuleType, dataset, model_dir: Path) -> None:
    """The final fit and export of train.py (the CV report does not affect the model) twice."""
    X, y = dataset
    first = train.export_onnx(train.fit_final(X, y))
    second = train.export_onnx(train.fit_final(X, y))
    assert first == second
    assert first == (model_dir / "model.onnx").read_bytes()


def test_contract_explanation_matches_retrained_pipeline(train: ModuleType, dataset, model_dir: Path) -> None:
    X, y = dataset
    explanation = contract_json(model_dir)["explanation"]
    pipeline = train.fit_final(X, y, C=explanation["C"])
    np.testing.assert_allclose(explanation["coefficients"], pipeline.named_steps["clf"].coef_[0], rtol=1e-9)
    np.testing.assert_allclose(explanation["median"], pipeline.named_steps["log"].median_, rtol=1e-12)


def test_read_contract_gives_model_info(model_dir: Path) -> None:
    contract = read_contract(model_dir)
    assert contract.info.full_version.startswith(contract.info.version + "+")
    assert contract.info.metric("roc_auc").mean > 0.99
    assert contract.info.feature("area_mean").maximum == pytest.approx(2501.0)
    assert contract.low_edge < contract.info.decision_threshold <= contract.high_edge


@pytest.mark.parametrize(
    "breaks",
    [
        lambda d: d["features"].reverse(),
        lambda d: d.pop("risk_bands"),
        lambda d: d["risk_bands"].update(low_edge=0.7),
        lambda d: d["onnx"].update(sha256="not-a-digest"),
        lambda d: d["explanation"]["coefficients"].pop(),
        lambda d: d["explanation"].update(kind="shap"),
    ],
    ids=["feature-order", "no-bands", "bad-edges", "bad-sha", "short-coefficients", "unknown-explanation"],
)
def test_malformed_contract_is_refused(model_dir: Path, breaks) -> None:
    data = contract_json(model_dir)
    breaks(data)
    with pytest.raises(ModelError, match=r"model\.json"):
        parse_contract(data)


def test_train_script_end_to_end_writes_the_same_model(tmp_path: Path, model_dir: Path) -> None:
    """train.py as a script (one CV repeat, one candidate: seconds, not minutes): the model it writes is
    byte-identical to the shipped one (the CV settings change the report, never the final model)."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, str(model_dir / "train.py"), "--repeats", "1", "--candidates", "logistic_regression_log",
         "--out-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "model.onnx").read_bytes() == (model_dir / "model.onnx").read_bytes()
    contract = read_contract(tmp_path)
    assert contract.info.sha256 == read_contract(model_dir).info.sha256
    assert "1 repeats" in contract.info.cv_scheme
