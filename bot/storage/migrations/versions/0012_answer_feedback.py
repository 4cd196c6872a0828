"""What askers said of the Q&A's answers ("Đúng" / "Chưa đúng", with a comment).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "answer_feedback",
        sa.Column("question_log_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("verdict", sa.String(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("verdict IN ('right', 'wrong')", name="ck_answer_feedback_verdict"),
        sa.ForeignKeyConstraint(
            ["question_log_id"],
            ["question_logs.id"],
            name="fk_answer_feedback_question_log_id_question_logs",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_answer_feedback_user_id_users"),
        sa.PrimaryKeyConstraint("question_log_id", name="pk_answer_feedback"),
    )
    op.create_index(
        "ix_answer_feedback_created_at", "answer_feedback", ["created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_answer_feedback_created_at", table_name="answer_feedback")
    op.drop_table("answer_feedback")
