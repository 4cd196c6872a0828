"""Offered choices (typed answers to buttons) and questions typed inside a dialog.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "offered_choices",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("numbers_are_values", sa.Boolean(), nullable=False),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_offered_choices_user_id_users"),
        sa.PrimaryKeyConstraint("user_id", name="pk_offered_choices"),
    )
    with op.batch_alter_table("question_logs") as batch:
        batch.add_column(
            sa.Column("in_dialog", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("question_logs") as batch:
        batch.drop_column("in_dialog")
    op.drop_table("offered_choices")
