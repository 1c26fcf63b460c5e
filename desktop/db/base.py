"""Declarative base with a constraint naming convention and an explicit type map.

Naming every constraint lets Alembic drop and recreate them on SQLite (batch mode) and PostgreSQL
alike; mapping ``float`` explicitly stops SQLAlchemy 2.1's default (Double) from creating autogenerate
diffs against the web version's FLOAT columns.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Float, MetaData
from sqlalchemy.orm import DeclarativeBase

from desktop.db.types import UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        float: Float(),
        dt.datetime: UTCDateTime(),
    }
