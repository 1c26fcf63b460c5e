"""Developer tools: writing a new revision (autogenerate) and the drift check (models vs database).

Alembic is imported inside the functions, like everywhere in desktop.db: desktop/db/migrate.py imports
this module, and the at-head start-up check must not pay for Alembic. Tables that hold data a
downgrade kept aside (desktop/db/stash.py) belong to no schema and are never compared.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from desktop.db.engine import make_engine
from desktop.db.migration_lock import migration_connection
from desktop.db.models import Base  # importing the models module fills Base.metadata
from desktop.db.mysql_types import compare_type
from desktop.db.scripts import head_revision, make_config
from desktop.db.stash import is_stash_table
from desktop.domain.errors import MigrationError
from desktop.settings import resolve_database_url

#: Alembic >= 1.19.2 compares CHECK constraints only through this opt-in plugin (named constraints).
AUTOGENERATE_PLUGINS = ["alembic.autogenerate.*", "alembic.ext.checkconstraint_byname"]


def create_migration(message: str, autogenerate: bool = True, url: str | None = None) -> str:
    """Write a new revision file under alembic/versions (developers only); returns its path.

    With ``autogenerate`` the database at ``url`` (at head) is compared with the models.
    """
    from alembic import command
    from alembic.util import CommandError

    config = make_config()
    try:
        if autogenerate:
            target_url = url or resolve_database_url()
            with migration_connection(target_url) as conn:
                config.attributes["connection"] = conn
                script = command.revision(config, message=message, autogenerate=True)
        else:
            script = command.revision(config, message=message)
    except CommandError as error:
        raise MigrationError(f"No migration was written: {error}") from error
    scripts = script if isinstance(script, list) else [script]
    head_revision()
    return str(scripts[0].path) if scripts and scripts[0] is not None else ""


def drift(url: str) -> list[str]:
    """Differences between the models and the database, one readable line each; [] when they agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(url, read_only=True)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn,
                opts={
                    "compare_type": compare_type,
                    "target_metadata": Base.metadata,
                    "autogenerate_plugins": AUTOGENERATE_PLUGINS,
                    "include_name": include_name,
                },
            )
            diffs = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    return [describe_diff(d) for d in _flatten(diffs)]


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Alembic's ``include_name`` hook: compare everything but the stash tables."""
    return not (type_ == "table" and name is not None and is_stash_table(name))


def _flatten(diffs: list[Any]) -> Iterator[Any]:
    for item in diffs:
        if isinstance(item, list):
            yield from item
        else:
            yield item


def describe_diff(diff: tuple[Any, ...]) -> str:
    """One alembic diff tuple as a sentence."""
    kind = diff[0]
    if kind in ("add_table", "remove_table"):
        return f"{'missing' if kind == 'add_table' else 'unexpected'} table {diff[1].name}"
    if kind in ("add_column", "remove_column"):
        word = "missing" if kind == "add_column" else "unexpected"
        return f"{word} column {diff[2]}.{diff[3].name}"
    if kind in ("add_index", "remove_index"):
        word = "missing" if kind == "add_index" else "unexpected"
        return f"{word} index {diff[1].name} on {diff[1].table.name}"
    if kind in ("add_constraint", "remove_constraint", "add_fk", "remove_fk"):
        word = "missing" if kind.startswith("add") else "unexpected"
        constraint = diff[1]
        return f"{word} constraint {constraint.name or type(constraint).__name__} on {constraint.table.name}"
    if kind.startswith("modify_"):
        what = kind[len("modify_") :]
        return f"column {diff[2]}.{diff[3]}: {what} is {diff[5]!r} in the database, {diff[6]!r} in the models"
    return repr(diff)
