"""``clinicdesk patients import FILE.csv``: register or update patients from a spreadsheet (see
desktop/services/patient_import.py for the columns and rules)."""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop.cli.output import ExitCode, fail, paint
from desktop.cli.users import _database_option, _services
from desktop.domain.errors import KnownError
from desktop.services.patient_import import import_patients as run_import


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("patients", help="manage patients")
    commands = parser.add_subparsers(dest="patients_command", metavar="ACTION", required=True)
    importing = commands.add_parser(
        "import",
        help="register or update patients from a CSV file "
        "(columns name, date_of_birth, sex, mrn, phone, email)",
    )
    importing.add_argument("file", type=Path, help="the CSV file (UTF-8, first line names the columns)")
    _database_option(importing)
    importing.set_defaults(handler=import_patients)


def import_patients(args: argparse.Namespace) -> int:
    try:
        services = _services(args)
        try:
            report = run_import(services.context, args.file)
        finally:
            services.close()
    except KnownError as error:
        return fail(error.message)
    if report.ignored_columns:
        print(f"Ignored columns: {', '.join(report.ignored_columns)}")
    if report.problems:
        for problem in report.problems:
            print(f"line {problem.line}: {problem.message}")
        return fail(
            f"Nothing was imported: correct the {len(report.problems)} line(s) above and run it again."
        )
    print(f"{paint('Imported', 'green')} {report.created} new patient(s), updated {report.updated}.")
    return ExitCode.OK
