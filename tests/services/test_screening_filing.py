"""Filing a batch screening's results into the charts its MRN column names, in one confirmed step
(SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from desktop.db.models import AuditLog, BreastCancerPrediction
from desktop.domain.errors import PermissionDeniedError
from desktop.domain.features import FEATURE_NAMES
from desktop.domain.screening import ScreeningFileError
from desktop.ml.predictor import Predictor
from desktop.services.container import Services
from desktop.services.screening_filing import (
    ALREADY_FILED,
    DEACTIVATED,
    NO_PATIENT,
    has_mrn_column,
    mrn_rows,
)
from tests.services.patient_helpers import Clinic, make_clinic, register
from tests.services.test_predictions import FEATURES


@pytest.fixture
def clinic(services: Services, admin) -> Clinic:
    return make_clinic(services, admin)


def _predictions(services: Services) -> list[tuple[str, str | None, str | None, str | None]]:
    with services.database.unit_of_work() as s:
        rows = s.execute(
            sa.select(
                BreastCancerPrediction.user_id,
                BreastCancerPrediction.created_by,
                BreastCancerPrediction.model_sha256,
                BreastCancerPrediction.notes,
            ).order_by(BreastCancerPrediction.id)
        )
        return [tuple(r) for r in rows]


def _csv(path: Path, rows: list[tuple[str, dict[str, object]]]) -> Path:
    lines = [",".join(["MRN", "id", *FEATURE_NAMES])]
    lines += [",".join([mrn, f"case-{n}", *(str(f[name]) for name in FEATURE_NAMES)]) for n, (mrn, f) in
              enumerate(rows)]  # fmt: skip
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_plan_then_file_into_the_charts_the_mrns_name(
    services: Services, clinic: Clinic, tmp_path: Path
) -> None:
    ann, bob = register(services, clinic, "Ann", "Lee"), register(services, clinic, "Bob", "Ray")
    gone = register(services, clinic, "Gone", "Away")
    services.patients.deactivate(clinic.reception.token, gone.id)
    bad = {**FEATURES, "radius_mean": "wide"}
    later = {**FEATURES, "radius_mean": float(str(FEATURES["radius_mean"])) + 0.5}  # a second case of Ann's
    path = _csv(tmp_path / "screened.csv", [
        (ann.mrn, FEATURES), (bob.mrn, FEATURES), (ann.mrn, later),
        ("999999", FEATURES), (gone.mrn, FEATURES), (bob.mrn, bad), ("999999", FEATURES),
    ])  # fmt: skip
    doc = clinic.clinician

    plan = services.predictions.plan_filing(doc.token, mrn_rows(path))
    assert (plan.rows, plan.to_file, plan.patients) == (7, 3, 2)
    assert plan.unmatched_mrns == ("999999",)
    assert [(p.row, p.mrn) for p in plan.not_filed] == [
        (4, "999999"),
        (5, gone.mrn),
        (6, bob.mrn),
        (7, "999999"),
    ]
    reasons = [p.reason for p in plan.not_filed]
    assert reasons[0] == reasons[3] == NO_PATIENT and reasons[1] == DEACTIVATED
    assert "radius" in reasons[2].lower()  # the measurement's own message
    assert _predictions(services) == []  # planning writes nothing

    result = services.predictions.file_screening(doc.token, mrn_rows(path), notes="screening March")
    assert (result.filed, result.patients) == (3, 2)
    assert result.unmatched_mrns == plan.unmatched_mrns and result.not_filed == plan.not_filed
    sha = Predictor().info.sha256
    assert _predictions(services) == [
        (ann.id, doc.user.id, sha, "screening March"),
        (bob.id, doc.user.id, sha, "screening March"),
        (ann.id, doc.user.id, sha, "screening March"),
    ]
    assert services.predictions.list(doc.token, patient_id=ann.id).total == 2
    with services.database.unit_of_work() as s:
        filed = s.scalar(sa.select(sa.func.count()).select_from(AuditLog).where(
            AuditLog.summary.like("Prediction filed from a screening%")))  # fmt: skip
    assert filed == 3

    again = services.predictions.file_screening(doc.token, mrn_rows(path), notes="filed twice")
    assert again.filed == 0  # every result is in its chart already: nothing is filed a second time
    assert [p.reason for p in again.not_filed].count(ALREADY_FILED) == 3
    assert len(_predictions(services)) == 3


def test_the_same_case_twice_in_one_file_is_filed_once(
    services: Services, clinic: Clinic, tmp_path: Path
) -> None:
    ann = register(services, clinic, "Ann", "Lee")
    path = _csv(tmp_path / "twice.csv", [(ann.mrn, FEATURES), (ann.mrn, FEATURES)])
    plan = services.predictions.plan_filing(clinic.clinician.token, mrn_rows(path))
    assert (plan.to_file, [(p.row, p.reason) for p in plan.not_filed]) == (1, [(2, ALREADY_FILED)])
    result = services.predictions.file_screening(clinic.clinician.token, mrn_rows(path))
    assert result.filed == 1 and len(_predictions(services)) == 1


def test_only_clinicians_file_and_nothing_is_half_written(services: Services, clinic: Clinic) -> None:
    ann = register(services, clinic, "Ann")
    rows = [(ann.mrn, FEATURES)]
    for session in (clinic.patient, clinic.reception, clinic.admin):
        with pytest.raises(PermissionDeniedError):
            services.predictions.plan_filing(session.token, rows)
        with pytest.raises(PermissionDeniedError):
            services.predictions.file_screening(session.token, rows)

    def rows_then_failure():
        yield ann.mrn, FEATURES
        yield ann.mrn, FEATURES
        raise ScreeningFileError("The file changed while it was read.")

    with pytest.raises(ScreeningFileError):
        services.predictions.file_screening(clinic.clinician.token, rows_then_failure())
    assert _predictions(services) == []  # one transaction: all rows or none


def test_mrn_column_is_found_and_required(tmp_path: Path) -> None:
    assert has_mrn_column(["id", " MRN ", "radius_mean"]) and not has_mrn_column(["id", "diagnosis"])
    assert not has_mrn_column(None)
    plain = tmp_path / "plain.csv"
    plain.write_text(",".join(["id", *FEATURE_NAMES]) + "\n1," + ",".join("1" for _ in FEATURE_NAMES) + "\n")
    with pytest.raises(ScreeningFileError, match="no MRN column"):
        list(mrn_rows(plain))
    short = tmp_path / "short.csv"
    short.write_text("mrn,radius_mean\n000001,12\n")
    with pytest.raises(ScreeningFileError, match="all 30 measurements"):
        list(mrn_rows(short))
