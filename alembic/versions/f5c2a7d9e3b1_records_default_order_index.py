"""medical records: an index in the records table's order

The records table lists a patient's records newest first (date DESC, id DESC) and asks the database
for all their ids in that order. With only the index on ``user_id`` the database reads the patient's
rows and sorts them on every opening (about 75 ms for 100,000 records on SQLite); the index on
(user_id, date, id) holds them already in that order (read backwards), and answers a date range too,
without reading a row. The index on ``user_id`` stays: MariaDB's foreign key uses it, and the
filters that need the row (text, status) read the rows through it in table order
(desktop/db/plan_forms.py).

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


def upgrade() -> None:
    op.create_index(INDEX, "medicalrecord", ["user_id", "date", "id"], unique=False)
    stash.restore(op, revision, DOWNGRADE_DROPS)


def downgrade() -> None:
    stash.keep(op, revision, DOWNGRADE_DROPS)
    op.drop_index(INDEX, table_name="medicalrecord")
