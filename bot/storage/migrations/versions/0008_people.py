"""One person, several chat accounts: users.person_id and users.preferred; link codes.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMNs, no batch mode and so no foreign key on person_id: on SQLite a
    # batch copies and drops `users`, which every other table references (the drop fails
    # once they hold rows), and SQLite cannot add a constraint to a table.
    op.add_column("users", sa.Column("person_id", sa.Integer(), nullable=True))
    op.add_column(
        "users", sa.Column("preferred", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.create_index("ix_users_person_id", "users", ["person_id"])
    op.create_table(
        "link_codes",
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["users.id"], name="fk_link_codes_person_id_users"),
        sa.PrimaryKeyConstraint("code", name="pk_link_codes"),
    )


def downgrade() -> None:
    op.drop_table("link_codes")
    op.drop_index("ix_users_person_id", table_name="users")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("preferred")
        batch.drop_column("person_id")
