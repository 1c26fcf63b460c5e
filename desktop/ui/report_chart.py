"""The report's contribution chart, drawn with QPainter into an image for white paper.

The on-screen chart (widgets/contributions_chart.py) is a QtCharts widget, but a QTextDocument can only
embed images: the printout draws its own, with the same colours and order, and the document holds it
as the resource named :data:`CHART_URL`.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter

from desktop.domain.features import feature_label
from desktop.ui.widgets.contributions_chart import TOWARDS_BENIGN, TOWARDS_MALIGNANT, top_contributions

CHART_URL = "clinicdesk://contributions.png"
CHART_TOP = 10


def contributions_image(contributions: Mapping[str, float], top: int = CHART_TOP) -> QImage:
    """A horizontal bar chart of the ``top`` largest contributions, drawn for print (white paper)."""
    items = top_contributions(contributions, top)
    row, label_w, width = 44, 700, 1800
    height = row * max(1, len(items)) + 70
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    font = QFont()
    font.setPixelSize(24)
    painter.setFont(font)
    biggest = max((abs(v) for _, v in items), default=1.0) or 1.0
    bars_left, bars_right = label_w + 20, width - 140
    zero = (bars_left + bars_right) / 2
    half = (bars_right - bars_left) / 2
    for i, (name, value) in enumerate(items):
        top_y = 10 + i * row
        painter.setPen(QColor("#1f2328"))
        painter.drawText(
            QRectF(0, top_y, label_w, row),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            feature_label(name),
        )
        length = half * abs(value) / biggest
        left = zero if value >= 0 else zero - length
        painter.fillRect(
            QRectF(left, top_y + 8, length, row - 16),
            QColor(TOWARDS_MALIGNANT if value >= 0 else TOWARDS_BENIGN),
        )
        text_x = left + length + 8 if value >= 0 else left - 128
        painter.drawText(
            QRectF(text_x, top_y, 120, row),
            (Qt.AlignmentFlag.AlignLeft if value >= 0 else Qt.AlignmentFlag.AlignRight)
            | Qt.AlignmentFlag.AlignVCenter,
            f"{value:+.2f}",
        )
    axis_y = 10 + len(items) * row
    painter.setPen(QColor("#57606a"))
    painter.drawLine(int(zero), 4, int(zero), axis_y + 4)
    painter.drawText(
        QRectF(bars_left, axis_y + 8, half - 10, 40), Qt.AlignmentFlag.AlignLeft, "\u2190 towards benign"
    )
    painter.drawText(
        QRectF(zero + 10, axis_y + 8, half - 10, 40), Qt.AlignmentFlag.AlignRight, "towards malignant \u2192"
    )
    painter.end()
    return image
