"""build.py's trimming on a miniature PyInstaller 6 onedir layout (real files and symlinks in tmp_path).

The traps from shared/PLATFORM.md: PyInstaller 6 leaves ``_internal/libQt6*.so.6`` symlinks at the top
level, so a dropped library must go in both places (no dangling links); the libraries QtCharts needs
(QtOpenGL, QtOpenGLWidgets) and the xcb platform must survive.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Loaded under its own name: "build" is also the name of PyPA's build package.
_spec = importlib.util.spec_from_file_location("clinicdesk_build_script", ROOT / "build_scripts" / "build.py")
assert _spec is not None and _spec.loader is not None
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux library names")

KEPT_LIBS = [
    "Core",
    "Gui",
    "Widgets",
    "Charts",
    "OpenGL",
    "OpenGLWidgets",
    "DBus",
    "XcbQpa",
    "Svg",
    "PrintSupport",
]
DROPPED_LIBS = [
    "Quick",
    "Qml",
    "QmlModels",
    "WebEngineCore",
    "Pdf",
    "VirtualKeyboard",
    "Network",
    "WaylandClient",
]


def make_bundle(tmp_path: Path) -> Path:
    bundle = tmp_path / "clinicdesk"
    internal = bundle / "_internal"
    qt = internal / "PySide6" / "Qt"
    (qt / "lib").mkdir(parents=True)
    for stem in KEPT_LIBS + DROPPED_LIBS:
        name = f"libQt6{stem}.so.6"
        (qt / "lib" / name).write_bytes(b"not really a library")
        os.symlink(f"PySide6/Qt/lib/{name}", internal / name)
    for plugin in (
        "platforms/libqxcb.so",
        "platforms/libqoffscreen.so",
        "platforms/libqeglfs.so",
        "platforms/libqwayland.so",
        "platformthemes/libqgtk3.so",
        "generic/libqtuiotouchplugin.so",
        "tls/libqopensslbackend.so",
        "imageformats/libqsvg.so",
        "imageformats/libqtiff.so",
        "platforminputcontexts/libqtvirtualkeyboardplugin.so",
        "platforminputcontexts/libcomposeplatforminputcontextplugin.so",
    ):
        path = qt / "plugins" / plugin
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"plugin")
    (qt / "translations").mkdir()
    for name in ("qtbase_de.qm", "qtwebengine_de.qm", "qt_fr.qm"):
        (qt / "translations" / name).write_bytes(b"qm")
    (internal / "alembic").mkdir()
    (internal / "alembic" / "env.py").write_text("# env\n")
    return bundle


def test_trim_drops_unused_qt_everywhere_and_keeps_what_the_app_needs(tmp_path: Path) -> None:
    bundle = make_bundle(tmp_path)
    internal = bundle / "_internal"
    qt = internal / "PySide6" / "Qt"

    removed = build.trim(bundle)

    assert removed
    for stem in DROPPED_LIBS:
        assert not (qt / "lib" / f"libQt6{stem}.so.6").exists(), stem
        assert not os.path.lexists(internal / f"libQt6{stem}.so.6"), stem
    for stem in KEPT_LIBS:
        assert (qt / "lib" / f"libQt6{stem}.so.6").is_file(), stem
        assert (internal / f"libQt6{stem}.so.6").is_symlink() and (
            internal / f"libQt6{stem}.so.6"
        ).exists(), stem
    dangling = [p for p in internal.rglob("*") if p.is_symlink() and not p.exists()]
    assert dangling == []
    plugins = {p.relative_to(qt / "plugins").as_posix() for p in (qt / "plugins").rglob("*.so")}
    assert plugins == {
        "platforms/libqxcb.so",
        "platforms/libqoffscreen.so",
        "imageformats/libqsvg.so",
        "platforminputcontexts/libcomposeplatforminputcontextplugin.so",
    }
    assert list((qt / "translations").iterdir()) == []
    assert (internal / "alembic" / "env.py").is_file()
