"""Fixtures for the model tests: the shipped model folder, the training script as a module, the data.

These tests may import scikit-learn (a dev dependency): they compare the shipped ONNX model with the
scikit-learn pipeline that train.py builds. The installed app never imports it (test_no_sklearn).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from desktop.ml.predictor import Predictor

ROOT = Path(__file__).resolve().parents[2]
MODEL_DIR = ROOT / "onnx_model"


@pytest.fixture(scope="session")
def model_dir() -> Path:
    return MODEL_DIR


@pytest.fixture(scope="session")
def train() -> ModuleType:
    """onnx_model/train.py imported as a module (it is a script, not a package)."""
    name = "clinicdesk_onnx_train"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, MODEL_DIR / "train.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def dataset(train: ModuleType) -> tuple[np.ndarray, np.ndarray]:
    """(X float64 [569, 30], y 1 = malignant)."""
    return train.load_data()


@pytest.fixture(scope="session")
def predictor() -> Predictor:
    p = Predictor(MODEL_DIR)
    p.load()
    return p
