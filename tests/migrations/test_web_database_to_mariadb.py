"""The earlier web version's SQLite database becomes a MariaDB clinic server database, every row kept.

Through the commands a maintainer types: ``db migrate`` on the web version's file, ``db copy-to`` the
MariaDB database, ``db status`` there. Then on MariaDB a downgrade, step by step to base, keeps at each
revision every row the older schema can hold, and the upgrade back to head gives back every row and
value (what the older schemas could not hold was kept aside in stash tables) in the same schema.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from desktop.cli import main
from desktop.db import fingerprint, migrate
from desktop.services import copy_database as cd
from tests.fixtures.web_database import make_web_database
from tests.revisions import REVISIONS

pytestmark = pytest.mark.mariadb


def rows(url: str) -> dict[str, list[dict[str, object]]]:
    """Every row of every ClinicDesk table present, ordered by primary key, read through the models'
    types, restricted to the columns the database has (an older schema has fewer)."""
    engine = sa.create_engine(url)
    out: dict[str, list[dict[str, object]]] = {}
    try:
        with engine.connect() as conn:
            present = set(sa.inspect(conn).get_table_names())
            for table in cd.tables_in_copy_order():
                if table.name not in present:
                    continue
                names = {c["name"] for c in sa.inspect(conn).get_columns(table.name)}
                columns = [c for c in table.columns if c.name in names]
                query = sa.select(*columns).order_by(*table.primary_key.columns)
                out[table.name] = [dict(r) for r in conn.execute(query).mappings()]
    finally:
        engine.dispose()
    return out


def test_web_sqlite_database_to_mariadb_and_down_and_up(
    tmp_path: Path, mariadb_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    web = f"sqlite:///{tmp_path / 'web.db'}"
    make_web_database(web, "d24a4742aa81")
    assert main(["db", "migrate", "--database-url", web]) == 0
    assert main(["db", "copy-to", mariadb_url, "--database-url", web]) == 0

    assert main(["db", "status", "--database-url", mariadb_url]) == 0
    assert migrate.status(mariadb_url).at_head
    assert "c7e5d1f0a9b3" in capsys.readouterr().out
    copied = rows(mariadb_url)
    assert copied == rows(web)
    assert len(copied["user"]) == 2 and len(copied["medicalrecord"]) == 3
    assert len(copied["breastcancerprediction"]) == 1 and len(copied["familyhistory"]) == 1
    assert fingerprint.check(mariadb_url).matches and migrate.drift(mariadb_url) == []

    # Down one revision at a time: the tables each older schema has keep every row (of its columns).
    for index in range(len(REVISIONS) - 1, 0, -1):
        assert migrate.downgrade(mariadb_url).after == REVISIONS[index - 1]
        kept = rows(mariadb_url)
        assert kept and set(kept) <= set(copied)  # an index-only revision keeps every table
        for table, values in kept.items():
            if not values:  # a table the copy left empty (the audit log of a fresh copy, say)
                assert not copied[table], table
                continue
            names = values[0].keys()
            expected = [{name: row[name] for name in names} for row in copied[table]]
            older = index - 1 < REVISIONS.index("e4b7a2c9d5f1")
            if older and "role" in names and table == "user":  # they call every non-admin "user"
                expected = [
                    {**row, "role": "admin" if row["role"] == "admin" else "user"} for row in expected
                ]
            assert values == expected, table
        assert fingerprint.check(mariadb_url).matches
    assert main(["db", "downgrade", "base", "--yes", "--database-url", mariadb_url]) == 0
    assert migrate.status(mariadb_url).current is None

    assert main(["db", "migrate", "--database-url", mariadb_url]) == 0
    assert migrate.status(mariadb_url).at_head
    assert migrate.drift(mariadb_url) == [] and fingerprint.check(mariadb_url).matches
    back = rows(mariadb_url)
    # Every row is back; the audit log has, after its own, the entries of the downgrade and upgrade.
    added = back["auditlog"][len(copied["auditlog"]) :]
    assert back["auditlog"][: len(copied["auditlog"])] == copied["auditlog"]
    assert added and {row["action"] for row in added} == {"migration"}
    assert {t: v for t, v in back.items() if t != "auditlog"} == {
        t: v for t, v in copied.items() if t != "auditlog"
    }
    engine = sa.create_engine(mariadb_url)
    try:
        with engine.connect() as conn:
            assert not [t for t in sa.inspect(conn).get_table_names() if t.startswith("clinicdesk_")]
    finally:
        engine.dispose()
