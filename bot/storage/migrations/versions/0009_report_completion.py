"""Progress reports: the day the work was finished, and the report a correction replaces.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("progress_reports") as batch:
        batch.add_column(sa.Column("completed_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("replaces_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_progress_reports_replaces_id_progress_reports",
            "progress_reports",
            ["replaces_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("progress_reports") as batch:
        batch.drop_constraint(
            "fk_progress_reports_replaces_id_progress_reports", type_="foreignkey"
        )
        batch.drop_column("replaces_id")
        batch.drop_column("completed_on")
