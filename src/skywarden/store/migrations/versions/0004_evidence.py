"""Evidence: the hash-chained raw input records, their stamp, and the head per scan.

Issue #16, "Evidence-grade replay": every accepted raw input record is chained at
ingest (``evidence_records``), the chain head and the scan's output digests are
committed with each scan (``evidence_heads``), and the version and configuration the
chain was recorded with are kept per source (``evidence_sources``).

Revision ID: 0004_evidence
Revises: 0003_security
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_evidence"
down_revision = "0003_security"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "evidence_sources",
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("t_started", sa.Float(), nullable=False),
        sa.Column("version", sa.JSON(), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("config_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("source"),
    )
    op.create_table(
        "evidence_records",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("t", sa.Float(), nullable=False),
        sa.Column("kind", sa.Integer(), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "seq", name="uq_evidence_records_source_seq"),
    )
    op.create_table(
        "evidence_heads",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("t", sa.Float(), nullable=False),
        sa.Column("steps", sa.Integer(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("head", sa.String(length=64), nullable=False),
        sa.Column("outputs", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("evidence_heads", schema=None) as batch_op:
        batch_op.create_index("ix_evidence_heads_source_t", ["source", "t"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("evidence_heads", schema=None) as batch_op:
        batch_op.drop_index("ix_evidence_heads_source_t")
    op.drop_table("evidence_heads")
    op.drop_table("evidence_records")
    op.drop_table("evidence_sources")
