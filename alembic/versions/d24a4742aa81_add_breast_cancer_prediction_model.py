"""add breast cancer prediction model

The web version's second revision, same id: the breastcancerprediction table (the 30 Wisconsin
features as float columns, prediction, confidence, risk_level, created_at, notes), as SQLModel made it.

Revision ID: d24a4742aa81
Revises: a8b9ec836410
Create Date: 2024-06-01 10:00:00

"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from desktop.db import stash  # keeps aside what a downgrade drops (alembic/env.py: on the path)

revision: str = "d24a4742aa81"
down_revision: str | Sequence[str] | None = "a8b9ec836410"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Tables / columns a downgrade of this revision drops: their data is kept aside in stash tables
#: (desktop/db/stash.py) and put back by the next upgrade; named before confirming a downgrade.
DOWNGRADE_DROPS = ("breastcancerprediction",)


def _key(length: int = 64) -> sa.types.TypeEngine[str]:
    """VARCHAR without a length, except on MySQL / MariaDB, where key and indexed columns need one."""
    return sa.String().with_variant(sa.String(length=length), "mysql", "mariadb")


def upgrade() -> None:
    op.create_table(
        "breastcancerprediction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", _key(), nullable=False),
        sa.Column("radius_mean", sa.Float(), nullable=False),
        sa.Column("texture_mean", sa.Float(), nullable=False),
        sa.Column("perimeter_mean", sa.Float(), nullable=False),
        sa.Column("area_mean", sa.Float(), nullable=False),
        sa.Column("smoothness_mean", sa.Float(), nullable=False),
        sa.Column("compactness_mean", sa.Float(), nullable=False),
        sa.Column("concavity_mean", sa.Float(), nullable=False),
        sa.Column("concave_points_mean", sa.Float(), nullable=False),
        sa.Column("symmetry_mean", sa.Float(), nullable=False),
        sa.Column("fractal_dimension_mean", sa.Float(), nullable=False),
        sa.Column("radius_se", sa.Float(), nullable=False),
        sa.Column("texture_se", sa.Float(), nullable=False),
        sa.Column("perimeter_se", sa.Float(), nullable=False),
        sa.Column("area_se", sa.Float(), nullable=False),
        sa.Column("smoothness_se", sa.Float(), nullable=False),
        sa.Column("compactness_se", sa.Float(), nullable=False),
        sa.Column("concavity_se", sa.Float(), nullable=False),
        sa.Column("concave_points_se", sa.Float(), nullable=False),
        sa.Column("symmetry_se", sa.Float(), nullable=False),
        sa.Column("fractal_dimension_se", sa.Float(), nullable=False),
        sa.Column("radius_worst", sa.Float(), nullable=False),
        sa.Column("texture_worst", sa.Float(), nullable=False),
        sa.Column("perimeter_worst", sa.Float(), nullable=False),
        sa.Column("area_worst", sa.Float(), nullable=False),
        sa.Column("smoothness_worst", sa.Float(), nullable=False),
        sa.Column("compactness_worst", sa.Float(), nullable=False),
        sa.Column("concavity_worst", sa.Float(), nullable=False),
        sa.Column("concave_points_worst", sa.Float(), nullable=False),
        sa.Column("symmetry_worst", sa.Float(), nullable=False),
        sa.Column("fractal_dimension_worst", sa.Float(), nullable=False),
        sa.Column("prediction", sa.String(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("risk_level", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("notes", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    stash.restore(op, revision, DOWNGRADE_DROPS)


def downgrade() -> None:
    stash.keep(op, revision, DOWNGRADE_DROPS)
    op.drop_table("breastcancerprediction")
