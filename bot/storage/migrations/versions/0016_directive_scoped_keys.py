"""Several directives: where a directive came from, its retirement, scoped duty keys.

`directives.origin` is "pack" for a directive seeded from data/directives and
"published" for one published from the command line or chat (seeding never retires
those); `retired_at` marks a directive kept for history only. Outbox rows and snoozes
name their duty by its key across directives ("06-CT-UBND-2019:1.a-1"): rows written
before name a plain duty id, which is the directive's that holds it (the first by
position when several do), so exactly-once sending and snoozes carry over.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-10
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCOPED_TABLES = ("outbox", "snoozes")


def _owner(table: str) -> str:
    return (
        "(SELECT d.directive_id FROM duties d JOIN directives r ON r.id = d.directive_id"
        f" WHERE d.id = {table}.duty_id ORDER BY r.position, r.id LIMIT 1)"
    )


def upgrade() -> None:
    with op.batch_alter_table("directives") as batch:
        batch.add_column(sa.Column("origin", sa.String(), nullable=False, server_default="pack"))
        batch.add_column(sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True))
    for table in SCOPED_TABLES:
        op.execute(
            f"UPDATE {table} SET duty_id = {_owner(table)} || ':' || duty_id"
            " WHERE duty_id IN (SELECT id FROM duties)"
        )


def downgrade() -> None:
    find = "instr" if op.get_bind().dialect.name == "sqlite" else "strpos"
    for table in SCOPED_TABLES:
        op.execute(
            f"UPDATE {table} SET duty_id = substr(duty_id, {find}(duty_id, ':') + 1)"
            " WHERE duty_id LIKE '%:%'"
        )
    with op.batch_alter_table("directives") as batch:
        batch.drop_column("retired_at")
        batch.drop_column("origin")
