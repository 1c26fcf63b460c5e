"""The bundle's contents, checked without building it (building takes a minute: ci_build.sh does it).

build_scripts/bundle_layout.py is the one list the spec and the build script use; these tests check it
against the source tree: every file the app needs is shipped, nothing the app imports is excluded or
trimmed, and the installed app really never imports the excluded libraries (onnx included).
"""

from __future__ import annotations

import fnmatch
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "build_scripts"))

import bundle_layout as layout  # noqa: E402


def shipped() -> set[str]:
    return {f"{dest}/{src.name}" for src, dest in layout.resource_files()}


def test_every_required_resource_is_shipped() -> None:
    files = shipped()
    for required in layout.REQUIRED_RESOURCES:
        assert any(f == required or f.startswith(required + "/") for f in files), required


def test_every_migration_and_the_model_contract_are_shipped() -> None:
    files = shipped()
    versions = {f"alembic/versions/{p.name}" for p in (ROOT / "alembic" / "versions").glob("*.py")}
    assert versions and versions <= files
    assert {"alembic/env.py", "onnx_model/model.onnx", "onnx_model/model.json"} <= files


def test_training_code_and_caches_are_not_shipped() -> None:
    files = shipped()
    assert "onnx_model/train.py" not in files
    assert not [f for f in files if "__pycache__" in f or f.endswith(".pyc")]


def test_spec_uses_the_shared_layout_and_an_existing_entry_script() -> None:
    spec = (ROOT / "build_scripts" / "clinicdesk.spec").read_text(encoding="utf-8")
    compile(spec, "clinicdesk.spec", "exec")
    assert "layout.resource_files()" in spec and "layout.EXCLUDED_MODULES" in spec
    assert (ROOT / "build_scripts" / "launcher.py").is_file()


def test_alembic_script_imports_are_importable_and_not_excluded() -> None:
    names = layout.alembic_script_imports()
    assert "desktop.db.base" in names or any(n.startswith("desktop.db") for n in names)
    for name in names:
        assert name.split(".")[0] not in layout.EXCLUDED_MODULES
    code = "import importlib, sys\nfor n in sys.argv[1:]: importlib.import_module(n)"
    subprocess.run([sys.executable, "-c", code, *names], cwd=ROOT, check=True, timeout=120)


def test_qt_modules_the_app_imports_are_neither_excluded_nor_trimmed() -> None:
    used = set(layout.qt_modules_imported_by_app()) | set(layout.USED_QT_MODULES)
    assert {"QtCore", "QtGui", "QtWidgets"} <= used
    for module in used:
        stem = module.removeprefix("Qt")
        assert not any(fnmatch.fnmatch(stem, pattern) for pattern in layout.DROP_QT_LIBS), module
    # QtCharts' library links QtOpenGL and QtOpenGLWidgets: those libraries must survive trimming.
    for needed in ("OpenGL", "OpenGLWidgets", "Charts", "Gui", "Widgets", "DBus", "XcbQpa"):
        assert not any(fnmatch.fnmatch(needed, pattern) for pattern in layout.DROP_QT_LIBS), needed


PROBE = """
import sys
from desktop.domain.enums import Diagnosis
from desktop.ml.predictor import Predictor
from desktop.ui.sample_cases import MALIGNANT_EXAMPLE
import desktop.app, desktop.cli, desktop.db.migrate, desktop.services.container, desktop.ui.main_window
predictor = Predictor()
predictor.load()
assert predictor.predict(MALIGNANT_EXAMPLE).prediction == Diagnosis.MALIGNANT
print(" ".join(sorted(sys.modules)))
"""


@pytest.mark.slow
def test_the_running_app_imports_none_of_the_excluded_modules() -> None:
    """onnx, scikit-learn & co. are excluded from the bundle: prove a prediction never needs them."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    loaded = set(result.stdout.split())
    assert {"onnxruntime", "numpy", "sqlalchemy", "PySide6.QtWidgets", "desktop.ui.main_window"} <= loaded
    excluded = [m for m in loaded for ex in layout.EXCLUDED_MODULES if m == ex or m.startswith(ex + ".")]
    assert excluded == []
