"""The directive a FAQ entry is about (none: any): with several directives in force, a
question naming one is never answered with another's FAQ («Chỉ thị 15 có hiệu lực từ
khi nào?» got 06's entry). The entries held until now were written for Directive 06
(data/faq.yaml says so), and are marked as its when it is there.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIRST = "06-CT-UBND-2019"


def upgrade() -> None:
    with op.batch_alter_table("faq_entries") as batch:
        batch.add_column(sa.Column("directive_id", sa.String(), nullable=True))
    op.execute(
        sa.text(
            "UPDATE faq_entries SET directive_id = :first "
            "WHERE EXISTS (SELECT 1 FROM directives WHERE id = :first)"
        ).bindparams(first=FIRST)
    )


def downgrade() -> None:
    with op.batch_alter_table("faq_entries") as batch:
        batch.drop_column("directive_id")
