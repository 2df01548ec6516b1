"""Durable pipeline state: source runs (id namespaces), stored live scans, state snapshots.

- ``source_runs``: one row per source id; its number prefixes every track, incident and
  measure id the run mints, so ids never repeat in a store (issue 11, "Ids collide").
- ``source_scans``: accepted live scans, append-only, written before they are tracked
  (issue 11, "Live sources don't survive a crash").
- ``state_snapshots``: the tracker's and analyzer's state with the cursor every N scans,
  so a restart replays only the scans after it (issue 12, finding 11).

Revision ID: 0002_durable
Revises: 0001
Create Date: 2026-12-04 03:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_durable"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "source_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("t_started", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source"),
    )
    op.create_table(
        "source_scans",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("t", sa.Float(), nullable=False),
        sa.Column("detections", sa.JSON(), nullable=False),
        sa.Column("rejected", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "t", name="uq_source_scans_source_t"),
    )
    op.create_table(
        "state_snapshots",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("t", sa.Float(), nullable=False),
        sa.Column("steps", sa.Integer(), nullable=False),
        sa.Column("format", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("t_written", sa.Float(), nullable=False),
        sa.Column("blob", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("state_snapshots", schema=None) as batch_op:
        batch_op.create_index("ix_state_snapshots_source_t", ["source", "t"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("state_snapshots", schema=None) as batch_op:
        batch_op.drop_index("ix_state_snapshots_source_t")
    op.drop_table("state_snapshots")
    op.drop_table("source_scans")
    op.drop_table("source_runs")
