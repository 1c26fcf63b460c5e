"""desktop schema

Everything the desktop needs beyond the web version: user.role (CHECK 'user'|'admin'), version_id on
every editable row (optimistic concurrency), an index on every foreign key, named CHECK constraints on
the prediction, the prediction's probability and model version, and the auditlog / loginattempt tables.

Works on databases this program made (constraints named by the naming convention) and on databases the
web version made (unnamed primary / foreign keys): it only adds, and drops only what it added.

Revision ID: c7e5d1f0a9b3
Revises: d24a4742aa81
Create Date: 2026-11-25 07:46:22

"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from desktop.db import stash  # keeps aside what a downgrade drops (alembic/env.py: on the path)

revision: str = "c7e5d1f0a9b3"
down_revision: str | Sequence[str] | None = "d24a4742aa81"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Tables / columns a downgrade of this revision drops: their data is kept aside in stash tables
#: (desktop/db/stash.py) and put back by the next upgrade; named before confirming a downgrade.
DOWNGRADE_DROPS = (
    "auditlog",
    "loginattempt",
    "user.role",
    "user.version_id",
    "medicalrecord.version_id",
    "familyhistory.version_id",
    "breastcancerprediction.probability",
    "breastcancerprediction.model_version",
    "breastcancerprediction.version_id",
)


def upgrade() -> None:
    op.create_table(
        "auditlog",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=True),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("entity", sa.String(length=50), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("summary", sa.String(length=500), nullable=False),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_auditlog_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auditlog")),
    )
    with op.batch_alter_table("auditlog", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auditlog_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_auditlog_created_at"), ["created_at"], unique=False)
        batch_op.create_index("ix_auditlog_entity_entity_id", ["entity", "entity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_auditlog_user_id"), ["user_id"], unique=False)

    op.create_table(
        "loginattempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("user_id", sa.String(), nullable=True),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_loginattempt_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loginattempt")),
    )
    with op.batch_alter_table("loginattempt", schema=None) as batch_op:
        batch_op.create_index("ix_loginattempt_email_created_at", ["email", "created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_loginattempt_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("breastcancerprediction", schema=None) as batch_op:
        batch_op.add_column(sa.Column("probability", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("model_version", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("version_id", sa.Integer(), server_default="1", nullable=False))
        batch_op.create_index(batch_op.f("ix_breastcancerprediction_user_id"), ["user_id"], unique=False)
        batch_op.create_check_constraint(
            batch_op.f("ck_breastcancerprediction_prediction"), "prediction IN ('Benign', 'Malignant')"
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_breastcancerprediction_risk_level"), "risk_level IN ('Low', 'Medium', 'High')"
        )

    with op.batch_alter_table("familyhistory", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version_id", sa.Integer(), server_default="1", nullable=False))
        batch_op.create_index(batch_op.f("ix_familyhistory_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("medicalrecord", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version_id", sa.Integer(), server_default="1", nullable=False))
        batch_op.create_index(batch_op.f("ix_medicalrecord_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_session_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("role", sa.String(length=20), server_default="user", nullable=False))
        batch_op.add_column(sa.Column("version_id", sa.Integer(), server_default="1", nullable=False))
        batch_op.create_check_constraint(batch_op.f("ck_user_role"), "role IN ('user', 'admin')")
    stash.restore(op, revision, DOWNGRADE_DROPS)


def downgrade() -> None:
    stash.keep(op, revision, DOWNGRADE_DROPS)
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_user_role"), type_="check")
        batch_op.drop_column("version_id")
        batch_op.drop_column("role")

    with op.batch_alter_table("session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_user_id"))

    with op.batch_alter_table("medicalrecord", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_medicalrecord_user_id"))
        batch_op.drop_column("version_id")

    with op.batch_alter_table("familyhistory", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_familyhistory_user_id"))
        batch_op.drop_column("version_id")

    with op.batch_alter_table("breastcancerprediction", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_breastcancerprediction_risk_level"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_breastcancerprediction_prediction"), type_="check")
        batch_op.drop_index(batch_op.f("ix_breastcancerprediction_user_id"))
        batch_op.drop_column("version_id")
        batch_op.drop_column("model_version")
        batch_op.drop_column("probability")

    with op.batch_alter_table("loginattempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_loginattempt_user_id"))
        batch_op.drop_index("ix_loginattempt_email_created_at")

    op.drop_table("loginattempt")
    with op.batch_alter_table("auditlog", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auditlog_user_id"))
        batch_op.drop_index("ix_auditlog_entity_entity_id")
        batch_op.drop_index(batch_op.f("ix_auditlog_created_at"))
        batch_op.drop_index(batch_op.f("ix_auditlog_action"))

    op.drop_table("auditlog")
