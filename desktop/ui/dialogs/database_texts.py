"""The sentences the Database tools dialog shows, built from plain values (Qt-free, easy to test).

A confirmation must name exactly what will be undone and what data is lost, so the texts are built
from the revisions the service says a downgrade would undo (newest first), each with the tables and
columns its downgrade drops.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any


def short(revision: str | None) -> str:
    return revision if revision else "base (empty)"


def human_size(size: int | None) -> str:
    if size is None:
        return "-"
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"


def drops_of(steps: Iterable[Any]) -> list[str]:
    """Every table / column the steps' downgrades drop, in order, without repeats."""
    seen: list[str] = []
    for step in steps:
        for item in getattr(step, "drops", ()) or ():
            if item not in seen:
                seen.append(item)
    return seen


def downgrade_confirmation(
    current: str | None, target: str, steps: Sequence[Any], lost: Sequence[str] | None = None
) -> str:
    """Confirmation text for a downgrade from ``current`` to ``target`` undoing ``steps`` (newest first).

    ``lost`` says what the older version will not show (the service's plan, in words with counts; the
    data is kept aside and comes back with the next upgrade); by default the steps' own list of dropped
    tables / columns.
    """
    undone = "\n".join(f"  • {s.revision} – {s.message}" for s in steps)
    items = list(lost) if lost is not None else drops_of(steps)
    if items:
        loss = (
            "The older version will not show (kept aside in the database, back after the next upgrade):\n"
            + "\n".join(f"  • {item}" for item in items)
        )
    else:
        loss = "Nothing the older version cannot show."
    return (
        f"Downgrade the database from {short(current)} to {short(target if target != 'base' else None)}?\n\n"
        f"This undoes {len(steps)} migration(s):\n{undone}\n\n{loss}\n\n"
        "A backup is made first. Everyone is signed out afterwards, and this version of ClinicDesk cannot "
        "run on the downgraded database until it is upgraded again."
    )


def base_confirmation_prompt(current: str | None) -> str:
    return (
        "Downgrading to base removes EVERY table ClinicDesk made; their accounts, records and predictions "
        "are kept aside until the next upgrade (and a backup is made first).\n\n"
        f"Type the current revision ({short(current)}) to confirm:"
    )


def cannot_run_text(current: str | None, head: str) -> str:
    return (
        f"The database is now at {short(current)}, but this version of ClinicDesk needs {head} to run. "
        "Sign-in and every page will not work on it until it is upgraded again.\n\n"
        "Press “Upgrade to head” to upgrade it now, or close this dialog: you will be signed out and "
        "ClinicDesk will offer the upgrade (after a backup) the next time it opens the database."
    )


def integrity_text(report: Any) -> str:
    """A readable report of a maintenance CheckReport (integrity, foreign keys, drift, fingerprint)."""
    integrity = report.integrity
    lines = [
        "Result: everything is in order." if report.ok else "Result: PROBLEMS FOUND (details below).",
        "",
    ]
    if not integrity.applicable:
        lines.append("File checks: not applicable (a database server checks its own storage).")
    else:
        for label, values in (
            ("Quick check", integrity.quick_check),
            ("Full integrity check", integrity.integrity_check),
        ):
            if not values:
                lines.append(f"{label}: not run")
            elif tuple(values) == ("ok",):
                lines.append(f"{label}: OK")
            else:
                lines.append(f"{label}: {len(values)} problem(s)")
                lines.extend(f"    {v}" for v in tuple(values)[:20])
        fks = tuple(integrity.foreign_key_check)
        lines.append("Links between tables (foreign keys): " + ("OK" if not fks else f"{len(fks)} broken"))
        lines.extend(f"    {v}" for v in fks[:20])
    drift = tuple(report.drift)
    lines.append("Tables and columns against this version's models: " + ("match" if not drift else "DIFFER"))
    lines.extend(f"    {d}" for d in drift[:30])
    fp = report.fingerprint
    if fp is None:
        lines.append("Schema fingerprint: not checked")
    elif not fp.known:
        lines.append(f"Schema fingerprint: none known for revision {short(fp.revision)}")
    elif fp.matches:
        lines.append("Schema fingerprint: matches what this revision should have")
    else:
        lines.append("Schema fingerprint: DIFFERENT from what this revision should have (changed by hand?)")
        lines.extend(f"    {d}" for d in tuple(fp.differences)[:30])
    return "\n".join(lines)


def upgrade_confirmation(head: str | None, pending: Sequence[str]) -> str:
    return (
        f"Upgrade the database to {head or 'head'}?\n\n"
        f"Applies: {', '.join(pending) or 'nothing'}.\nA backup is made first."
    )


def restore_confirmation(backup_name: str) -> str:
    return (
        f"Replace the current database with the backup {backup_name}?\n\nEverything changed since that "
        "backup was made will be gone from the database. The current database is backed up first, so "
        "this can be undone by restoring that backup. Everyone is signed out afterwards."
    )
