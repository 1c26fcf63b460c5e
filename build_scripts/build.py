"""Build the ClinicDesk onedir bundle and a ready-to-hand-out archive, in one command.

    python build_scripts/build.py            # dist/clinicdesk/ + dist/clinicdesk-<ver>-<os>-<arch>.tar.gz
    python build_scripts/build.py --no-trim  # the bundle as PyInstaller makes it (for comparison)

Steps: PyInstaller with build_scripts/clinicdesk.spec; trim unused Qt libraries / plugins /
translations (lists in bundle_layout.py, matched both under PySide6/ and at the top of _internal/,
where PyInstaller 6 leaves symlinks); on Linux also drop libraries nothing needs any more and strip
libpython / lib-dynload / ICU (never numpy's OpenBLAS: stripping breaks it); check the resources are
there; write the archive (tar.gz on Linux/macOS, zip on Windows) with the .desktop file and icon; print
sizes before and after trimming. Linux-only steps are guarded, so Windows and macOS can run it too.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bundle_layout as layout

ROOT = layout.ROOT
SPEC = ROOT / "build_scripts" / "clinicdesk.spec"
IS_LINUX = sys.platform.startswith("linux")
IS_WINDOWS = sys.platform == "win32"
IS_MAC = sys.platform == "darwin"
MIB = 1024 * 1024


def size_text(size: int) -> str:
    """Both units, since targets are quoted in "MB" loosely: '217.2 MiB (227.7 MB)'."""
    return f"{size / MIB:8.1f} MiB ({size / 1e6:.1f} MB)"


def tree_size(path: Path) -> int:
    """Bytes used by the files under ``path`` (symlinks count as links, not as their targets)."""
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for name in files:
            total += os.lstat(os.path.join(dirpath, name)).st_size
    return total


def app_version() -> str:
    text = (ROOT / "desktop" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'__version__\s*=\s*"([^"]+)"', text)
    return match.group(1) if match else "0"


def run_pyinstaller(dist: Path, work: Path) -> Path:
    """Run PyInstaller on the spec in this interpreter; returns the bundle folder."""
    import PyInstaller.__main__

    PyInstaller.__main__.run(
        [
            str(SPEC),
            "--noconfirm",
            "--clean",
            "--log-level",
            "WARN",
            "--distpath",
            str(dist),
            "--workpath",
            str(work),
        ]
    )
    return dist / layout.APP_NAME


# --- trimming -------------------------------------------------------------------------------------


def internal_dir(bundle: Path) -> Path:
    """PyInstaller 6 puts everything but the executable under _internal (Contents/Frameworks on macOS)."""
    for candidate in (bundle / "_internal", bundle / "Contents" / "Frameworks"):
        if candidate.is_dir():
            return candidate
    return bundle


def qt_lib_patterns() -> list[str]:
    """File-name patterns for the Qt libraries to drop, for this platform's naming."""
    patterns = []
    for stem in layout.DROP_QT_LIBS:
        if IS_WINDOWS:
            patterns.append(f"Qt6{stem}.dll")
        elif IS_MAC:
            patterns.append(f"Qt{stem}.framework")
            patterns.append(f"Qt{stem}")
        else:
            patterns.append(f"libQt6{stem}.so*")
    return patterns


def remove(path: Path, removed: list[Path]) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)
    removed.append(path)


