"""The period a recurring duty's done report settles, decided when it is saved (a late
annual report settles last year's period, and keeps settling it a year on instead of
passing for the next year's).

The column only: which period an existing report settles follows the deadline rules
and the working calendar (the application's), so the assistant fills the existing rows
when it starts (`bot.application.periods.fill_periods`), by the rule that counted them
until now.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("progress_reports") as batch:
        batch.add_column(sa.Column("period_due", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("progress_reports") as batch:
        batch.drop_column("period_due")
