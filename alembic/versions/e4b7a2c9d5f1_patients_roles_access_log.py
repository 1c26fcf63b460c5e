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

Downgrade keeps everything the older schema can hold and sets the rest aside in the table
``clinicdesk_stash_e4b7a2c9d5f1`` (one JSON row per user / medical row / access-log row), from which
the next upgrade restores it and then drops it:
- patients without e-mail get the placeholder ``<id>@no-email.invalid`` (the older schema requires a
  unique e-mail; ``.invalid`` can never be a real address, and their empty password means they still
  cannot sign in); the upgrade turns the placeholder back into "no e-mail" unless it was changed;
- patients, reception and clinicians are stored as ``user`` (the older program's ordinary account:
  nobody gains rights), their real role is restored on upgrade unless an admin promoted them meanwhile;
- a ``created_by`` (and a prediction's ``model_sha256``) is restored only onto the same row (same id
  and creation time), so a row the older program deleted and reused the id of does not inherit
  another author or model.

Revision ID: e4b7a2c9d5f1
Revises: c7e5d1f0a9b3
Create Date: 2026-11-29 18:40:00

"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "e4b7a2c9d5f1"
down_revision: str | Sequence[str] | None = "c7e5d1f0a9b3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STASH = "clinicdesk_stash_e4b7a2c9d5f1"
NO_EMAIL_DOMAIN = "@no-email.invalid"
MEDICAL_TABLES = ("medicalrecord", "familyhistory", "breastcancerprediction")
PREDICTIONS = "breastcancerprediction"

#: Nothing is lost by a downgrade of this revision: what the older schema cannot hold waits in STASH.
DOWNGRADE_DROPS: tuple[str, ...] = ()

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
_stash = sa.table(
    STASH,
    sa.column("id", sa.Integer),
    sa.column("source", sa.String),
    sa.column("row_key", sa.String),
    sa.column("data", sa.Text),
)
_access = sa.table(
    "accesslog",
    sa.column("id", sa.Integer),
    sa.column("created_at", sa.DateTime),
    sa.column("user_id", sa.String),
    sa.column("patient_id", sa.String),
    sa.column("action", sa.String),
    sa.column("detail", sa.String),
)


def _medical(name: str) -> Any:
    extra = (sa.column("model_sha256", sa.String),) if name == PREDICTIONS else ()
    return sa.table(
        name,
        sa.column("id", sa.Integer),
        sa.column("created_at", sa.DateTime),
        sa.column("created_by", sa.String),
        *extra,
    )


