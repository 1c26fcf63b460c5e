"""The Qt user interface: the only package (with desktop.app) that imports PySide6.

Layout (see /work/shared/STYLE.md): ``context.py`` (UiContext handed to every page), ``workers.py``
(run blocking service calls off the GUI thread), ``dialogs/prompts.py`` (the only caller of
QMessageBox / QFileDialog statics), ``login.py``, ``main_window.py``, ``pages/`` (one module per page),
``tablemodels/``, ``delegates/``, ``dialogs/``, ``widgets/``, ``theme.py``.

Rules: the UI never imports desktop.db, desktop.ml, sqlalchemy, alembic or onnxruntime (import-linter);
it asks ``ctx.services`` and shows DTOs. Modules here import only Qt at top level so the first window
appears before anything heavy is loaded.
"""

from desktop.ui.pyside_workarounds import protect_singleton_refcounts

protect_singleton_refcounts()  # before any widget exists: see pyside_workarounds.py
