"""Render resources/icons/clinicdesk.svg to the PNG, .ico and .icns files the installers need.

Why Qt and not Pillow / iconutil: Qt (QtSvg) is already a dependency, so this runs the same on Linux,
Windows and macOS without extra packages. The .ico and .icns containers are written by hand: both
formats may simply embed PNG data (ICO since Windows Vista, ICNS types icp4..ic10 since OS X 10.7),
which keeps the writer a few lines of ``struct``.

Run after editing the SVG and commit the results:  python build_scripts/make_icons.py
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"
SVG = ICONS / "clinicdesk.svg"

PNG_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
#: ICNS entry type -> pixel size; PNG payloads (Apple's icns "Type" table, OS X 10.7+).
ICNS_TYPES = (("icp4", 16), ("icp5", 32), ("icp6", 64), ("ic07", 128), ("ic08", 256), ("ic09", 512))


def render_png(renderer: QSvgRenderer, size: int) -> bytes:
    """The SVG drawn at ``size`` x ``size`` with antialiasing, as PNG bytes."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise RuntimeError(f"could not encode the {size}px icon as PNG")
    buffer.close()
    return bytes(data.data())


def ico_bytes(images: dict[int, bytes]) -> bytes:
    """An ICO file holding PNG-compressed entries (ICONDIR + ICONDIRENTRY table, then the PNGs)."""
    sizes = sorted(images)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = 6 + 16 * len(sizes)
    table, payload = b"", b""
    for size in sizes:
        png = images[size]
        dim = 0 if size >= 256 else size  # 0 means 256 in the ICO directory
        table += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(png), offset + len(payload))
        payload += png
    return header + table + payload


def icns_bytes(images: dict[str, bytes]) -> bytes:
    """An ICNS file: 'icns' + total length, then (type, length incl. 8-byte header, PNG) entries."""
    body = b"".join(
        kind.encode("ascii") + struct.pack(">I", len(png) + 8) + png for kind, png in images.items()
    )
    return b"icns" + struct.pack(">I", len(body) + 8) + body


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841  (QImage text/fonts need it)
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        print(f"cannot read {SVG}", file=sys.stderr)
        return 1
    rendered: dict[int, bytes] = {}
    for size in sorted(set(PNG_SIZES) | set(ICO_SIZES) | {s for _, s in ICNS_TYPES}):
        rendered[size] = render_png(renderer, size)
    for size in PNG_SIZES:
        (ICONS / f"clinicdesk-{size}.png").write_bytes(rendered[size])
    (ICONS / "clinicdesk.ico").write_bytes(ico_bytes({s: rendered[s] for s in ICO_SIZES}))
    (ICONS / "clinicdesk.icns").write_bytes(icns_bytes({kind: rendered[s] for kind, s in ICNS_TYPES}))
    written = [f"clinicdesk-{s}.png" for s in PNG_SIZES] + ["clinicdesk.ico", "clinicdesk.icns"]
    print(f"wrote {len(written)} files to {ICONS.relative_to(ROOT)}: {', '.join(written)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
