"""What goes into the frozen bundle and what is trimmed out of it: one list, shared.

The spec file (clinicdesk.spec), the build script (build.py) and the tests (tests/build/) all read
these lists, so "which files does the app need" is answered in one place. Plain Python, no
PyInstaller import, so tests can use it without building.

Trimming rules come from docs/PLATFORM facts: PyInstaller 6 onedir also leaves ``_internal/libQt6*``
symlinks at the top level, so library patterns are matched both under ``PySide6/Qt/lib`` and at the
top of ``_internal``; QtCharts needs QtOpenGL + QtOpenGLWidgets; the TUIO touch plugin needs
QtNetwork; numpy's OpenBLAS must never be stripped.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

APP_NAME = "clinicdesk"

#: Resource roots copied as data, with the files inside each that are NOT shipped.
RESOURCE_ROOTS = ("alembic", "onnx_model", "resources")
#: onnx_model/ ships only the model and its contract (train.py needs scikit-learn).
ONNX_MODEL_FILES = ("model.onnx", "model.json")
SKIP_DIR_NAMES = {"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"}
SKIP_SUFFIXES = {".pyc", ".pyo"}

#: Files the app cannot run without; the build and tests check they are in the bundle.
REQUIRED_RESOURCES = (
    "alembic/env.py",
    "alembic/versions",
    "onnx_model/model.onnx",
    "onnx_model/model.json",
    "resources/icons/clinicdesk.svg",
    "resources/icons/clinicdesk-256.png",
    "resources/clinicdesk.desktop",
)

#: Python packages the installed app never imports (training, data science, test tools).
EXCLUDED_MODULES = [
    "sklearn",
    "skl2onnx",
    "scipy",
    "pandas",
    "matplotlib",
    "onnx",  # the protobuf model library: onnxruntime reads model.onnx itself
    "onnxconverter_common",
    "tests",
    "pytest",
    "_pytest",
    "pytestqt",
    "hypothesis",
    "IPython",
    "tkinter",
    "_tkinter",
    "PIL",
    "mypy",
    "ruff",
    "importlinter",
    "grimp",
    "PyInstaller",
    "sympy",
    "joblib",
    "threadpoolctl",
    "readline",  # interactive console only; drags libreadline + libtinfo
    # Optional imports of the libraries we do use, never needed by the app (about 6 MB of .pyc):
    "pygments",  # Mako highlights template tracebacks with it if present, else falls back
    "pydoc_data",
    "lib2to3",
    "numpy.f2py",
    "numpy.distutils",
    "sqlalchemy.dialects.mssql",
    "sqlalchemy.dialects.oracle",
    "setuptools",
    "pkg_resources",
    "distutils",
    "docutils",
]

#: Packages collected as plain .pyc files instead of into PyInstaller's compressed PYZ archive: the
#: ones imported before the sign-in window is usable. Measured here (tests/perf/bench_frozen.py,
#: frozen vs source in one run): everything in the PYZ took 1.65x the source checkout's time to
#: sign-in-ready (the archive importer is slow for the many SQLAlchemy / Alembic modules); with these
#: as files 0.83x, for +3.6 MiB unpacked. Everything as files (noarchive) was no faster, 227 MiB.
#: numpy / onnxruntime / psycopg load later, off the GUI thread, and stay compressed.
PYC_PACKAGES = ["desktop", "sqlalchemy", "alembic", "PySide6", "shiboken6", "platformdirs", "bcrypt"]

#: Qt for Python modules the app does not use. Excluding them keeps PyInstaller's PySide6 hook from
#: collecting their libraries; the trimming below removes what is pulled in indirectly.
UNUSED_QT_MODULES = [
    "Qt3DAnimation", "Qt3DCore", "Qt3DExtras", "Qt3DInput", "Qt3DLogic", "Qt3DRender",
    "QtBluetooth", "QtCanvasPainter", "QtConcurrent", "QtDataVisualization", "QtDesigner",
    "QtGraphs", "QtGraphsWidgets", "QtHelp", "QtHttpServer", "QtLabsStyleKit", "QtLocation",
    "QtMultimedia", "QtMultimediaWidgets", "QtNetworkAuth", "QtNfc", "QtPdf", "QtPdfWidgets",
    "QtPositioning", "QtQml", "QtQmlFeatures", "QtQuick", "QtQuick3D", "QtQuickControls2",
    "QtQuickTest", "QtQuickWidgets", "QtRemoteObjects", "QtScxml", "QtSensors", "QtSerialBus",
    "QtSerialPort", "QtSpatialAudio", "QtSql", "QtStateMachine", "QtTest", "QtTextToSpeech",
    "QtUiTools", "QtWebChannel", "QtWebEngineCore", "QtWebEngineQuick", "QtWebEngineWidgets",
    "QtWebSockets", "QtWebView", "QtXml", "QtNetwork",
    # PyInstaller's Qt hook adds the Python binding of every Qt library a module links (QtCharts links
    # libQt6OpenGL*, the xcb plugin libQt6DBus). The C++ libraries are still collected as binary
    # dependencies; the bindings (9 MB) are not needed.
    "QtOpenGL", "QtOpenGLWidgets", "QtDBus",
]  # fmt: skip

#: Qt for Python modules the app needs at least (pages import some lazily, so they are named for the
#: analysis); the spec adds whatever desktop/ imports (:func:`qt_modules_imported_by_app`). Only Python
#: bindings are listed: QtCharts' C++ library needs libQt6OpenGL(Widgets), which PyInstaller finds
#: itself, but not the 9 MB PySide6.QtOpenGL binding.
USED_QT_MODULES = ["QtCore", "QtGui", "QtWidgets", "QtCharts", "QtPrintSupport", "QtSvg"]

#: Qt shared-library name stems (libQt6<stem>.so.6 / Qt6<stem>.dll / <stem>.framework) to drop.
DROP_QT_LIBS = [
    "3D*", "Bluetooth", "CanvasPainter*", "Concurrent", "DataVisualization*", "Designer*", "Graphs*",
    "EglFS*", "EglFs*", "Help", "HttpServer", "LabsStyleKit", "Labs*", "Location", "Multimedia*",
    "NetworkAuth", "Nfc",
    "Pdf*", "Positioning*", "Qml*", "Quick*", "RemoteObjects*", "Scxml*", "Sensors*", "SerialBus",
    "SerialPort", "ShaderTools", "SpatialAudio", "Sql", "StateMachine*", "Test", "TextToSpeech",
    "UiTools", "VirtualKeyboard*", "WaylandClient", "WaylandCompositor*", "WaylandEgl*", "Wl*",
    "WebChannel*", "WebEngine*", "WebSockets", "WebView*", "Xml",
    "Network",  # only the TUIO touch plugin and the tls/networkinformation plugins need it: dropped too
]  # fmt: skip

#: Qt plugin folders (under PySide6/Qt/plugins) the app does not need.
DROP_QT_PLUGIN_DIRS = [
    "assetimporters", "canbus", "designer", "geometryloaders", "geoservices", "multimedia",
    "networkinformation", "position", "qmltooling", "renderers", "renderplugins", "sceneparsers",
    "scxmldatamodel", "sensors", "sqldrivers", "texttospeech", "tls", "webview", "generic",
    "wayland-decoration-client", "wayland-graphics-integration-client",
    "wayland-graphics-integration-server", "wayland-shell-integration", "vectorimageformats",
    "egldeviceintegrations",
]  # fmt: skip

#: Single plugin files to drop (platforms the desktop app never uses on Linux; image formats it
#: never reads). The xcb, offscreen and minimal platforms, compose and ibus input contexts stay.
DROP_QT_PLUGIN_FILES = [
    "platforms/*vnc*", "platforms/*linuxfb*", "platforms/*eglfs*", "platforms/*vkkhrdisplay*",
    "platforms/*wayland*", "imageformats/*pdf*", "imageformats/*tiff*", "imageformats/*webp*",
    "imageformats/*icns*", "imageformats/*tga*", "imageformats/*wbmp*", "imageformats/*macheif*",
    "platforminputcontexts/*virtualkeyboard*",  # pulls in QtQuick/QML
    "platformthemes/*gtk3*",  # would load the build machine's cairo/pango next to the user's GTK
]  # fmt: skip

#: Linux: libraries taken from the user's system instead of the build machine. The CUPS print plugin
#: links libcups, which drags in gnutls, kerberos, avahi, p11-kit... (about 8 MB) and must match the
#: local CUPS anyway; where libcups is missing the plugin does not load and printing to PDF still works.
HOST_LIBRARIES = ["libcups.so*"]

#: Linux: extra binaries stripped (--strip-unneeded, as Debian strips its shared libraries) after the
#: build, besides libpython, lib-dynload and ICU. SQLAlchemy's Cython modules ship with symbols (about
#: 7 MB). Never numpy / numpy.libs (OpenBLAS breaks: "ELF load command address/offset not page-aligned").
STRIP_DEBUG_GLOBS = ["sqlalchemy/**/*.so", "cryptography/**/*.so"]

#: The clinic-server password goes to the system keyring when ``keyring`` works (desktop/credentials.py).
#: On Linux keyring reaches the Secret Service through SecretStorage, which needs
#: ``cryptography``: 14 MiB (11 MiB stripped) of the bundle, its largest optional part. False leaves
#: those three out of the Linux build: the app then keeps the password in its 0600 file and says so
#: (the documented fallback), and the bundle is about 11.5 MiB smaller: 217 instead of 229 MiB
#: (231 by du -sh), archive 82 instead of 86 MiB, so the 230 / 90 MB targets hold in either unit.
#: Windows / macOS keyring backends need none of them and keep the system keyring.
LINUX_SECRET_SERVICE_KEYRING = False
LINUX_KEYRING_MODULES = ["secretstorage", "cryptography", "jeepney"]

#: Qt translation catalogues to keep. The app is English-only and installs no QTranslator, so Qt
#: never loads them: all are dropped (add e.g. "qtbase_*.qm" here if the app ever translates).
KEEP_QT_TRANSLATIONS: list[str] = []


def resource_files() -> Iterator[tuple[Path, str]]:
    """(source file, destination folder inside the bundle) for every shipped resource file."""
    for root in RESOURCE_ROOTS:
        base = ROOT / root
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            if not path.is_file() or path.suffix in SKIP_SUFFIXES:
                continue
            rel = path.relative_to(ROOT)
            if SKIP_DIR_NAMES.intersection(rel.parts):
                continue
            if root == "onnx_model" and path.name not in ONNX_MODEL_FILES:
                continue
            yield path, rel.parent.as_posix()


_QT_IMPORT = re.compile(r"PySide6\.(Qt\w+)|from\s+PySide6\s+import\s+\(?([\w\s,]+)\)?")


def qt_modules_imported_by_app() -> list[str]:
    """Every ``PySide6.QtX`` module named in desktop/ sources (the app's real Qt footprint)."""
    found: set[str] = set()
    for path in (ROOT / "desktop").rglob("*.py"):
        for match in _QT_IMPORT.finditer(path.read_text(encoding="utf-8")):
            if match.group(1):
                found.add(match.group(1))
            else:
                found.update(n.strip() for n in match.group(2).replace("\n", ",").split(",") if n.strip())
    return sorted(name for name in found if name.startswith("Qt"))


def alembic_script_imports() -> list[str]:
    """Modules imported by alembic/env.py and the revision files.

    They are loaded from plain .py files at run time, so PyInstaller's analysis never sees them;
    listing their imports as hidden imports makes the frozen interpreter carry them.
    """
    names: set[str] = set()
    base = ROOT / "alembic"
    for path in base.rglob("*.py") if base.is_dir() else ():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
    return sorted(n for n in names if n.split(".")[0] not in {"__future__"} | set(EXCLUDED_MODULES))
