"""patients and clinic roles with the chart access log

The ``user`` row becomes a patient or a member of staff:
- roles patient / reception / clinician / admin (every stored ``user`` becomes ``patient``);
- date of birth, administrative gender (FHIR codes, ``unknown`` until recorded), family and given
  names when known, the MRN (unique; every existing patient gets one, ``000001`` upwards in order of
  registration), the allergy statement (``recorded`` where the allergies text is filled in, else
  ``not_recorded``: nobody has stated "no known allergies" yet) and the search keys;
- e-mail becomes optional (most patients never sign in);
- ``created_by`` on medical records, family history and predictions, and on predictions the full
  sha256 of the model file that produced them (``model_sha256``);
- the ``accesslog`` table: who opened whose chart, and when;
- the ``patientsearchtoken`` table: the words (and phone digits) each patient is found by, derived
  from ``user`` (a downgrade drops it, the upgrade rebuilds it).

Downgrade keeps what the older schema can hold; the dropped tables and columns are kept aside in
stash tables (desktop/db/stash.py) and the next upgrade puts them back:
- patients without e-mail get the placeholder ``<id>@no-email.invalid`` (the older schema requires a
  unique e-mail; ``.invalid`` can never be a real address, and their empty password means they still
  cannot sign in); the upgrade turns the placeholder back into "no e-mail" unless it was changed;
- patients, reception and clinicians are stored as ``user`` (the older program's ordinary account:
  nobody gains rights); reception and clinician roles wait in their own stash and come back on upgrade
  unless an admin promoted the account meanwhile;
- an allergy statement comes back unless the older program filled in the allergies text meanwhile
  (then it reads ``recorded``).

Revision ID: e4b7a2c9d5f1
Revises: c7e5d1f0a9b3
Create Date: 2026-11-29 18:40:00

"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from desktop.db import stash  # keeps aside what a downgrade drops (alembic/env.py: on the path)

revision: str = "e4b7a2c9d5f1"
down_revision: str | Sequence[str] | None = "c7e5d1f0a9b3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NO_EMAIL_DOMAIN = "@no-email.invalid"
MEDICAL_TABLES = ("medicalrecord", "familyhistory", "breastcancerprediction")
PREDICTIONS = "breastcancerprediction"

#: Tables / columns a downgrade of this revision drops: their data is kept aside in stash tables
#: (desktop/db/stash.py) and put back by the next upgrade; named before confirming a downgrade.
#: ``patientsearchtoken`` and the search keys are derived from the names and phones: rebuilt instead.
DOWNGRADE_DROPS = (
    "accesslog",
    "user.family_name",
    "user.given_names",
    "user.date_of_birth",
    "user.sex",
    "user.mrn",
    "user.allergy_status",
    "user.allergies_checked_on",
    "medicalrecord.created_by",
    "familyhistory.created_by",
    "breastcancerprediction.created_by",
    "breastcancerprediction.model_sha256",
)
#: The column kept aside under :data:`ROLES`: the older schema keeps ``role`` but knows only user/admin.
ROLE_DROPS = ("user.role",)
ROLES = f"{revision}_roles"
STAFF_ROLES = ("reception", "clinician")


def _key(length: int = 64) -> sa.types.TypeEngine[str]:
    """VARCHAR without a length, except on MySQL / MariaDB, where key and indexed columns need one."""
    return sa.String().with_variant(sa.String(length=length), "mysql", "mariadb")


_user = sa.table(
    "user",
    sa.column("id", sa.String),
    sa.column("name", sa.String),
    sa.column("email", sa.String),
    sa.column("phone", sa.String),
    sa.column("role", sa.String),
    sa.column("allergies", sa.String),
    sa.column("created_at", sa.DateTime),
    sa.column("family_name", sa.String),
    sa.column("given_names", sa.String),
    sa.column("date_of_birth", sa.Date),
    sa.column("sex", sa.String),
    sa.column("mrn", sa.String),
    sa.column("allergy_status", sa.String),
    sa.column("allergies_checked_on", sa.Date),
    sa.column("name_key", sa.String),
    sa.column("phone_key", sa.String),
)


# A revision is a frozen snapshot: the search-key rules are copied here (as the program had them when
# this revision was written) rather than imported from desktop code that may change later.
def _name_key(name: str | None) -> str:
    folded = "".join(c for c in unicodedata.normalize("NFKD", name or "") if not unicodedata.combining(c))
    return "".join(f" {w}" for w in re.findall(r"[^\W_]+", folded.casefold()))[:200]


def _sort_key(name: str | None, family_name: str | None, given_names: str | None) -> str:
    """Family name first when it is known (what the program stores as ``name_key``)."""
    return _name_key(f"{family_name} {given_names or ''}" if family_name else name)


def _phone_key(phone: str | None) -> str:
    return "".join(c for c in (phone or "") if c.isdigit())[:40]


def _tokens(name_key: str, phone_key: str) -> set[str]:
    tokens = {word[:40] for word in name_key.split()}
    for skip in range(4):
        if len(phone_key[skip:]) >= 4:
            tokens.add(f"#{phone_key[skip:]}"[:40])
    return tokens


_token = sa.table("patientsearchtoken", sa.column("token", sa.String), sa.column("user_id", sa.String))


def _fill_tokens(conn: sa.Connection) -> None:
    rows = conn.execute(
        sa.select(_user.c.id, _user.c.name_key, _user.c.phone_key).where(_user.c.role == "patient")
    ).all()
    values = [
        {"token": t, "user_id": row.id} for row in rows for t in sorted(_tokens(row.name_key, row.phone_key))
    ]
    for start in range(0, len(values), 5000):
        conn.execute(sa.insert(_token), values[start : start + 5000])


def upgrade() -> None:
    op.create_table(
        "accesslog",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("user_id", _key(), nullable=True),
        sa.Column("patient_id", _key(), nullable=False),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("detail", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["user.id"], name=op.f("fk_accesslog_patient_id_user")),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_accesslog_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accesslog")),
    )
    with op.batch_alter_table("accesslog", schema=None) as batch_op:
        batch_op.create_index(
            "ix_accesslog_patient_id_created_at", ["patient_id", "created_at"], unique=False
        )
        batch_op.create_index("ix_accesslog_user_id_created_at", ["user_id", "created_at"], unique=False)

    for table in MEDICAL_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("created_by", _key(), nullable=True))
            batch_op.create_index(batch_op.f(f"ix_{table}_created_by"), ["created_by"], unique=False)
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_created_by_user"), "user", ["created_by"], ["id"]
            )
            if table == PREDICTIONS:
                batch_op.add_column(sa.Column("model_sha256", sa.String(length=64), nullable=True))

    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_user_role"), type_="check")
        batch_op.alter_column("email", existing_type=_key(320), nullable=True)
        batch_op.alter_column("role", existing_type=sa.String(length=20), server_default="patient")
        batch_op.add_column(sa.Column("family_name", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("given_names", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("date_of_birth", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("sex", sa.String(length=10), server_default="unknown", nullable=False))
        batch_op.add_column(sa.Column("mrn", sa.String(length=20), nullable=True))
        batch_op.add_column(
            sa.Column("allergy_status", sa.String(length=20), server_default="not_recorded", nullable=False)
        )
        batch_op.add_column(sa.Column("allergies_checked_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("name_key", sa.String(length=200), server_default="", nullable=False))
        batch_op.add_column(sa.Column("phone_key", sa.String(length=40), server_default="", nullable=False))

    conn = op.get_bind()
    conn.execute(sa.update(_user).where(_user.c.role == "user").values(role="patient"))
    _give_back_staff_roles(conn)
    conn.execute(sa.update(_user).where(_user.c.email == _user.c.id + NO_EMAIL_DOMAIN).values(email=None))
    stash.restore(op, revision, DOWNGRADE_DROPS)
    _fill_new_user_columns(conn)
    _number_patients(conn)
    op.create_table(
        "patientsearchtoken",
        sa.Column("token", sa.String(length=40), nullable=False),
        sa.Column("user_id", _key(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_patientsearchtoken_user_id_user")),
        sa.PrimaryKeyConstraint("token", "user_id", name=op.f("pk_patientsearchtoken")),
    )
    with op.batch_alter_table("patientsearchtoken", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_patientsearchtoken_user_id"), ["user_id"], unique=False)
    _fill_tokens(conn)

    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.create_check_constraint(
            batch_op.f("ck_user_role"), "role IN ('patient', 'reception', 'clinician', 'admin')"
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_user_sex"), "sex IN ('male', 'female', 'other', 'unknown')"
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_user_allergy_status"),
            "allergy_status IN ('not_recorded', 'none_known', 'recorded')",
        )
        batch_op.create_unique_constraint(batch_op.f("uq_user_mrn"), ["mrn"])
        batch_op.create_index(batch_op.f("ix_user_date_of_birth"), ["date_of_birth"], unique=False)
        batch_op.create_index(batch_op.f("ix_user_name_key"), ["name_key"], unique=False)
        batch_op.create_index("ix_user_created_at", ["created_at"], unique=False)


def _fill_new_user_columns(conn: sa.Connection) -> None:
    """Search keys for every row; an allergies text makes the statement ``recorded`` (whatever a
    downgrade kept aside: the older program may have filled it in meanwhile)."""
    rows = conn.execute(
        sa.select(
            _user.c.id,
            _user.c.name,
            _user.c.family_name,
            _user.c.given_names,
            _user.c.phone,
            _user.c.allergies,
            _user.c.allergy_status,
        )
    ).all()
    values = [
        {
            "key": row.id,
            "nk": _sort_key(row.name, row.family_name, row.given_names),
            "pk": _phone_key(row.phone),
            "st": "recorded" if (row.allergies or "").strip() else row.allergy_status,
        }
        for row in rows
    ]
    if values:
        conn.execute(
            sa.update(_user)
            .where(_user.c.id == sa.bindparam("key"))
            .values(
                name_key=sa.bindparam("nk"), phone_key=sa.bindparam("pk"), allergy_status=sa.bindparam("st")
            ),
            values,
        )


def _number_patients(conn: sa.Connection) -> None:
    """Give every patient without an MRN the next free number, in order of registration."""
    used = {m for (m,) in conn.execute(sa.select(_user.c.mrn).where(_user.c.mrn.is_not(None)))}
    missing = conn.execute(
        sa.select(_user.c.id)
        .where(_user.c.role == "patient", _user.c.mrn.is_(None))
        .order_by(_user.c.created_at, _user.c.id)
    ).scalars()
    number = 0
    values = []
    for user_id in list(missing):
        number += 1
        while f"{number:06d}" in used:
            number += 1
        values.append({"key": user_id, "number": f"{number:06d}"})
    if values:
        conn.execute(
            sa.update(_user).where(_user.c.id == sa.bindparam("key")).values(mrn=sa.bindparam("number")),
            values,
        )


def _give_back_staff_roles(conn: sa.Connection) -> None:
    """Reception and clinician accounts a downgrade stored as ``user`` get their role back, unless an
    administrator promoted them in the older program meanwhile."""
    name = stash.stash_table_name(ROLES, "user")
    if op.get_context().as_sql or not sa.inspect(conn).has_table(name):
        return
    kept = sa.Table(name, sa.MetaData(), autoload_with=conn)
    for role in STAFF_ROLES:
        staff = sa.select(kept.c.id).where(kept.c.role == role)
        conn.execute(
            sa.update(_user).where(_user.c.role == "patient", _user.c.id.in_(staff)).values(role=role)
        )
    kept.drop(conn)


def downgrade() -> None:
    stash.keep(op, revision, DOWNGRADE_DROPS)
    stash.keep(op, ROLES, ROLE_DROPS)
    op.drop_table("patientsearchtoken")

    # The role CHECK of this revision refuses "user": drop it before storing the older values.
    conn = op.get_bind()
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_user_role"), type_="check")
    conn.execute(sa.update(_user).where(_user.c.email.is_(None)).values(email=_user.c.id + NO_EMAIL_DOMAIN))
    conn.execute(sa.update(_user).where(_user.c.role != "admin").values(role="user"))

    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_index("ix_user_created_at")
        batch_op.drop_index(batch_op.f("ix_user_name_key"))
        batch_op.drop_index(batch_op.f("ix_user_date_of_birth"))
        batch_op.drop_constraint(batch_op.f("uq_user_mrn"), type_="unique")
        batch_op.drop_constraint(batch_op.f("ck_user_allergy_status"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_user_sex"), type_="check")
        for column in (
            "phone_key",
            "name_key",
            "allergies_checked_on",
            "allergy_status",
            "mrn",
            "sex",
            "date_of_birth",
            "given_names",
            "family_name",
        ):
            batch_op.drop_column(column)
        batch_op.alter_column("role", existing_type=sa.String(length=20), server_default="user")
        batch_op.alter_column("email", existing_type=_key(320), nullable=False)
        batch_op.create_check_constraint(batch_op.f("ck_user_role"), "role IN ('user', 'admin')")

    for table in reversed(MEDICAL_TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"fk_{table}_created_by_user"), type_="foreignkey")
            batch_op.drop_index(batch_op.f(f"ix_{table}_created_by"))
            batch_op.drop_column("created_by")
            if table == PREDICTIONS:
                batch_op.drop_column("model_sha256")

    # Dropping the table drops its indexes (InnoDB refuses to drop one a foreign key still uses).
    op.drop_table("accesslog")
