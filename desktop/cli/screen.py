"""``clinicdesk screen IN.csv [--out OUT.csv]``: batch screening for maintainers and researchers.

Prints what was read, predicted and rejected (with line numbers and reasons) and, when the file carries
diagnoses, the agreement. Rejected rows are part of a normal run: the exit code is non-zero only when
the file cannot be read at all (or the model cannot load, or the export cannot be written). The file
is streamed, so its size does not matter; --out appears only once the whole file has been screened.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop.cli.output import ExitCode, fail, paint
from desktop.domain.errors import KnownError
from desktop.services.predictor_provider import PredictorProvider
from desktop.services.screening import ScreeningService

#: Rejected rows listed in full; the rest are counted (all are in --out).
MAX_LISTED = 50
DELIMITER_NAMES = {";": "semicolons", "\t": "tabs"}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "screen",
        help="predict every row of a CSV file (wdbc.data layout or a header naming the 30 measurements)",
        description="Screen a CSV file with the breast-cancer model. Nothing is saved to the database.",
    )
    parser.add_argument("csv_file", type=Path, metavar="IN.csv", help="rows to screen")
    parser.add_argument(
        "--out", type=Path, metavar="OUT.csv", help="write every row's result (and rejections) here"
    )
    parser.add_argument(
        "--model-dir", type=Path, help=argparse.SUPPRESS
    )  # maintainers: a model other than the bundled one
    parser.set_defaults(handler=run)


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"


def run(args: argparse.Namespace) -> int:
    service = ScreeningService(PredictorProvider(args.model_dir))
    try:
        report = service.screen_file(args.csv_file, out=args.out)
    except KnownError as exc:
        return fail(exc.message, 2)

    separator = (
        "" if report.delimiter == "," else f", values separated by {DELIMITER_NAMES[report.delimiter]}"
    )
    print(
        f"{paint('File:', 'bold')} {report.source} "
        f"({'with header' if report.layout == 'header' else 'wdbc.data layout'}{separator})"
    )
    print(f"Model: {report.model_version}")
    print(f"Rows read: {report.rows_read}")
    print(f"Predicted: {report.predicted}")
    if report.predicted:
        risk = report.risk
        print(f"  Malignant: {report.malignant}, Benign: {report.benign}")
        print(f"  Risk: Low {risk.low}, Medium {risk.medium}, High {risk.high}")
        if report.out_of_range_rows:
            print(
                paint(
                    f"  Outside the training range: {report.out_of_range_rows} row(s) (predicted, flagged)",
                    "yellow",
                )
            )
    if report.ignored_columns:
        print(f"Ignored columns: {', '.join(report.ignored_columns)}")
    n_rejected = report.rejected_count
    print(f"Rejected: {paint(str(n_rejected), 'red') if n_rejected else 0}")
    for rej in report.rejected[:MAX_LISTED]:
        who = f" ({rej.case_id})" if rej.case_id else ""
        print(f"  line {rej.line}{who}: {rej.reason}")
    if n_rejected > MAX_LISTED:
        print(
            f"  ... and {n_rejected - MAX_LISTED} more"
            + (" (all are in the output file)" if args.out else "")
        )
    a = report.agreement
    if a is not None:
        print(f"Agreement with the file's diagnoses ({a.total} rows):")
        print(
            f"  Accuracy {_pct(a.accuracy)}, sensitivity {_pct(a.sensitivity)}, "
            f"specificity {_pct(a.specificity)}"
        )
        print("                      predicted Malignant  predicted Benign")
        print(f"  actual Malignant    {a.true_positive:>19}  {a.false_negative:>16}")
        print(f"  actual Benign       {a.false_positive:>19}  {a.true_negative:>16}")
    if args.out:
        print(f"Wrote {report.rows_read} row(s) to {args.out}")
    return ExitCode.OK
