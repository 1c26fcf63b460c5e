"""list pages: indexes in the records table's order and in the patient list's two orders

The records table lists a patient's records newest first (date DESC, id DESC) and asks the database
for all their ids in that order. With only the index on ``user_id`` the database reads the patient's
rows and sorts them on every opening (about 75 ms for 100,000 records on SQLite); the index on
(user_id, date, id) holds them already in that order (read backwards), and answers a date range too,
without reading a row. The index on ``user_id`` stays: MariaDB's foreign key uses it, and the
filters that need the row (text, status) read the rows through it in table order
(desktop/db/plan_forms.py).

The patient list asks for the ids of every patient matching the search box, in name order or
newest first (desktop/services/patient_search.py). ``ix_user_patient_names`` (replacing the plain
index on ``name_key``) and ``ix_user_patient_newest`` hold every column that query reads, so the
database walks one index in the list's order and never reads the table: about 20 ms for the ids
of 100,000 patients on SQLite, where reading the rows took 100-500 ms.

Nothing to keep on downgrade: an index holds no data.

Revision ID: f5c2a7d9e3b1
Revises: e4b7a2c9d5f1
Create Date: 2026-11-29 22:00:00

"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from desktop.db import stash  # keeps aside what a downgrade drops (alembic/env.py: on the path)

revision: str = "f5c2a7d9e3b1"
down_revision: str | Sequence[str] | None = "e4b7a2c9d5f1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Tables ("table") and columns ("table.column") a downgrade of this revision drops: none.
DOWNGRADE_DROPS: tuple[str, ...] = ()

INDEX = "ix_medicalrecord_user_id_date_id"
NAME_KEY_INDEX = "ix_user_name_key"
PATIENT_INDEXES = {
    "ix_user_patient_names": ["role", "name_key", "id", "is_active", "mrn"],
    "ix_user_patient_newest": ["role", "created_at", "id", "is_active"],
}


def upgrade() -> None:
    op.create_index(INDEX, "medicalrecord", ["user_id", "date", "id"], unique=False)
    for name, columns in PATIENT_INDEXES.items():
        op.create_index(name, "user", columns, unique=False)
    op.drop_index(NAME_KEY_INDEX, table_name="user")
    stash.restore(op, revision, DOWNGRADE_DROPS)


def downgrade() -> None:
    stash.keep(op, revision, DOWNGRADE_DROPS)
    op.create_index(NAME_KEY_INDEX, "user", ["name_key"], unique=False)
    for name in PATIENT_INDEXES:
        op.drop_index(name, table_name="user")
    op.drop_index(INDEX, table_name="medicalrecord")
