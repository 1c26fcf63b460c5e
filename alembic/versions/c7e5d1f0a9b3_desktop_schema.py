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


def _key(length: int = 64) -> sa.types.TypeEngine[str]:
    """VARCHAR without a length, except on MySQL / MariaDB, where key and indexed columns need one."""
    return sa.String().with_variant(sa.String(length=length), "mysql", "mariadb")


def _on_mysql() -> bool:
    return op.get_context().dialect.name in ("mysql", "mariadb")


def _drop_user_id_index(batch_op: object, table: str) -> None:
    """Drop the user_id index this revision added.

    InnoDB keeps an index behind every foreign key and may have dropped its own one for user_id when
    this revision's index was created; then, on MySQL / MariaDB, the index cannot be dropped: it gets
    back the name InnoDB gives its own (the foreign key's), which leaves the older schema as it was.
    """
    name = f"ix_{table}_user_id"
    found = sa.inspect(op.get_bind()) if _on_mysql() else None
    others = found is not None and any(
        i["name"] != name and i["column_names"][:1] == ["user_id"] for i in found.get_indexes(table)
    )
    if found is None or others:
        batch_op.drop_index(batch_op.f(name))  # type: ignore[attr-defined]
        return
    fk = next(k["name"] for k in found.get_foreign_keys(table) if k["constrained_columns"] == ["user_id"])
    op.execute(f"ALTER TABLE `{table}` RENAME INDEX `{name}` TO `{fk}`")


def upgrade() -> None:
    op.create_table(
        "auditlog",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("user_id", _key(), nullable=True),
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
        sa.Column("user_id", _key(), nullable=True),
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
        _drop_user_id_index(batch_op, "session")

    with op.batch_alter_table("medicalrecord", schema=None) as batch_op:
        _drop_user_id_index(batch_op, "medicalrecord")
        batch_op.drop_column("version_id")

    with op.batch_alter_table("familyhistory", schema=None) as batch_op:
        _drop_user_id_index(batch_op, "familyhistory")
        batch_op.drop_column("version_id")

    with op.batch_alter_table("breastcancerprediction", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_breastcancerprediction_risk_level"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_breastcancerprediction_prediction"), type_="check")
        _drop_user_id_index(batch_op, "breastcancerprediction")
        batch_op.drop_column("version_id")
        batch_op.drop_column("model_version")
        batch_op.drop_column("probability")

    # InnoDB refuses to drop the index behind a foreign key; DROP TABLE takes the indexes with it.
    if not _on_mysql():
        with op.batch_alter_table("loginattempt", schema=None) as batch_op:
            batch_op.drop_index(batch_op.f("ix_loginattempt_user_id"))
            batch_op.drop_index("ix_loginattempt_email_created_at")

    op.drop_table("loginattempt")
    if not _on_mysql():
        with op.batch_alter_table("auditlog", schema=None) as batch_op:
            batch_op.drop_index(batch_op.f("ix_auditlog_user_id"))
            batch_op.drop_index("ix_auditlog_entity_entity_id")
            batch_op.drop_index(batch_op.f("ix_auditlog_created_at"))
            batch_op.drop_index(batch_op.f("ix_auditlog_action"))

    op.drop_table("auditlog")
