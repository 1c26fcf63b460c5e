"""The desktop entry and the icon files that ship with the bundle are well-formed and agree."""

from __future__ import annotations

import configparser
import struct
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ICONS = ROOT / "resources" / "icons"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_desktop_entry_names_the_executable_and_an_icon_that_exists() -> None:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive in desktop entries
    parser.read(ROOT / "resources" / "clinicdesk.desktop", encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Exec"].split()[0] == "clinicdesk" and entry["TryExec"] == "clinicdesk"
    assert entry["Terminal"] == "false"
    assert entry["StartupWMClass"] == "ClinicDesk"  # Qt's WM_CLASS class: the application name
    assert entry["Categories"].endswith(";")
    assert (ICONS / f"{entry['Icon']}.svg").is_file()


def test_png_icons_have_their_nominal_size() -> None:
    for size in PNG_SIZES:
        assert png_size((ICONS / f"clinicdesk-{size}.png").read_bytes()) == (size, size)


def test_ico_directory_points_at_png_entries_of_every_size() -> None:
    data = (ICONS / "clinicdesk.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind, count) == (0, 1, len(PNG_SIZES))
    sizes = []
    for index in range(count):
        width, _h, _c, _r, _planes, _bits, length, offset = struct.unpack(
            "<BBBBHHII", data[6 + 16 * index : 22 + 16 * index]
        )
        assert png_size(data[offset : offset + length]) == ((width or 256),) * 2
        sizes.append(width or 256)
    assert sorted(sizes) == list(PNG_SIZES)


def test_icns_entries_are_pngs_and_lengths_add_up() -> None:
    data = (ICONS / "clinicdesk.icns").read_bytes()
    assert data[:4] == b"icns" and struct.unpack(">I", data[4:8])[0] == len(data)
    offset, kinds = 8, {}
    while offset < len(data):
        kind, length = (
            data[offset : offset + 4].decode(),
            struct.unpack(">I", data[offset + 4 : offset + 8])[0],
        )
        kinds[kind] = png_size(data[offset + 8 : offset + length])[0]
        offset += length
    assert offset == len(data)
    assert kinds == {"icp4": 16, "icp5": 32, "icp6": 64, "ic07": 128, "ic08": 256, "ic09": 512}
