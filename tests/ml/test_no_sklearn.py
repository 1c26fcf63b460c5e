"""The installed app never imports the training libraries, and loads onnxruntime only when predicting."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

IMPORT_EVERYTHING = r"""
import importlib, json, pkgutil, sys
import desktop
failed = {}
for info in pkgutil.walk_packages(desktop.__path__, "desktop."):
    if info.name == "desktop.__main__":
        continue
    try:
        importlib.import_module(info.name)
    except Exception as exc:
        failed[info.name] = repr(exc)
imported = sorted(n for n in sys.modules if n.startswith("desktop"))
training = sorted(n for n in sys.modules if n.split(".")[0] in ("sklearn", "skl2onnx"))
print(json.dumps({"failed": failed, "imported": imported, "training": training}))
"""


def run(code: str) -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_importing_every_app_module_never_imports_sklearn() -> None:
    result = run(IMPORT_EVERYTHING)
    assert result["failed"] == {}
    for expected in ("desktop.ml.predictor", "desktop.services.screening", "desktop.cli.screen"):
        assert expected in result["imported"]
    assert any(n.startswith("desktop.ui") for n in result["imported"])
    assert result["training"] == []


def test_prediction_itself_never_imports_sklearn_and_onnxruntime_loads_lazily() -> None:
    code = r"""
import json, sys
import desktop.ml.predictor, desktop.services.screening, desktop.services.predictor_provider, desktop.cli.screen
before = "onnxruntime" in sys.modules
from desktop.services.predictor_provider import PredictorProvider
from desktop.domain.features import FEATURE_NAMES
p = PredictorProvider().get()
p.predict({n: p.info.feature(n).mean for n in FEATURE_NAMES})
training = sorted(n for n in sys.modules if n.split(".")[0] in ("sklearn", "skl2onnx"))
print(json.dumps({"before": before, "after": "onnxruntime" in sys.modules, "training": training}))
"""
    result = run(code)
    assert result == {"before": False, "after": True, "training": []}


def test_service_modules_import_neither_numpy_nor_onnxruntime_until_used() -> None:
    """The services container imports these at start-up; the model loads later, off the GUI thread."""
    code = r"""
import json, sys
import desktop.services.predictor_provider, desktop.services.screening, desktop.cli.screen
print(json.dumps(sorted(m for m in ("numpy", "onnxruntime") if m in sys.modules)))
"""
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
