"""initial migration

The web version's first revision, same id, same tables: user, medicalrecord, familyhistory, session,
as its SQLModel classes created them (VARCHAR columns, NOT NULL for non-Optional fields, no server
defaults, foreign keys not indexed, a unique index on user.email).

Revision ID: a8b9ec836410
Revises:
Create Date: 2024-05-01 10:00:00

"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from desktop.db import stash  # keeps aside what a downgrade drops (alembic/env.py: on the path)

revision: str = "a8b9ec836410"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Tables / columns a downgrade of this revision drops: their data is kept aside in stash tables
#: (desktop/db/stash.py) and put back by the next upgrade; named before confirming a downgrade.
DOWNGRADE_DROPS = ("user", "medicalrecord", "familyhistory", "session")


def _key(length: int = 64) -> sa.types.TypeEngine[str]:
    """VARCHAR without a length, except on MySQL / MariaDB, where key and indexed columns need one."""
    return sa.String().with_variant(sa.String(length=length), "mysql", "mariadb")


def upgrade() -> None:
    op.create_table(
        "user",
        sa.Column("id", _key(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("email", _key(320), nullable=False),
        sa.Column("password_hash", sa.String(), nullable=False),
        sa.Column("age", sa.Integer(), nullable=True),
        sa.Column("phone", sa.String(), nullable=True),
        sa.Column("emergency_contact", sa.String(), nullable=True),
        sa.Column("blood_type", sa.String(), nullable=True),
        sa.Column("allergies", sa.String(), nullable=True),
        sa.Column("medications", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_user_email", "user", ["email"], unique=True)
    op.create_table(
        "familyhistory",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", _key(), nullable=False),
        sa.Column("relation", sa.String(length=50), nullable=False),
        sa.Column("age", sa.Integer(), nullable=False),
        sa.Column("condition", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "medicalrecord",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", _key(), nullable=False),
        sa.Column("date", sa.String(length=20), nullable=False),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("result", sa.String(length=100), nullable=False),
        sa.Column("doctor", sa.String(length=100), nullable=False),
        sa.Column("notes", sa.String(length=1000), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("status_color", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "session",
        sa.Column("id", _key(), nullable=False),
        sa.Column("user_id", _key(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    stash.restore(op, revision, DOWNGRADE_DROPS)


def downgrade() -> None:
    stash.keep(op, revision, DOWNGRADE_DROPS)
    op.drop_table("session")
    op.drop_table("medicalrecord")
    op.drop_table("familyhistory")
    op.drop_index("ix_user_email", table_name="user")
    op.drop_table("user")
