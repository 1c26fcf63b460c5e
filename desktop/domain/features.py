"""The 30 Wisconsin Diagnostic Breast Cancer measurements, in the model's input order.

Names are the dataset's own with underscores (the web version's column names). Ten nuclear properties,
each as mean, standard error and worst (mean of the three largest values).
"""

from __future__ import annotations

BASE_MEASUREMENTS: tuple[tuple[str, str, str], ...] = (
    ("radius", "Radius", "mean distance from centre to perimeter points (µm-scaled units)"),
    ("texture", "Texture", "standard deviation of grey-scale values"),
    ("perimeter", "Perimeter", "perimeter of the nucleus"),
    ("area", "Area", "area of the nucleus"),
    ("smoothness", "Smoothness", "local variation in radius lengths"),
    ("compactness", "Compactness", "perimeter² / area − 1.0"),
    ("concavity", "Concavity", "severity of concave portions of the contour"),
    ("concave_points", "Concave points", "number of concave portions of the contour"),
    ("symmetry", "Symmetry", "symmetry of the nucleus"),
    ("fractal_dimension", "Fractal dimension", "coastline approximation − 1"),
)

GROUPS: tuple[tuple[str, str], ...] = (
    ("mean", "Mean"),
    ("se", "Standard error"),
    ("worst", "Worst"),
)

#: Column / input names in model order: radius_mean ... fractal_dimension_mean, radius_se ..., ..._worst.
FEATURE_NAMES: tuple[str, ...] = tuple(
    f"{base}_{group}" for group, _ in GROUPS for base, _, _ in BASE_MEASUREMENTS
)

assert len(FEATURE_NAMES) == 30


def feature_label(name: str) -> str:
    """Human label for a feature name, e.g. ``concave_points_worst`` -> ``Concave points (worst)``."""
    for base, label, _ in BASE_MEASUREMENTS:
        for group, group_label in GROUPS:
            if name == f"{base}_{group}":
                return f"{label} ({group_label.lower()})"
    raise KeyError(name)
