"""``clinicdesk screen`` through a real subprocess, on the shipped model and the fixture files."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"


def screen(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "desktop", "screen", *map(str, args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_mixed_file_prints_summary_and_exits_zero(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    done = screen(FIXTURES / "wdbc_mixed.csv", "--out", out)
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert "Rows read: 18" in text
    assert "Predicted: 11" in text
    assert "Rejected: 7" in text
    assert "line 13 (bad-0): Texture (mean) must be a number (got 'abc')." in text
    assert "Agreement with the file's diagnoses (11 rows)" in text
    assert "Outside the training range: 1 row(s)" in text
    assert "Wrote 18 row(s)" in text
    with out.open(encoding="utf-8") as f:
        assert len(list(csv.DictReader(f))) == 18


def test_agreement_figures_on_the_sample(tmp_path: Path) -> None:
    done = screen(FIXTURES / "wdbc_sample.csv")
    assert done.returncode == 0, done.stderr
    assert "Rows read: 64" in done.stdout and "Rejected: 0" in done.stdout
    assert "Accuracy" in done.stdout and "sensitivity" in done.stdout and "specificity" in done.stdout
    assert "actual Malignant" in done.stdout


def test_header_file_without_diagnoses_has_no_agreement() -> None:
    done = screen(FIXTURES / "wdbc_header.csv")
    assert done.returncode == 0, done.stderr
    assert "with header" in done.stdout and "Predicted: 20" in done.stdout
    assert "Agreement" not in done.stdout


def test_unreadable_file_exits_non_zero(tmp_path: Path) -> None:
    done = screen(tmp_path / "missing.csv")
    assert done.returncode != 0
    assert "does not exist" in done.stderr
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    done = screen(empty)
    assert done.returncode != 0 and "empty" in done.stderr


def test_altered_model_exits_non_zero(tmp_path: Path) -> None:
    model = tmp_path / "model"
    model.mkdir()
    (model / "model.json").write_bytes((ROOT / "onnx_model" / "model.json").read_bytes())
    (model / "model.onnx").write_bytes((ROOT / "onnx_model" / "model.onnx").read_bytes() + b"\0")
    done = screen(FIXTURES / "wdbc_sample.csv", "--model-dir", model)
    assert done.returncode != 0 and "altered" in done.stderr


def test_semicolon_file_is_read_and_its_separator_named(tmp_path: Path) -> None:
    semicolons = tmp_path / "semicolons.csv"
    semicolons.write_text((FIXTURES / "wdbc_mixed.csv").read_text().replace(",", ";"))
    out = tmp_path / "out.csv"
    done = screen(semicolons, "--out", out)
    assert done.returncode == 0, done.stderr
    assert "values separated by semicolons" in done.stdout
    assert "Rows read: 18" in done.stdout and "Predicted: 11" in done.stdout and "Rejected: 7" in done.stdout
    assert "line 13 (bad-0): Texture (mean) must be a number (got 'abc')." in done.stdout
    with out.open(encoding="utf-8") as f:
        assert len(list(csv.DictReader(f))) == 18


def test_unreadable_file_leaves_no_output(tmp_path: Path) -> None:
    decimal_comma = tmp_path / "european.csv"
    decimal_comma.write_text((FIXTURES / "wdbc_sample.csv").read_text().replace(",", ";").replace(".", ","))
    (tmp_path / "results").mkdir()
    done = screen(decimal_comma, "--out", tmp_path / "results" / "out.csv")
    assert done.returncode != 0 and "decimal comma" in done.stderr and "Traceback" not in done.stderr
    assert list((tmp_path / "results").iterdir()) == []
