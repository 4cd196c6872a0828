"""Roles belong to a person, several at once; a manager's scope can be several agencies.

`users.roles` holds every role (filled from `users.role` for existing rows, which stays
the highest of them); `users.scope` the agencies a manager's digest covers (filled with
a manager's agency).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

users = sa.table(
    "users",
    sa.column("id", sa.Integer()),
    sa.column("role", sa.String()),
    sa.column("agency_id", sa.String()),
    sa.column("roles", sa.JSON()),
    sa.column("scope", sa.JSON()),
)


def upgrade() -> None:
    # add_column only (no batch copy of `users` on SQLite: other tables point at it).
    op.add_column(
        "users", sa.Column("roles", sa.JSON(), server_default=sa.text("'[]'"), nullable=False)
    )
    op.add_column(
        "users", sa.Column("scope", sa.JSON(), server_default=sa.text("'[]'"), nullable=False)
    )
    connection = op.get_bind()
    for user_id, role, agency_id in connection.execute(
        sa.select(users.c.id, users.c.role, users.c.agency_id)
    ):
        scope = [agency_id] if role == "manager" and agency_id else []
        connection.execute(
            users.update().where(users.c.id == user_id).values(roles=[role], scope=scope)
        )


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("scope")
        batch.drop_column("roles")
