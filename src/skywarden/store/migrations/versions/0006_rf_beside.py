"""Track points keep whether the direction-finder bearings that fit them ran beside them.

Wave 13, issue #16 ("Honest counts"): a bird that flies across the ray of a drone
nobody tracks fits one finder's bearings for a minute; the tracker now says when the
bearings that fit a track run beside it rather than along it
(``skywarden.tracking.rf_bias``), and the incursion rule then gives one finder's RF
geometry no weight for that track. A run directory's ``tracks.jsonl`` has it; the store
keeps it too, so ``skywarden stats`` on a store counts as on a run. Older rows hold NULL
(read as not beside).

Revision ID: 0006_rf_beside
Revises: 0005_track_evidence
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_rf_beside"
down_revision = "0005_track_evidence"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("track_points", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rf_beside", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("track_points", schema=None) as batch_op:
        batch_op.drop_column("rf_beside")
