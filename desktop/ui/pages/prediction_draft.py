"""What the New prediction page keeps as a draft (drafts.py), and how its unsaved input is named.

The measurements are kept as typed, not as numbers: a value half typed ("1.") or refused comes back
as it was, with its message. The result is not kept: Predict gives it again from the same values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class PredictionDraft:
    measurements: dict[str, str]  # as typed, by feature name
    notes: str


def unsaved_text(measurements: Mapping[str, str], notes: str, *, just_saved: bool) -> str:
    """Empty when nothing is unsaved: nothing typed, or the measurements just saved (and no new note)."""
    typed = any(text.strip() for text in measurements.values())
    noted = bool(notes.strip())
    if not noted and (not typed or just_saved):
        return ""
    what = "measurements and notes" if typed and noted else "measurements" if typed else "notes"
    return f"the {what} of a new prediction"
