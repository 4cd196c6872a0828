"""Invite codes, dialog states and stored button payloads.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

USER_ROLES = ("official", "manager", "admin")


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "invite_codes",
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("agency_id", sa.String(), sa.ForeignKey("agencies.id"), nullable=True),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("expires_at", _utc(), nullable=False),
        sa.Column("used_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("used_at", _utc(), nullable=True),
        sa.PrimaryKeyConstraint("code"),
        sa.CheckConstraint(
            "role IN (" + ", ".join(repr(r) for r in USER_ROLES) + ")", name="ck_invite_codes_role"
        ),
    )
    op.create_table(
        "dialog_states",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("dialog", sa.String(), nullable=False),
        sa.Column("step", sa.String(), nullable=False),
        sa.Column("token", sa.String(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "button_payloads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("payload"),
    )


def downgrade() -> None:
    op.drop_table("button_payloads")
    op.drop_table("dialog_states")
    op.drop_table("invite_codes")
