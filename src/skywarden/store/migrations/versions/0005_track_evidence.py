"""Track points keep their corroboration and horizontal 1-sigma position error.

Issue #16, "Honest counts": the incursion rule counts a unit only when independent drone
evidence backed most of its track updates and its position was known at the line
(``skywarden.analytics.counting``, step 4). A run directory's ``tracks.jsonl`` has both;
the store now keeps them too, so ``skywarden stats`` on a store counts as on a run.
Older rows hold NULL: the check is then not made for them, and the stats say so.

Revision ID: 0005_track_evidence
Revises: 0004_evidence
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_track_evidence"
down_revision = "0004_evidence"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("track_points", schema=None) as batch_op:
        batch_op.add_column(sa.Column("corroboration", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("sigma_h_m", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("track_points", schema=None) as batch_op:
        batch_op.drop_column("sigma_h_m")
        batch_op.drop_column("corroboration")
