"""The shipped ONNX model against the scikit-learn pipeline train.py builds (max |dp| < 1e-5)."""

# ruff: noqa: N803, N806  (X and C are scikit-learn's own names)

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import numpy as np
import onnxruntime as ort
import pytest

from desktop.ml.predictor import Predictor

TOLERANCE = 1e-5


@pytest.fixture(scope="module")
def pipeline(train: ModuleType, dataset, model_dir: Path):
    X, y = dataset
    C = json.loads((model_dir / "model.json").read_text(encoding="utf-8"))["explanation"]["C"]
    return train.fit_final(X, y, C=C)


@pytest.fixture(scope="module")
def session(model_dir: Path) -> ort.InferenceSession:
    return ort.InferenceSession(str(model_dir / "model.onnx"), providers=["CPUExecutionProvider"])


def compare(pipeline, session, predictor: Predictor, X: np.ndarray) -> None:
    x32 = X.astype(np.float32)
    expected = pipeline.predict_proba(x32.astype(np.float64))[:, 1]
    onnx_p = session.run(["probabilities"], {"input": x32})[0][:, 1]
    assert np.max(np.abs(onnx_p - expected)) < TOLERANCE
    np.testing.assert_array_equal(onnx_p >= 0.5, expected >= 0.5)
    np.testing.assert_array_equal(pipeline.predict(x32.astype(np.float64)) == 1, expected >= 0.5)
    through_app = predictor.predict_many(x32.astype(np.float64)).probability_malignant
    assert np.max(np.abs(through_app - expected)) < TOLERANCE


def test_parity_on_the_whole_dataset(pipeline, session, predictor: Predictor, dataset) -> None:
    X, _ = dataset
    compare(pipeline, session, predictor, X)


def test_parity_on_random_inputs_in_range(pipeline, session, predictor: Predictor, dataset) -> None:
    X, _ = dataset
    rng = np.random.default_rng(20261125)
    low, high = X.min(axis=0), X.max(axis=0)
    uniform = rng.uniform(low, high, size=(5000, X.shape[1]))
    # and near the data: real cases with each feature jittered by up to 20%, clipped into range
    jittered = np.clip(
        X[rng.integers(0, len(X), 5000)] * rng.uniform(0.8, 1.2, (5000, X.shape[1])), low, high
    )
    compare(pipeline, session, predictor, np.vstack([uniform, jittered]))


def test_onnx_model_shape(session: ort.InferenceSession) -> None:
    (inp,) = session.get_inputs()
    assert inp.type == "tensor(float)" and inp.shape[1] == 30
    outputs = {o.name: o for o in session.get_outputs()}
    assert outputs["probabilities"].type == "tensor(float)"  # a plain tensor, no ZipMap
