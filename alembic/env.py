"""Alembic environment for ClinicDesk.

Two ways in:

* The application (desktop/db/migrate.py) builds the Config in code and passes an open connection in
  ``config.attributes["connection"]``, already inside its own locked transaction (SQLite:
  foreign_keys=OFF + BEGIN IMMEDIATE; PostgreSQL: an advisory lock). Alembic then sees an external
  transaction and adds none of its own, so a failing revision rolls everything back.
* The plain ``alembic`` command run in the repository: the URL comes from CLINICDESK_DATABASE_URL, else
  the default per-user SQLite file (desktop.settings.resolve_database_url). It goes through the same
  locked, checked transaction as the app (desktop.db.migrate.migration_connection).
  ``transaction_per_migration`` applies only if a caller hands in a connection outside a transaction.

The revisions import ``desktop.db.stash`` (what a downgrade drops is kept aside and put back by the
next upgrade): the app and the frozen program have the ``desktop`` package on the path, and the plain
command gets the repository root from alembic.ini's ``prepend_sys_path``. Stash tables belong to no
schema, so autogenerate ignores them (``include_name``).

``logging.config.fileConfig`` is never called: it would disable the application's loggers when
migrations run in-process (see shared/STYLE.md, "Traps").
"""

from __future__ import annotations

from typing import Any

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection

from desktop.db import models  # noqa: F401  (registers every table on Base.metadata)
from desktop.db.base import Base
from desktop.db.drift import (
    AUTOGENERATE_PLUGINS,  # CHECK constraints compared by name (opt-in plugin)
    include_name,
)
from desktop.db.migrate import migration_connection
from desktop.db.mysql_types import compare_type
from desktop.db.types import UTCDateTime
from desktop.settings import resolve_database_url

config = context.config
target_metadata = Base.metadata


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | bool:
    """Render our UTCDateTime as a plain ``sa.DateTime()`` so revisions do not import desktop code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


def _configure(connection: Connection) -> None:
    is_sqlite = connection.dialect.name == "sqlite"
    options: dict[str, Any] = {
        "connection": connection,
        "target_metadata": target_metadata,
        "render_as_batch": is_sqlite,
        "transaction_per_migration": True,
        "compare_type": compare_type,
        "render_item": render_item,
        "autogenerate_plugins": AUTOGENERATE_PLUGINS,
        "include_name": include_name,
    }
    if is_sqlite:
        # With SQLAlchemy emitting BEGIN itself (desktop.db.engine), SQLite DDL is transactional.
        options["transactional_ddl"] = True
    callback = config.attributes.get("on_version_apply")
    if callback is not None:
        options["on_version_apply"] = [callback]
    context.configure(**options)


def run_migrations_offline() -> None:
    """``alembic upgrade head --sql``: emit SQL text for a URL without connecting."""
    context.configure(
        url=resolve_database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=False,
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return

    with migration_connection(resolve_database_url()) as conn:
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
