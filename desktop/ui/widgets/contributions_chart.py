"""Horizontal bar chart of the measurements that pushed a prediction most, signed, in log-odds.

For the linear model each contribution is coefficient x standardised value: positive pushes towards
malignant, negative towards benign, and they add up (with the intercept) to the log-odds. Two bar
sets in a stacked series give the two directions their own colour and legend entry while every
feature keeps one row (a feature has a value in exactly one of the two sets).
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QWidget

from desktop.domain.features import feature_label
from desktop.ui import theme

TOWARDS_MALIGNANT = "#b91c1c"
TOWARDS_BENIGN = "#1d4ed8"
DEFAULT_TOP = 8


def top_contributions(contributions: Mapping[str, float], top: int = DEFAULT_TOP) -> list[tuple[str, float]]:
    """The ``top`` largest contributions by magnitude, largest first (ties keep model order)."""
    ranked = sorted(contributions.items(), key=lambda item: -abs(item[1]))
    return ranked[:top]


class ContributionsChart(QChartView):
    """Shows :func:`top_contributions` of a prediction; empty until :meth:`set_contributions`."""

    def __init__(self, parent: QWidget | None = None, top: int = DEFAULT_TOP) -> None:
        super().__init__(parent)
        self._top = top
        self._shown: list[tuple[str, float]] = []
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        # Room for eight named bars: below about 300 px Qt drops every other name, and the longest
        # names ("Concave points (standard error)") take about half of 400 px.
        self.setMinimumSize(400, 300)
        self.setAccessibleName("Chart of the measurements that influenced the result most")
        chart = QChart()
        if theme.is_dark():  # a white chart on the dark theme glares
            chart.setTheme(QChart.ChartTheme.ChartThemeDark)
            chart.setBackgroundBrush(QColor(theme.colours(True)["base"]))
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        chart.setTitle("What pushed the result (log-odds)")
        self.setChart(chart)

    @property
    def shown(self) -> list[tuple[str, float]]:
        """The (feature, contribution) pairs on screen, top bar first."""
        return list(self._shown)

    def clear(self) -> None:
        self.set_contributions({})

    def set_contributions(self, contributions: Mapping[str, float] | None) -> None:
        """Replace the bars; None or {} leaves an empty chart (a model without exact explanations)."""
        chart = self.chart()
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        self._shown = top_contributions(contributions or {}, self._top)
        if not self._shown:
            self.setToolTip("No explanation available for this prediction.")
            return
        # Qt draws the first category at the bottom of a horizontal chart: reverse so the biggest is on top.
        rows = list(reversed(self._shown))
        up = QBarSet("Towards malignant")
        down = QBarSet("Towards benign")
        up.setColor(QColor(TOWARDS_MALIGNANT))
        down.setColor(QColor(TOWARDS_BENIGN))
        for _, value in rows:
            up.append(value if value > 0 else 0.0)
            down.append(value if value < 0 else 0.0)
        series = QHorizontalStackedBarSeries()
        series.append(up)
        series.append(down)
        series.setBarWidth(0.7)
        chart.addSeries(series)

        categories = QBarCategoryAxis()
        # By default Qt gives the axis a share of the chart's width and cuts longer names to "...",
        # which at a page's width is every name; the names are what the chart is for.
        categories.setTruncateLabels(False)
        categories.append([feature_label(name) for name, _ in rows])
        chart.addAxis(categories, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(categories)

        limit = max(0.5, max(abs(value) for _, value in rows) * 1.1)
        values = QValueAxis()
        values.setRange(-limit, limit)
        values.setTickCount(5)
        values.applyNiceNumbers()  # round tick values (e.g. -6, -3, 0, 3, 6) instead of -5.7, -2.9...
        values.setLabelFormat("%.0f" if values.max() >= 4 else "%.1f")
        values.setTruncateLabels(False)
        values.setTitleText("← benign    malignant →")
        chart.addAxis(values, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(values)
        self.setToolTip("\n".join(f"{feature_label(name)}: {value:+.2f}" for name, value in self._shown))
