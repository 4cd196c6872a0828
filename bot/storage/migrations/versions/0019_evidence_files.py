"""Evidence files kept in the database (`evidence_files`), and the report's link to its
file (`progress_reports.evidence_number`). Reports made before keep only the channel's
file id: their files cannot be opened elsewhere, and nothing here can fetch them.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "evidence_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("media_type", sa.String(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name="fk_evidence_files_agency_id_agencies"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_evidence_files_user_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_evidence_files"),
        sqlite_autoincrement=True,  # numbers never reused (PostgreSQL's sequence neither)
    )
    with op.batch_alter_table("progress_reports") as batch:
        batch.add_column(sa.Column("evidence_number", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_progress_reports_evidence_number_evidence_files",
            "evidence_files",
            ["evidence_number"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("progress_reports") as batch:
        batch.drop_constraint(
            "fk_progress_reports_evidence_number_evidence_files", type_="foreignkey"
        )
        batch.drop_column("evidence_number")
    op.drop_table("evidence_files")
