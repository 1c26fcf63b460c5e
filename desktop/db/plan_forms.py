"""Query forms that tell SQLite's planner which index not to walk.

SQLite plans without statistics here (the program never runs ANALYZE: on a chart that holds most of
the rows, as in the tables benchmark, statistics made it pick worse plans, not better ones). Without
them it walks an index that delivers the ORDER BY whenever one exists, even when the query also
filters on columns only the table row holds: ix_medicalrecord_user_id_date_id then sends it to the
owner's rows one scattered lookup at a time, in date order, several times slower than reading them in
table order through ix_medicalrecord_user_id and sorting the few that match.

``sort_key_not_from_index(column)`` is the sort key written as ``+column`` on SQLite: the same value
and the same order, but an expression, which no index can deliver (the unary ``+`` is SQLite's
documented way to keep a term from using an index), so the planner reads the rows where they lie and
sorts them. Other databases plan with statistics of their own and get the plain column.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class sort_key_not_from_index(FunctionElement[Any]):  # noqa: N801 (a SQL construct, named like func.*)
    """``column`` as an ORDER BY key that no index may deliver on SQLite."""

    inherit_cache = True

    def __init__(self, column: Any) -> None:
        super().__init__(column)
        self.type = column.type


@compiles(sort_key_not_from_index)
def _plain(element: sort_key_not_from_index, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(sort_key_not_from_index, "sqlite")
def _unary_plus(element: sort_key_not_from_index, compiler: SQLCompiler, **kw: Any) -> str:
    return "+" + compiler.process(element.clauses, **kw)
