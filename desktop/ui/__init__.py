"""The Qt user interface: the only package (with desktop.app) that imports PySide6.

Layout: ``context.py`` (UiContext handed to every page), ``workers.py`` (run blocking service calls
off the GUI thread), ``dialogs/prompts.py`` (the only caller of QMessageBox / QFileDialog statics),
``login.py``, ``main_window.py``, ``pages/`` (one module per page), ``tablemodels/``, ``delegates/``,
``dialogs/``, ``widgets/``, ``theme.py``.

Rules: the UI never imports desktop.db, desktop.ml, sqlalchemy, alembic or onnxruntime (import-linter);
it asks ``ctx.services`` and shows DTOs. Services are imported for type hints only, so the sign-in
window appears before SQLAlchemy is loaded (see desktop/app/controller.py).
"""
