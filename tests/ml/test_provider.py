"""PredictorProvider: one Predictor, loaded once, whichever thread asks first; failures remembered."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from desktop.domain.errors import ModelError
from desktop.services.predictor_provider import PredictorProvider


def test_loads_once_across_threads(model_dir: Path) -> None:
    provider = PredictorProvider(model_dir)
    assert not provider.is_loaded
    seen = []
    barrier = threading.Barrier(4)

    def worker() -> None:
        barrier.wait()
        seen.append(provider.get())

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == 4 and all(p is seen[0] for p in seen)
    assert provider.is_loaded and seen[0].loaded
    assert provider.model_info() is seen[0].info


def test_failure_is_remembered(model_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "m"
    copy.mkdir()
    shutil.copy2(model_dir / "model.json", copy / "model.json")
    (copy / "model.onnx").write_bytes(b"not a model")
    provider = PredictorProvider(copy)
    with pytest.raises(ModelError, match="altered") as first:
        provider.get()
    shutil.copy2(model_dir / "model.onnx", copy / "model.onnx")  # repaired behind its back: still refused
    with pytest.raises(ModelError) as second:
        provider.model_info()
    assert second.value is first.value
    assert not provider.is_loaded
