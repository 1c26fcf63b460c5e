"""The line under a list reads like a number a person would write: thousands separated."""

from __future__ import annotations

from desktop.ui.formatting import count_text

NOUNS = ("record", "records")


def test_counts_are_written_with_thousands_separators() -> None:
    assert count_text(100_000, 100_000, NOUNS, filtered=False) == "100,000 records"
    assert count_text(1, 1, NOUNS, filtered=True) == "1 record"
    assert count_text(25_000, 1_200, NOUNS, filtered=False) == "25,000 records (1,200 loaded)"
