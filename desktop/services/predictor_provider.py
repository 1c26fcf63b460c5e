"""One Predictor per application, loaded on first use from whichever thread asks first.

``Services`` (desktop.services.container) hands one ``PredictorProvider`` to every service that
predicts (predictions, screening). The UI asks for the model's description from a worker
(``model_info()``), which loads it, so the first prediction does not pay for onnxruntime's import and
session start on the GUI thread. A failed load (missing or altered model) is remembered and raised
again as the same ModelError on every call, so the UI can disable prediction with one clear message
instead of retrying a broken install.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.domain.errors import ModelError

if TYPE_CHECKING:  # the container imports this module before sign-in: keep that path light
    from desktop.domain.prediction import ModelInfo
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
                # Here, not at the top: numpy and onnxruntime stay out of the start-up path.
                from desktop.ml.predictor import Predictor

                candidate = Predictor(self._model_dir)
                try:
                    candidate.load()
                except ModelError as exc:
                    self._error = exc
                    raise
                self._predictor = candidate
            return self._predictor

    def model_info(self) -> ModelInfo:
        """The model's description; loads the model if needed (model.json is only trusted once the
        hash of model.onnx matched)."""
        return self.get().info


#: The application's provider (the bundled model); tests build their own PredictorProvider(model_dir).
_shared = PredictorProvider()


def shared_provider() -> PredictorProvider:
    """The application-wide provider (bundled model)."""
    return _shared
