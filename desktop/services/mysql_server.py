""" "Test connection" for a MariaDB / MySQL clinic server: what the server says, in plain words.

The classification reads PyMySQL's error text: the server's error number and message (``(1045,
"Access denied for user ...")``) or, for network failures, the operating system's. MariaDB and MySQL
word these the same way. desktop/services/server_settings.py calls in here for the MySQL engine.
"""

from __future__ import annotations

import re
from typing import Protocol

from sqlalchemy import Connection

#: Oldest servers the migrations run on: MariaDB 10.5 (RENAME INDEX, enforced CHECK constraints) and
#: MySQL 8.0.16 (enforced CHECK constraints).
MIN_MARIADB = (10, 5)
MIN_MYSQL = (8, 0, 16)
DEFAULT_PORT = 3306


class _Where(Protocol):
    @property
    def host(self) -> str: ...
    @property
    def port(self) -> int: ...
    @property
    def database(self) -> str: ...
    @property
    def user(self) -> str: ...


def classify_mysql_error(text: str, settings: _Where) -> tuple[str, str]:
    """PyMySQL's message for a failed connection -> (ConnectionProblem value, plain sentence)."""
    low = text.lower()
    code_match = re.match(r"\((\d+),", text.strip())
    code = int(code_match.group(1)) if code_match else 0
    where = f"{settings.host}:{settings.port}"
    if "name or service not known" in low or "nodename nor servname" in low or "getaddrinfo" in low:
        return "host_unknown", (
            f"The server name “{settings.host}” is not known on this network. Check the spelling, or "
            "use the server's IP address."
        )
    if "connection refused" in low:
        return "refused", (
            f"Nothing answers at {where}: the server is switched off, MariaDB/MySQL is not running, or "
            f"the port is wrong (the usual port is {DEFAULT_PORT})."
        )
    if "timed out" in low or "no route to host" in low or "network is unreachable" in low:
        return "timeout", (
            f"The server at {where} cannot be reached (no answer in time). Check that this computer is on "
            "the clinic network and that a firewall is not blocking the port."
        )
    if code == 1045 and "using password: no" in low:
        return "password_required", f"The server needs a password for user “{settings.user}”."
    if code == 1045:
        return "wrong_password", (
            f"The server refused user “{settings.user}” with this password. Check the user name and the "
            "password (it is case-sensitive)."
        )
    if code == 1049:
        return "database_missing", (
            f"The server has no database named “{settings.database}”. Ask the server's administrator to "
            "create it (an empty one is fine: ClinicDesk sets it up)."
        )
    if code == 1044:
        return "not_allowed", (
            f"User “{settings.user}” may not open the database “{settings.database}”. Ask the server's "
            "administrator to grant it."
        )
    if code == 1130:
        return "not_allowed", (
            "The server does not accept connections from this computer for that user. Ask the server's "
            "administrator to allow it."
        )
    if code == 2013 or "lost connection" in low or "packet sequence" in low:
        return "not_postgresql", (
            f"Something answered at {where}, but it is not a MariaDB or MySQL server. Check the port."
        )
    first_line = text.strip().splitlines()[0] if text.strip() else "unknown error"
    return "other", f"The server could not be used: {first_line}"


def server_facts(conn: Connection) -> tuple[str, bool, bool]:
    """(product and version, e.g. "MariaDB 10.11.19"; whether it is new enough; whether the database
    holds an ``alembic_version`` table)."""
    raw = str(conn.exec_driver_sql("SELECT VERSION()").scalar_one())
    numbers = tuple(int(n) for n in re.findall(r"\d+", raw.split("-")[0])[:3])
    mariadb = "mariadb" in raw.lower()
    product = "MariaDB" if mariadb else "MySQL"
    new_enough = numbers >= (MIN_MARIADB if mariadb else MIN_MYSQL)
    has_schema = bool(
        conn.exec_driver_sql(
            "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() "
            "AND TABLE_NAME = 'alembic_version'"
        ).scalar_one()
    )
    return f"{product} {raw.split('-')[0]}", new_enough, has_schema


def minimum_text(product_version: str) -> str:
    if product_version.startswith("MariaDB"):
        return "MariaDB " + ".".join(map(str, MIN_MARIADB))
    return "MySQL " + ".".join(map(str, MIN_MYSQL))
