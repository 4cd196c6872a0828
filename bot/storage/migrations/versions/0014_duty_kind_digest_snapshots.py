"""Duties' kind (a task, or a clause that only states a responsibility), and the
counts each scope's digest showed on a day (the next digest's trend).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("duties") as batch:
        # Every stored duty is a task until the next seeding reads the pack's kinds.
        batch.add_column(sa.Column("kind", sa.String(), server_default="task", nullable=False))
        batch.create_check_constraint("ck_duties_kind", "kind IN ('task', 'responsibility')")
    op.create_table(
        "digest_snapshots",
        sa.Column("scope", sa.String(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "day", name="pk_digest_snapshots"),
    )


def downgrade() -> None:
    op.drop_table("digest_snapshots")
    with op.batch_alter_table("duties") as batch:
        batch.drop_constraint("ck_duties_kind", type_="check")
        batch.drop_column("kind")
