"""Initial schema: directive knowledge, FAQ, users, progress reports, question log.

Revision ID: 0001
Revises:
Create Date: 2025-11-25

Written by hand to match bot/storage/models.py as of this revision (a test compares
the migrated database with the models on SQLite and PostgreSQL). Types are frozen
here on purpose: later model changes need a new revision, not an edit of this one.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "directives",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("number", sa.String(), nullable=False),
        sa.Column("doc_type", sa.String(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("issued", sa.Date(), nullable=False),
        sa.Column("effective", sa.Date(), nullable=False),
        sa.Column("issuer", sa.String(), nullable=False),
        sa.Column("place", sa.String(), nullable=False),
        sa.Column("signer_name", sa.String(), nullable=False),
        sa.Column("signer_title", sa.String(), nullable=False),
        sa.Column("signing_capacity", sa.String(), nullable=False),
        sa.Column("source_text", sa.Text(), nullable=False),
        sa.Column("cites", sa.JSON(), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_directives"),
    )
    op.create_table(
        "agencies",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("short_name", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("level", sa.String(), nullable=False),
        sa.Column("member_levels", sa.JSON(), nullable=False),
        sa.Column("member_kinds", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            _one_of(
                "kind",
                (
                    "department",
                    "agency",
                    "media",
                    "district",
                    "commune",
                    "committee",
                    "central",
                    "group",
                ),
            ),
            name="ck_agencies_kind",
        ),
        sa.CheckConstraint(
            _one_of("level", ("province", "district", "commune", "central")),
            name="ck_agencies_level",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_agencies"),
    )
    op.create_table(
        "agency_aliases",
        sa.Column("agency_id", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("alias", sa.String(), nullable=False),
        sa.Column("folded", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name="fk_agency_aliases_agency_id_agencies"
        ),
        sa.PrimaryKeyConstraint("agency_id", "position", name="pk_agency_aliases"),
    )
    op.create_index("ix_agency_aliases_folded", "agency_aliases", ["folded"])
    op.create_table(
        "clauses",
        sa.Column("directive_id", sa.String(), nullable=False),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("label", sa.String(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("parent", sa.String(), nullable=True),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["directive_id"], ["directives.id"], name="fk_clauses_directive_id_directives"
        ),
        sa.PrimaryKeyConstraint("directive_id", "id", name="pk_clauses"),
    )
    op.create_table(
        "duties",
        sa.Column("directive_id", sa.String(), nullable=False),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("clause", sa.String(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("timing_kind", sa.String(), nullable=False),
        sa.Column("timing_due", sa.Date(), nullable=True),
        sa.Column("timing_recurrence", sa.String(), nullable=True),
        sa.Column("timing_text", sa.Text(), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("effective_due", sa.Date(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            _one_of("timing_kind", ("deadline", "recurring", "continuous")),
            name="ck_duties_timing_kind",
        ),
        sa.CheckConstraint(
            "timing_recurrence IS NULL OR " + _one_of("timing_recurrence", ("quarterly", "annual")),
            name="ck_duties_timing_recurrence",
        ),
        sa.ForeignKeyConstraint(
            ["directive_id"], ["directives.id"], name="fk_duties_directive_id_directives"
        ),
        sa.PrimaryKeyConstraint("directive_id", "id", name="pk_duties"),
    )
    op.create_table(
        "duty_agencies",
        sa.Column("directive_id", sa.String(), nullable=False),
        sa.Column("duty_id", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.String(), nullable=False),
        sa.CheckConstraint(
            _one_of("role", ("addressee", "lead", "coordinate", "via")),
            name="ck_duty_agencies_role",
        ),
        sa.ForeignKeyConstraint(
            ["directive_id", "duty_id"],
            ["duties.directive_id", "duties.id"],
            name="fk_duty_agencies_directive_id_duty_id_duties",
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name="fk_duty_agencies_agency_id_agencies"
        ),
        sa.PrimaryKeyConstraint(
            "directive_id", "duty_id", "role", "position", name="pk_duty_agencies"
        ),
    )
    op.create_index("ix_duty_agencies_agency_id", "duty_agencies", ["agency_id"])
    op.create_table(
        "topics",
        sa.Column("directive_id", sa.String(), nullable=False),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("clauses", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["directive_id"], ["directives.id"], name="fk_topics_directive_id_directives"
        ),
        sa.PrimaryKeyConstraint("directive_id", "id", name="pk_topics"),
    )
    op.create_table(
        "figures",
        sa.Column("directive_id", sa.String(), nullable=False),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("label", sa.String(), nullable=False),
        sa.Column("value", sa.String(), nullable=False),
        sa.Column("unit", sa.String(), nullable=False),
        sa.Column("clause", sa.String(), nullable=False),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("parent", sa.String(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["directive_id"], ["directives.id"], name="fk_figures_directive_id_directives"
        ),
        sa.PrimaryKeyConstraint("directive_id", "id", name="pk_figures"),
    )
    op.create_table(
        "faq_entries",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("alternates", sa.JSON(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("clauses", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_faq_entries"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("channel_user_id", sa.String(), nullable=False),
        sa.Column("display_name", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("agency_id", sa.String(), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.CheckConstraint(_one_of("role", ("official", "manager", "admin")), name="ck_users_role"),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name="fk_users_agency_id_agencies"),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("channel", "channel_user_id", name="uq_users_channel_channel_user_id"),
    )
    op.create_table(
        "progress_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("directive_id", sa.String(), nullable=False),
        sa.Column("duty_id", sa.String(), nullable=False),
        sa.Column("agency_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=False),
        sa.Column("blockers", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("evidence_ref", sa.String(), nullable=True),
        sa.Column("evidence_date", sa.Date(), nullable=True),
        sa.Column("evidence_file_id", sa.String(), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.CheckConstraint(
            _one_of("status", ("not_started", "in_progress", "done", "blocked")),
            name="ck_progress_reports_status",
        ),
        sa.CheckConstraint("percent >= 0 AND percent <= 100", name="ck_progress_reports_percent"),
        sa.ForeignKeyConstraint(
            ["directive_id", "duty_id"],
            ["duties.directive_id", "duties.id"],
            name="fk_progress_reports_directive_id_duty_id_duties",
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name="fk_progress_reports_agency_id_agencies"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_progress_reports_user_id_users"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_progress_reports"),
    )
    op.create_index(
        "ix_progress_reports_agency_duty_created",
        "progress_reports",
        ["agency_id", "directive_id", "duty_id", "created_at"],
    )
    op.create_table(
        "question_logs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("normalized", sa.Text(), nullable=False),
        sa.Column("intent", sa.String(), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("entities", sa.JSON(), nullable=False),
        sa.Column("answer_kind", sa.String(), nullable=True),
        sa.Column("reply", sa.Text(), nullable=False),
        sa.Column("citations", sa.JSON(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_question_logs_user_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_question_logs"),
    )
    op.create_index("ix_question_logs_created_at", "question_logs", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_question_logs_created_at", table_name="question_logs")
    op.drop_table("question_logs")
    op.drop_index("ix_progress_reports_agency_duty_created", table_name="progress_reports")
    op.drop_table("progress_reports")
    op.drop_table("users")
    op.drop_table("faq_entries")
    op.drop_table("figures")
    op.drop_table("topics")
    op.drop_index("ix_duty_agencies_agency_id", table_name="duty_agencies")
    op.drop_table("duty_agencies")
    op.drop_table("duties")
    op.drop_table("clauses")
    op.drop_index("ix_agency_aliases_folded", table_name="agency_aliases")
    op.drop_table("agency_aliases")
    op.drop_table("agencies")
    op.drop_table("directives")
