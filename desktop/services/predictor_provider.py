"""One Predictor per application, loaded on first use from whichever thread asks first.

The composition root creates a single ``PredictorProvider`` and hands it to every service that predicts
(screening, saving predictions). The UI warms it from a worker (``provider.warm()``) so the first
prediction does not pay for onnxruntime's import and session start on the GUI thread. A failed load
(missing or altered model) is remembered and raised again as the same ModelError on every call, so the
UI can disable prediction with one clear message instead of retrying a broken install.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.domain.errors import ModelError
from desktop.domain.prediction import ModelInfo

if TYPE_CHECKING:  # imported on first use: numpy and onnxruntime stay out of the start-up path
    from desktop.ml.predictor import Predictor


class PredictorProvider:
    """Thread-safe, lazily loaded holder of the application's Predictor."""

    def __init__(self, model_dir: Path | str | None = None) -> None:
        self._model_dir = model_dir
        self._lock = threading.Lock()
        self._predictor: Predictor | None = None
        self._error: ModelError | None = None

    @property
    def is_loaded(self) -> bool:
        return self._predictor is not None

    def get(self) -> Predictor:
        """The loaded Predictor (model checked, sessions open). Raises ModelError if it cannot load."""
        predictor = self._predictor
        if predictor is not None:
            return predictor
        with self._lock:
            if self._predictor is None:
                if self._error is not None:
                    raise self._error
                from desktop.ml.predictor import Predictor

                candidate = Predictor(self._model_dir)
                try:
                    candidate.load()
                except ModelError as exc:
                    self._error = exc
                    raise
                self._predictor = candidate
            return self._predictor

    def warm(self) -> ModelInfo:
        """Load now (call from a worker thread at start-up); returns the model's card for the UI."""
        return self.get().info

    def model_info(self) -> ModelInfo:
        """The model's card; loads the model if needed (the card is only trusted once the hash matched)."""
        return self.get().info


#: The application's provider. Services and the UI's model-card adapter call the functions below;
#: tests build their own PredictorProvider(model_dir) instead of touching this one.
_shared = PredictorProvider()


def shared_provider() -> PredictorProvider:
    """The application-wide provider (bundled model)."""
    return _shared


def get_predictor() -> Predictor:
    """The application's loaded Predictor (loads on first call; ModelError if it cannot)."""
    return _shared.get()


def model_info() -> ModelInfo:
    """The application's model card (loads the model on first call)."""
    return _shared.model_info()


def warm() -> ModelInfo:
    """Load the application's model now; for a start-up worker thread."""
    return _shared.warm()
