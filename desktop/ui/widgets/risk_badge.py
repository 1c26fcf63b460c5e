"""A coloured pill showing a prediction's risk level (Low / Medium / High).

Colour alone must never carry the meaning (colour-blind users, black-and-white printouts), so the
badge always spells the level out and sets an accessible name that a screen reader announces.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from desktop.domain.enums import RiskLevel
from desktop.ui import theme

#: Background colours per risk level; text is white on all three (contrast >= 4.5:1 at bold 10pt+).
RISK_COLOURS: dict[str, str] = {
    RiskLevel.LOW.value: "#047857",  # green 700
    RiskLevel.MEDIUM.value: "#b45309",  # amber 700
    RiskLevel.HIGH.value: "#b91c1c",  # red 700
}

#: What each level means for the clinician, shown as the badge's tooltip.
RISK_MEANINGS: dict[str, str] = {
    RiskLevel.LOW.value: "Low: in cross-validation almost no malignant cases fell in this band.",
    RiskLevel.MEDIUM.value: "Medium: uncertain - follow-up is advised.",
    RiskLevel.HIGH.value: "High: in cross-validation nearly all cases in this band were malignant.",
}

NEUTRAL_COLOUR = "#6b7280"


def text_colour(kind: str) -> str:
    """Inline message colour for the current theme: "error" (red) or "warning" (amber).

    The light theme's red/amber are too dark on the dark theme's background, so both come in two shades.
    """
    dark = theme.is_dark()
    if kind == "error":
        return theme.colours(dark)["error"]
    return "#fbbf24" if dark else "#b45309"


def risk_colour(level: str | None) -> str:
    """The badge colour for ``level`` (grey when unknown), reused by tables and charts."""
    return RISK_COLOURS.get(level or "", NEUTRAL_COLOUR)


class RiskBadge(QLabel):
    """Shows "<level> risk" on the level's colour; empty and grey until a level is set."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("riskBadge")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumWidth(110)
        self._level: str | None = None
        self.set_level(None)

    @property
    def level(self) -> str | None:
        return self._level

    def set_level(self, level: str | None) -> None:
        """Show ``level`` (a RiskLevel value) or a neutral dash for None."""
        self._level = level
        text = f"{level} risk" if level else "-"
        self.setText(text)
        self.setToolTip(RISK_MEANINGS.get(level or "", ""))
        self.setAccessibleName(f"Risk level: {level}" if level else "Risk level: none")
        self.setStyleSheet(
            f"QLabel#riskBadge {{ background: {risk_colour(level)}; color: white; font-weight: bold;"
            " border-radius: 10px; padding: 4px 12px; }"
        )
