"""How the portable column types become MySQL / MariaDB column types.

The migrations and models use SQLAlchemy's generic types, which SQLite and PostgreSQL take as they are.
MySQL needs three of them rendered differently to store the same values:

* ``String`` without a length (unbounded VARCHAR on the other two) becomes ``TEXT``: MySQL refuses a
  VARCHAR without a length, and any fixed length would reject values the other engines accept. Key and
  indexed columns, which TEXT cannot be, carry an explicit MySQL length instead (:data:`ID_LENGTH`,
  :data:`EMAIL_LENGTH`, used through ``with_variant`` in the models and the revisions).
* ``DateTime`` becomes ``DATETIME(6)``: plain DATETIME drops the microseconds the other engines keep.
* ``Float`` without a precision becomes ``DOUBLE``: MySQL's FLOAT is single precision, which would
  change the stored measurements and confidences.

Registered when this module is imported (desktop/db/engine.py imports it), so every engine ClinicDesk
makes compiles DDL this way. Output for SQLite and PostgreSQL is untouched.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import DateTime, Float, String
from sqlalchemy.ext.compiler import compiles

#: MySQL length of the text primary and foreign keys (UUIDs, 36 characters, in practice).
ID_LENGTH = 64
#: MySQL length of indexed e-mail columns (the longest address validation accepts).
EMAIL_LENGTH = 320
#: Collation of every ClinicDesk table on MySQL: two different strings never compare equal (the
#: server default is case- and accent-insensitive), as on SQLite and PostgreSQL.
COLLATION = "utf8mb4_bin"
MYSQL_DIALECTS = ("mysql", "mariadb")


@compiles(String, "mysql")
@compiles(String, "mariadb")
def _string(type_: String, compiler: Any, **kw: Any) -> str:
    if type_.length is None:
        return "TEXT"
    return str(compiler.visit_string(type_, **kw))


@compiles(DateTime, "mysql")
@compiles(DateTime, "mariadb")
def _datetime(type_: DateTime, compiler: Any, **kw: Any) -> str:
    return "DATETIME(6)"


@compiles(Float, "mysql")
@compiles(Float, "mariadb")
def _float(type_: Float, compiler: Any, **kw: Any) -> str:
    if type_.precision is None:
        return "DOUBLE"
    return str(compiler.visit_float(type_, **kw))


def key_string(length: int = ID_LENGTH) -> Any:
    """A lengthless String everywhere but MySQL, where keys and indexed columns need a length."""
    return String().with_variant(String(length), *MYSQL_DIALECTS)


def compare_type(
    context: Any, inspected_column: Any, metadata_column: Any, inspected_type: Any, metadata_type: Any
) -> bool | None:
    """A lengthless String is TEXT when ClinicDesk creates it on MySQL / MariaDB and VARCHAR(255) in a
    database the web version made there (SQLModel's AutoString): both hold what the column needs, so
    neither is drift. Every other comparison is Alembic's own (None)."""
    if (
        context.dialect.name in MYSQL_DIALECTS
        and isinstance(metadata_type, String)
        and metadata_type.length is None
        and isinstance(inspected_type, String)
    ):
        return False
    return None
