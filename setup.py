"""Ship alembic/, onnx_model/ (model + contract) and resources/ in the wheel as desktop/_bundled/.

pyproject.toml holds all metadata; this file only adds the resources to non-editable builds, where
desktop/paths.py finds them (editable installs and source checkouts use the folders in place).
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc")


class BuildPyWithResources(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # editable installs use the source tree
        target = Path(self.build_lib) / "desktop" / "_bundled"
        for root in ("alembic", "resources"):
            shutil.copytree(HERE / root, target / root, ignore=IGNORE, dirs_exist_ok=True)
        (target / "onnx_model").mkdir(parents=True, exist_ok=True)
        for name in ("model.onnx", "model.json"):  # train.py needs scikit-learn: not shipped
            shutil.copy2(HERE / "onnx_model" / name, target / "onnx_model" / name)


setup(cmdclass={"build_py": BuildPyWithResources})