def trim(bundle: Path) -> list[Path]:
    """Drop unused Qt libraries, plugins and translations; returns what was removed."""
    internal = internal_dir(bundle)
    removed: list[Path] = []
    lib_patterns = qt_lib_patterns()
    # Libraries: wherever they are (PySide6/Qt/lib, PySide6/ on Windows, and _internal/ symlinks).
    for path in sorted(internal.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if (path.exists() or path.is_symlink()) and any(
            fnmatch.fnmatch(path.name, pat) for pat in lib_patterns
        ):
            remove(path, removed)
    qt_dir = next(
        (p for p in (internal / "PySide6" / "Qt", internal / "PySide6") if (p / "plugins").is_dir()), None
    )
    if qt_dir is not None:
        plugins = qt_dir / "plugins"
        for name in layout.DROP_QT_PLUGIN_DIRS:
            if (plugins / name).exists():
                remove(plugins / name, removed)
        for pattern in layout.DROP_QT_PLUGIN_FILES:
            for path in plugins.glob(pattern):
                remove(path, removed)
        translations = qt_dir / "translations"
        if translations.is_dir():
            for path in translations.iterdir():
                if not any(fnmatch.fnmatch(path.name, keep) for keep in layout.KEEP_QT_TRANSLATIONS):
                    remove(path, removed)
    if IS_LINUX:
        for pattern in layout.HOST_LIBRARIES:
            for path in internal.glob(pattern):
                remove(path, removed)
        removed += drop_orphan_libraries(internal)
    removed += drop_dangling_symlinks(internal)
    return removed


def elf_needed(path: Path) -> set[str]:
    """DT_NEEDED entries of an ELF file (objdump, from binutils, which PyInstaller needs anyway)."""
    result = subprocess.run(["objdump", "-p", str(path)], capture_output=True, text=True, check=False)
    return {line.split()[1] for line in result.stdout.splitlines() if line.strip().startswith("NEEDED")}


def is_elf(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(4) == b"\x7fELF"
    except OSError:
        return False


def drop_orphan_libraries(internal: Path) -> list[Path]:
    """Remove top-level shared libraries that no remaining binary links against (Linux).

    PyInstaller copies the dependencies of every collected binary to the top of _internal. Once a
    plugin is trimmed (e.g. the GTK3 theme), the system libraries only it needed stay behind; this
    removes them, repeating until nothing changes. Libraries inside package folders (numpy.libs,
    onnxruntime/capi, ...) are never touched: those may be dlopen()ed by name.
    """
    if shutil.which("objdump") is None:
        print("objdump not found (apt-get install binutils): orphan libraries are kept")
        return []
    removed: list[Path] = []
    needed_cache: dict[Path, set[str]] = {}
    while True:
        elves = [p for p in internal.rglob("*") if p.is_file() and not p.is_symlink() and is_elf(p)]
        needed: set[str] = set()
        for path in elves:
            if path not in needed_cache:
                needed_cache[path] = elf_needed(path)
            needed |= needed_cache[path]
        executable = internal.parent / layout.APP_NAME
        if executable.is_file():
            needed |= elf_needed(executable)
        orphans = [
            p
            for p in internal.glob("*.so*")
            if p.is_file()
            and not p.is_symlink()
            and p.name not in needed
            and not p.name.startswith("libpython")
        ]
        if not orphans:
            return removed
        for path in orphans:
            needed_cache.pop(path, None)
            remove(path, removed)


def drop_dangling_symlinks(internal: Path) -> list[Path]:
    removed: list[Path] = []
    for path in internal.rglob("*"):
        if path.is_symlink() and not path.exists():
            remove(path, removed)
    return removed


def strip_safe_binaries(bundle: Path) -> int:
    """Strip symbols from libpython, lib-dynload, ICU and STRIP_DEBUG_GLOBS only (Linux).

    Returns the bytes saved. numpy and numpy.libs are never touched (OpenBLAS breaks).
    """
    if not IS_LINUX or shutil.which("strip") is None:
        return 0
    internal = internal_dir(bundle)
    targets = [*internal.glob("libpython*.so*"), *internal.glob("python3*/lib-dynload/*.so")]
    targets += [p for p in internal.rglob("libicu*.so*") if not p.is_symlink()]
    for pattern in layout.STRIP_DEBUG_GLOBS:
        targets += internal.glob(pattern)
    saved = 0
    for path in targets:
        if path.is_symlink() or not path.is_file():
            continue
        before = path.stat().st_size
        subprocess.run(["strip", "--strip-unneeded", str(path)], check=True)
        saved += before - path.stat().st_size
    return saved


# --- checks and archive ---------------------------------------------------------------------------


def check_resources(bundle: Path, *, allow_missing: bool = False) -> None:
    internal = internal_dir(bundle)
    missing = [name for name in layout.REQUIRED_RESOURCES if not (internal / name).exists()]
    if missing and allow_missing:
        print(f"WARNING: the bundle lacks required resources: {', '.join(missing)}")
    elif missing:
        raise SystemExit(f"the bundle lacks required resources: {', '.join(missing)}")


def add_desktop_integration(bundle: Path) -> None:
    """Put the .desktop file and the icon next to the executable, and on Linux install.sh, which
    adds them to the user's applications menu with the unpacked folder's path."""
    shutil.copy2(ROOT / "resources" / "clinicdesk.desktop", bundle / "clinicdesk.desktop")
    shutil.copy2(ROOT / "resources" / "icons" / "clinicdesk-256.png", bundle / "clinicdesk.png")
    if IS_LINUX:
        shutil.copy2(ROOT / "build_scripts" / "install_linux.sh", bundle / "install.sh")


def archive_name() -> str:
    system = {"linux": "linux", "win32": "windows", "darwin": "macos"}.get(sys.platform, sys.platform)
    return f"{layout.APP_NAME}-{app_version()}-{system}-{platform.machine().lower()}"


def write_archive(bundle: Path) -> Path:
    """tar.gz (keeps symlinks and permissions) on Linux/macOS, zip on Windows; older archives go."""
    for pattern in (f"{layout.APP_NAME}-*.tar.gz", f"{layout.APP_NAME}-*.zip"):
        for old in bundle.parent.glob(pattern):
            old.unlink()
    base = bundle.parent / archive_name()
    if IS_WINDOWS:
        target = base.with_suffix(".zip")
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
            for path in sorted(bundle.rglob("*")):
                archive.write(path, Path(bundle.name) / path.relative_to(bundle))
        return target
    target = base.parent / (base.name + ".tar.gz")
    with tarfile.open(target, "w:gz", compresslevel=9) as archive:
        archive.add(bundle, arcname=bundle.name)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder (default: dist/)")
    parser.add_argument(
        "--work", type=Path, default=ROOT / "build" / "pyinstaller", help="PyInstaller work folder"
    )
    parser.add_argument("--no-trim", action="store_true", help="keep the bundle as PyInstaller made it")
    parser.add_argument("--no-archive", action="store_true", help="skip writing the archive")
    parser.add_argument(
        "--allow-missing-resources", action="store_true", help="warn instead of failing (early test builds)"
    )
    args = parser.parse_args(argv)

    started = time.perf_counter()
    bundle = run_pyinstaller(args.dist.resolve(), args.work.resolve())
    built = time.perf_counter()
    check_resources(bundle, allow_missing=args.allow_missing_resources)
    size_before = tree_size(bundle)
    removed: list[Path] = []
    stripped = 0
    if not args.no_trim:
        removed = trim(bundle)
        stripped = strip_safe_binaries(bundle)
        check_resources(bundle, allow_missing=args.allow_missing_resources)
    add_desktop_integration(bundle)
    size_after = tree_size(bundle)
    archive = None if args.no_archive else write_archive(bundle)
    finished = time.perf_counter()

    print()
    print(f"bundle:   {bundle}")
    print(f"  PyInstaller build           {built - started:8.1f} s")
    print(f"  size before trimming        {size_text(size_before)}")
    if not args.no_trim:
        print(f"  removed paths               {len(removed):8d}")
        print(f"  saved by stripping          {stripped / MIB:8.1f} MiB (libpython, lib-dynload, ICU, SA)")
    print(f"  size after trimming         {size_text(size_after)}")
    if archive is not None:
        print(f"archive:  {archive}")
        print(f"  archive size                {size_text(archive.stat().st_size)}")
    print(f"  total time                  {finished - started:8.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