# A revision is a frozen snapshot: the search-key rules are copied here (as the program had them when
# this revision was written) rather than imported from desktop code that may change later.
def _name_key(name: str | None) -> str:
    folded = "".join(c for c in unicodedata.normalize("NFKD", name or "") if not unicodedata.combining(c))
    return "".join(f" {w}" for w in re.findall(r"[^\W_]+", folded.casefold()))[:200]


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
        sa.Column("user_id", sa.String(), nullable=True),
        sa.Column("patient_id", sa.String(), nullable=False),
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
            batch_op.add_column(sa.Column("created_by", sa.String(), nullable=True))
            batch_op.create_index(batch_op.f(f"ix_{table}_created_by"), ["created_by"], unique=False)
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_created_by_user"), "user", ["created_by"], ["id"]
            )
            if table == PREDICTIONS:
                batch_op.add_column(sa.Column("model_sha256", sa.String(length=64), nullable=True))

    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_user_role"), type_="check")
        batch_op.alter_column("email", existing_type=sa.String(), nullable=True)
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
    _fill_new_user_columns(conn)
    if sa.inspect(conn).has_table(STASH):
        _restore_from_stash(conn)
        op.drop_table(STASH)
    _number_patients(conn)
    op.create_table(
        "patientsearchtoken",
        sa.Column("token", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
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
    rows = conn.execute(sa.select(_user.c.id, _user.c.name, _user.c.phone, _user.c.allergies)).all()
    values = [
        {
            "key": row.id,
            "nk": _name_key(row.name),
            "pk": _phone_key(row.phone),
            "st": "recorded" if (row.allergies or "").strip() else "not_recorded",
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


def _restore_from_stash(conn: sa.Connection) -> None:
    current = {r.id: r for r in conn.execute(sa.select(_user))}
    taken = {r.mrn for r in current.values() if r.mrn}
    for source, key, data in conn.execute(
        sa.select(_stash.c.source, _stash.c.row_key, _stash.c.data).order_by(_stash.c.id)
    ):
        values = json.loads(data)
        if source == "user" and key in current:
            row = current[key]
            update: dict[str, Any] = {
                "family_name": values["family_name"],
                "given_names": values["given_names"],
                "date_of_birth": _date(values["date_of_birth"]),
                "sex": values["sex"],
                "allergies_checked_on": _date(values["allergies_checked_on"]),
            }
            if values["mrn"] and values["mrn"] not in taken:
                update["mrn"] = values["mrn"]
                taken.add(values["mrn"])
            if not (row.allergies or "").strip():
                update["allergy_status"] = values["allergy_status"]
            if values["role"] in ("reception", "clinician") and row.role == "patient":
                update["role"] = values["role"]
            if values["email_was_empty"] and row.email == key + NO_EMAIL_DOMAIN:
                update["email"] = None
            conn.execute(sa.update(_user).where(_user.c.id == key).values(**update))
        elif source in MEDICAL_TABLES:
            table = _medical(source)
            row_id = int(key)
            created = conn.execute(sa.select(table.c.created_at).where(table.c.id == row_id)).scalar()
            if created is not None and str(created) == values["created_at"]:
                restored = {"created_by": values["created_by"]} if values["created_by"] in current else {}
                if values.get("model_sha256"):
                    restored["model_sha256"] = values["model_sha256"]
                if restored:
                    conn.execute(sa.update(table).where(table.c.id == row_id).values(**restored))
        elif source == "accesslog" and values["patient_id"] in current:
            conn.execute(
                sa.insert(_access).values(
                    created_at=_datetime(values["created_at"]),
                    user_id=values["user_id"] if values["user_id"] in current else None,
                    patient_id=values["patient_id"],
                    action=values["action"],
                    detail=values["detail"],
                )
            )


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _datetime(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


def downgrade() -> None:
    conn = op.get_bind()
    with op.batch_alter_table("patientsearchtoken", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_patientsearchtoken_user_id"))
    op.drop_table("patientsearchtoken")
    op.create_table(
        STASH,
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source", sa.String(length=50), nullable=False),
        sa.Column("row_key", sa.String(length=64), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
    )
    stash: list[dict[str, str]] = []
    for row in conn.execute(sa.select(_user)):
        stash.append(
            {
                "source": "user",
                "row_key": row.id,
                "data": json.dumps(
                    {
                        "family_name": row.family_name,
                        "given_names": row.given_names,
                        "date_of_birth": row.date_of_birth.isoformat() if row.date_of_birth else None,
                        "sex": row.sex,
                        "mrn": row.mrn,
                        "allergy_status": row.allergy_status,
                        "allergies_checked_on": (
                            row.allergies_checked_on.isoformat() if row.allergies_checked_on else None
                        ),
                        "role": row.role,
                        "email_was_empty": row.email is None,
                    }
                ),
            }
        )
    for name in MEDICAL_TABLES:
        table = _medical(name)
        kept = table.c.created_by.is_not(None)
        if name == PREDICTIONS:
            kept = sa.or_(kept, table.c.model_sha256.is_not(None))
        for row in conn.execute(sa.select(table).where(kept)):
            data = {"created_by": row.created_by, "created_at": str(row.created_at)}
            if name == PREDICTIONS:
                data["model_sha256"] = row.model_sha256
            stash.append({"source": name, "row_key": str(row.id), "data": json.dumps(data)})
    for row in conn.execute(sa.select(_access).order_by(_access.c.id)):
        data = {
            "created_at": row.created_at.isoformat(),
            "user_id": row.user_id,
            "patient_id": row.patient_id,
            "action": row.action,
            "detail": row.detail,
        }
        stash.append({"source": "accesslog", "row_key": str(row.id), "data": json.dumps(data)})
    if stash:
        conn.execute(sa.insert(_stash), stash)

    # The role CHECK of this revision refuses "user": drop it before storing the older values.
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
        batch_op.alter_column("email", existing_type=sa.String(), nullable=False)
        batch_op.create_check_constraint(batch_op.f("ck_user_role"), "role IN ('user', 'admin')")

    for table in reversed(MEDICAL_TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"fk_{table}_created_by_user"), type_="foreignkey")
            batch_op.drop_index(batch_op.f(f"ix_{table}_created_by"))
            batch_op.drop_column("created_by")
            if table == PREDICTIONS:
                batch_op.drop_column("model_sha256")

    with op.batch_alter_table("accesslog", schema=None) as batch_op:
        batch_op.drop_index("ix_accesslog_user_id_created_at")
        batch_op.drop_index("ix_accesslog_patient_id_created_at")
    op.drop_table("accesslog")
