"""The Predictor on the real shipped model: results, explanation, range flags, loading and refusals."""

# ruff: noqa: N803, N806  (X and C are scikit-learn's own names)

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pytest

from desktop.domain.enums import Diagnosis, RiskLevel
from desktop.domain.errors import ModelError, ValidationError
from desktop.domain.features import FEATURE_NAMES
from desktop.ml.predictor import Predictor


def case(X: np.ndarray, i: int) -> dict[str, float]:
    return dict(zip(FEATURE_NAMES, map(float, X[i]), strict=True))


def test_predicts_known_cases(predictor: Predictor, dataset) -> None:
    X, y = dataset
    malignant, benign = case(X, 0), case(X, 20)  # clear-cut cases of the source data
    assert y[0] == 1 and y[20] == 0
    m, b = predictor.predict(malignant), predictor.predict(benign)
    assert m.prediction is Diagnosis.MALIGNANT and m.risk_level is RiskLevel.HIGH
    assert b.prediction is Diagnosis.BENIGN and b.risk_level is RiskLevel.LOW
    assert b.confidence == pytest.approx(1 - b.probability_malignant)
    assert m.confidence == m.probability_malignant
    assert m.model_version == predictor.info.full_version


def test_label_is_the_more_probable_class_and_risk_follows_the_bands(predictor: Predictor, dataset) -> None:
    X, _ = dataset
    contract = predictor.contract
    for i in range(0, 569, 7):
        r = predictor.predict(case(X, i))
        p = r.probability_malignant
        assert r.is_malignant == (p >= 0.5)
        assert r.confidence == pytest.approx(max(p, 1 - p)) and r.confidence >= 0.5
        expected = (
            RiskLevel.LOW
            if p < contract.low_edge
            else RiskLevel.HIGH
            if p >= contract.high_edge
            else RiskLevel.MEDIUM
        )
        assert r.risk_level is expected


def test_explanation_is_exact_and_sorted(predictor: Predictor, dataset) -> None:
    X, _ = dataset
    for i in (0, 19, 100, 300):
        r = predictor.predict(case(X, i))
        assert sorted(c.name for c in r.contributions) == sorted(FEATURE_NAMES)
        sizes = [abs(c.contribution) for c in r.contributions]
        assert sizes == sorted(sizes, reverse=True)
        assert {c.name: c.value for c in r.contributions} == case(X, i)
        log_odds = predictor.contract.explanation.intercept + math.fsum(
            c.contribution for c in r.contributions
        )
        p = 1 / (1 + math.exp(-log_odds))
        assert abs(p - r.probability_malignant) < 1e-5  # float64 explanation vs float32 inference


def test_values_outside_training_range_are_predicted_but_flagged(predictor: Predictor, dataset) -> None:
    X, _ = dataset
    inside = predictor.predict(case(X, 19))
    assert inside.out_of_range == ()
    features = case(X, 19)
    features["area_mean"] = 5000.0
    features["smoothness_se"] = 0.0
    outside = predictor.predict(features)
    assert outside.out_of_range == ("area_mean", "smoothness_se")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("radius_mean", float("nan"), "NaN"),
        ("radius_mean", float("inf"), "finite"),
        ("texture_se", float("-inf"), "finite"),
        ("area_worst", -1.0, "negative"),
        ("symmetry_mean", "abc", "number"),
        ("symmetry_mean", "", "missing"),
        ("symmetry_mean", None, "missing"),
        ("symmetry_mean", True, "number"),
        ("symmetry_mean", [1.0], "number"),
    ],
)
def test_invalid_values_are_refused_per_field(predictor: Predictor, dataset, field, value, message) -> None:
    X, _ = dataset
    features: dict[str, object] = dict(case(X, 3))
    features[field] = value
    with pytest.raises(ValidationError) as info:
        predictor.predict(features)
    assert list(info.value.fields) == [field]
    assert message in info.value.fields[field]


def test_missing_and_extra_fields_are_named(predictor: Predictor, dataset) -> None:
    X, _ = dataset
    features: dict[str, object] = dict(case(X, 3))
    del features["concavity_worst"]
    features["age"] = 50
    with pytest.raises(ValidationError) as info:
        predictor.predict(features)
    assert set(info.value.fields) == {"concavity_worst", "age"}
    assert "Concavity (worst) is missing" in info.value.message


