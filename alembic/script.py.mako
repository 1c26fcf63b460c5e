"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

from desktop.db import stash  # keeps aside what a downgrade drops (alembic/env.py: on the path)
${imports if imports else ""}
revision: str = ${repr(up_revision)}
down_revision: str | Sequence[str] | None = ${repr(down_revision)}
branch_labels: str | Sequence[str] | None = ${repr(branch_labels)}
depends_on: str | Sequence[str] | None = ${repr(depends_on)}

#: Tables ("table") and columns ("table.column") a downgrade of this revision drops: their data is
#: kept aside in stash tables (desktop/db/stash.py) and put back when the revision is applied again;
#: the Database tools dialog and `clinicdesk db downgrade` name them before asking to confirm.
DOWNGRADE_DROPS: tuple[str, ...] = ()


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}
    stash.restore(op, revision, DOWNGRADE_DROPS)


def downgrade() -> None:
    stash.keep(op, revision, DOWNGRADE_DROPS)
    ${downgrades if downgrades else "pass"}
