"""Malignancy probability of a person's saved predictions over time (the history page's chart).

A line through the points shows the trend; the points themselves are coloured by risk level, and a
dashed line marks the decision threshold so a reader sees at a glance which side each result fell on.
Predictions without a stored probability (old rows from the web version) are left out of the chart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCharts import (
    QChart,
    QChartView,
    QDateTimeAxis,
    QLineSeries,
    QScatterSeries,
    QValueAxis,
    QXYSeries,
)
from PySide6.QtCore import QDateTime, QMargins, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QWidget

from desktop.ui import theme
from desktop.ui.widgets.risk_badge import RISK_COLOURS


@dataclass(frozen=True)
class ProbabilityPoint:
    when: dt.datetime
    probability: float
    risk_level: str


def _msecs(when: dt.datetime) -> float:
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.timestamp() * 1000.0


class ProbabilityChart(QChartView):
    """Call :meth:`set_points` with the predictions to plot (any order)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(200)
        self.setAccessibleName("Chart of malignancy probability over time")
        chart = QChart()
        if theme.is_dark():  # a white chart on the dark theme glares
            chart.setTheme(QChart.ChartTheme.ChartThemeDark)
            chart.setBackgroundBrush(QColor(theme.colours(True)["base"]))
        chart.setTitle("Probability of malignancy over time")
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.setChart(chart)
        self._count = 0

    @property
    def point_count(self) -> int:
        """How many predictions are plotted (tests and the empty-state text use it)."""
        return self._count

    def set_points(self, points: Iterable[ProbabilityPoint], threshold: float = 0.5) -> None:
        chart = self.chart()
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        ordered = sorted(points, key=lambda p: p.when)
        self._count = len(ordered)
        if not ordered:
            chart.setTitle("Probability of malignancy over time - nothing to plot")
            return
        chart.setTitle("Probability of malignancy over time")

        x_axis = QDateTimeAxis()
        x_axis.setFormat("yyyy-MM-dd")
        x_axis.setTitleText("Date")
        first, last = _msecs(ordered[0].when), _msecs(ordered[-1].when)
        if last - first < 86_400_000:  # less than a day: widen so the axis labels differ
            first, last = first - 43_200_000, last + 43_200_000
            x_axis.setFormat("yyyy-MM-dd hh:mm")
        margin = (last - first) * 0.03  # so the first and last dots are not cut in half by the axes
        first, last = first - margin, last + margin
        x_axis.setRange(QDateTime.fromMSecsSinceEpoch(int(first)), QDateTime.fromMSecsSinceEpoch(int(last)))
        x_axis.setTickCount(min(6, max(2, len(ordered))))
        y_axis = QValueAxis()
        y_axis.setRange(0.0, 100.0)  # plotted in percent: QValueAxis label formats cannot scale
        y_axis.setLabelFormat("%.0f%%")
        y_axis.setTickCount(6)
        y_axis.setTitleText("Probability")
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)

        line = QLineSeries()
        line.setName("Probability")
        line.setPen(QPen(QColor("#6b7280"), 2))
        for point in ordered:
            line.append(_msecs(point.when), point.probability * 100.0)
        self._add(line, x_axis, y_axis)

        limit = QLineSeries()
        limit.setName(f"Threshold ({threshold:.0%})")
        # dark grey vanishes on the dark chart background: a light grey there
        pen = QPen(QColor("#d1d5db" if theme.is_dark() else "#374151"), 1, Qt.PenStyle.DashLine)
        limit.setPen(pen)
        limit.append(first, threshold * 100.0)
        limit.append(last, threshold * 100.0)
        self._add(limit, x_axis, y_axis)

        for level, colour in RISK_COLOURS.items():
            dots = QScatterSeries()
            dots.setName(f"{level} risk")
            dots.setColor(QColor(colour))
            dots.setBorderColor(QColor(colour))
            dots.setMarkerSize(10.0)
            for point in ordered:
                if point.risk_level == level:
                    dots.append(_msecs(point.when), point.probability * 100.0)
            if dots.count():
                self._add(dots, x_axis, y_axis)

    def _add(self, series: QXYSeries, x_axis: QDateTimeAxis, y_axis: QValueAxis) -> None:
        self.chart().addSeries(series)
        series.attachAxis(x_axis)
        series.attachAxis(y_axis)
