"""Monthly recurring duties ("định kỳ hằng tháng báo cáo ..."): the duties table's
check on `timing_recurrence` allows "monthly" beside "quarterly" and "annual".

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CHECK = "ck_duties_timing_recurrence"


def _allowing(*recurrences: str) -> str:
    listed = ", ".join(f"'{r}'" for r in recurrences)
    return f"timing_recurrence IS NULL OR timing_recurrence IN ({listed})"


def upgrade() -> None:
    with op.batch_alter_table("duties") as batch:
        batch.drop_constraint(_CHECK, type_="check")
        batch.create_check_constraint(_CHECK, _allowing("monthly", "quarterly", "annual"))


def downgrade() -> None:
    # A monthly duty cannot be kept under the old check: it becomes continuous (no
    # deadline), which is what the importer made of it before.
    op.execute(
        "UPDATE duties SET timing_kind = 'continuous', timing_recurrence = NULL "
        "WHERE timing_recurrence = 'monthly'"
    )
    with op.batch_alter_table("duties") as batch:
        batch.drop_constraint(_CHECK, type_="check")
        batch.create_check_constraint(_CHECK, _allowing("quarterly", "annual"))