def test_numeric_strings_and_ints_are_accepted(predictor: Predictor, dataset) -> None:
    X, _ = dataset
    as_text = {k: f" {v!r} " for k, v in case(X, 3).items()}
    assert predictor.predict(as_text) == predictor.predict(case(X, 3))


def test_predict_many_matches_predict(predictor: Predictor, dataset) -> None:
    X, _ = dataset
    batch = predictor.predict_many(X, chunk_size=100)  # several chunks
    assert len(batch) == 569
    for i in (0, 19, 250, 568):
        single = predictor.predict(case(X, i))
        # onnxruntime's vectorised kernels round a row in a batch and a lone row differently (<= 1 float32
        # ulp), so probabilities agree to 1e-6, everything else exactly
        from_batch = batch.result(i)
        assert from_batch.probability_malignant == pytest.approx(single.probability_malignant, abs=1e-6)
        assert from_batch.contributions == single.contributions
        assert from_batch.out_of_range == single.out_of_range
        assert batch.prediction(i) is single.prediction and batch.risk_level(i) is single.risk_level
        assert batch.confidence[i] == pytest.approx(single.confidence)
    from_mappings = predictor.predict_many([case(X, i) for i in range(10)])
    np.testing.assert_array_equal(from_mappings.probability_malignant, batch.probability_malignant[:10])


def test_predict_many_refuses_bad_rows(predictor: Predictor, dataset) -> None:
    X, _ = dataset
    bad = X[:5].copy()
    bad[3, 2] = np.nan
    with pytest.raises(ValidationError, match=r"rows 4\b"):
        predictor.predict_many(bad)
    with pytest.raises(ValidationError, match="30 measurements"):
        predictor.predict_many(X[:, :29])
    rows = [case(X, 0), {**case(X, 1), "radius_mean": -2.0}]
    with pytest.raises(ValidationError, match="Row 2") as info:
        predictor.predict_many(rows)
    assert "radius_mean" in info.value.fields


def test_loading_is_lazy(model_dir: Path, dataset) -> None:
    X, _ = dataset
    p = Predictor(model_dir)
    assert not p.loaded
    assert p.info.sha256  # the contract is readable without onnxruntime
    assert not p.loaded
    p.predict(case(X, 0))
    assert p.loaded


def copy_model(model_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "onnx_model"
    target.mkdir()
    for name in ("model.onnx", "model.json"):
        shutil.copy2(model_dir / name, target / name)
    return target


def test_altered_model_is_refused(model_dir: Path, tmp_path: Path, dataset) -> None:
    X, _ = dataset
    copy = copy_model(model_dir, tmp_path)
    data = bytearray((copy / "model.onnx").read_bytes())
    data[-1] ^= 0x01
    (copy / "model.onnx").write_bytes(bytes(data))
    p = Predictor(copy)
    with pytest.raises(ModelError, match="altered"):
        p.predict(case(X, 0))
    assert not p.loaded


def test_missing_model_file_is_refused(model_dir: Path, tmp_path: Path) -> None:
    copy = copy_model(model_dir, tmp_path)
    (copy / "model.onnx").unlink()
    with pytest.raises(ModelError, match="missing"):
        Predictor(copy).load()
    (copy / "model.json").unlink()
    with pytest.raises(ModelError, match="description is missing"):
        Predictor(copy).load()


def test_intact_copy_loads(model_dir: Path, tmp_path: Path) -> None:
    info = Predictor(copy_model(model_dir, tmp_path)).load()
    assert info.sha256 == Predictor(model_dir).info.sha256


def test_validate_features_edge_cases() -> None:
    from desktop.domain.prediction import validate_features

    base: dict[str, object] = {name: 1 for name in FEATURE_NAMES}
    assert validate_features(base) == (1.0,) * 30  # ints become floats
    assert validate_features({**base, "radius_mean": np.float32(2.5)})[0] == 2.5  # numpy scalars
    assert validate_features({**base, "radius_mean": 0})[0] == 0.0  # zero is a valid measurement
    for value, message in ((10**400, "finite"), ("1e999", "finite"), (" nan ", "NaN"), (-0.001, "negative")):
        with pytest.raises(ValidationError) as info:
            validate_features({**base, "radius_mean": value})
        assert message in info.value.fields["radius_mean"]
    with pytest.raises(ValidationError) as info:
        validate_features({**base, "Radius_Mean": 1.0})
    assert set(info.value.fields) == {"Radius_Mean"}
    assert info.value.message.startswith("1 measurement needs attention:")
