"""The relational schema of the operations store (SQLAlchemy 2 declarative tables).

One table per kind of fact the service must keep: track history, events, incidents with
their operator actions, recommendations, zones, laser plans and hold-fire decisions,
sensors, users, the append-only audit log and the quarantine of rejected input. The same
tables run on SQLite (embedded default) and PostgreSQL; types are chosen to mean the
same on both (``Float`` is double precision, ``JSON`` is TEXT on SQLite and json on
PostgreSQL). The Alembic migration in ``migrations/versions`` creates exactly these
tables; ``tests/store/test_migrations.py`` checks that the two never drift apart.

Times are UTC seconds since the Unix epoch (floats), as everywhere in skywarden.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base whose metadata Alembic compares against the migrations."""


class User(Base):
    __tablename__ = "users"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    t_created: Mapped[float] = mapped_column(Float)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # Bumped on password change, disable and delete; a token carrying another is refused.
    token_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Setting(Base):
    """Small key/value facts the service must keep across restarts (token secret...)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


class TrackPoint(Base):
    """One track update (a line of ``tracks.jsonl``), the unit of track history."""

    __tablename__ = "track_points"
    __table_args__ = (
        Index("ix_track_points_t", "t"),
        Index("ix_track_points_track_t", "track", "t"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    t: Mapped[float] = mapped_column(Float)
    track: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    alt_m: Mapped[float] = mapped_column(Float)
    ve: Mapped[float] = mapped_column(Float)
    vn: Mapped[float] = mapped_column(Float)
    vu: Mapped[float] = mapped_column(Float)
    cls: Mapped[str] = mapped_column(String(16))
    class_probs: Mapped[dict[str, float]] = mapped_column(JSON)
    identities: Mapped[list[str]] = mapped_column(JSON)
    sensors: Mapped[list[str]] = mapped_column(JSON)
    callsign: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # what analytics' evidence check reads (migration 0005); None in older rows
    corroboration: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    sigma_h_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    # the DF bearings that fit it ran beside it (migration 0006); None in older rows
    rf_beside: Mapped[bool | None] = mapped_column(Boolean, nullable=True)


class EventRow(Base):
    __tablename__ = "events"
    __table_args__ = (Index("ix_events_t", "t"), Index("ix_events_incident", "incident"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    t: Mapped[float] = mapped_column(Float)
    kind: Mapped[str] = mapped_column(String(32))
    track: Mapped[str] = mapped_column(String(32))
    incident: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    alt_m: Mapped[float] = mapped_column(Float)
    attrs: Mapped[dict[str, Any]] = mapped_column(JSON)


class IncidentRow(Base):
    """An incident's current picture; its history lives in ``incident_actions`` and audit.

    ``state`` is the operator lifecycle (open -> acknowledged -> resolved): the analyzer
    can open and update an incident but never undo what an operator did.
    """

    __tablename__ = "incidents"
    __table_args__ = (Index("ix_incidents_t_open", "t_open"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    t_open: Mapped[float] = mapped_column(Float)
    t_updated: Mapped[float] = mapped_column(Float)
    severity: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))
    tracks: Mapped[list[str]] = mapped_column(JSON)
    recommendations: Mapped[list[str]] = mapped_column(JSON)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    shared: Mapped[bool] = mapped_column(Boolean, default=False)
    summary: Mapped[str] = mapped_column(Text, default="")


class IncidentAction(Base):
    """An operator's action on an incident; ``comment`` is an internal note."""

    __tablename__ = "incident_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident: Mapped[str] = mapped_column(ForeignKey("incidents.id"), index=True)
    t: Mapped[float] = mapped_column(Float)
    user: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(Text, default="")


class RecommendationRow(Base):
    __tablename__ = "recommendations"
    __table_args__ = (Index("ix_recommendations_t_issued", "t_issued"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    incident: Mapped[str | None] = mapped_column(String(64), nullable=True)
    action: Mapped[str] = mapped_column(String(32))
    t_issued: Mapped[float] = mapped_column(Float)
    t_expires: Mapped[float] = mapped_column(Float)
    t_reevaluate: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list[str]] = mapped_column(JSON)
    runways: Mapped[list[str]] = mapped_column(JSON)
    airport: Mapped[str | None] = mapped_column(String(8), nullable=True)
    tfr: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class ZoneRow(Base):
    __tablename__ = "zones"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(128))
    polygon: Mapped[list[list[float]]] = mapped_column(JSON)
    floor_m: Mapped[float] = mapped_column(Float)
    ceiling_m: Mapped[float] = mapped_column(Float)
    owner: Mapped[str] = mapped_column(String(64))
    attrs: Mapped[dict[str, Any]] = mapped_column(JSON)


class LaserPlanRow(Base):
    __tablename__ = "laser_plans"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    t_created: Mapped[float] = mapped_column(Float)
    plan: Mapped[dict[str, Any]] = mapped_column(JSON)


class LaserDecisionRow(Base):
    """A change of the hold-fire state (only changes are kept, not every tick)."""

    __tablename__ = "laser_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    t: Mapped[float] = mapped_column(Float, index=True)
    plan: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(8))
    reasons: Mapped[list[str]] = mapped_column(JSON)
    tracks: Mapped[list[str]] = mapped_column(JSON)


class SensorRow(Base):
    __tablename__ = "sensors"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    alt_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    last_seen_t: Mapped[float | None] = mapped_column(Float, nullable=True)
    detections: Mapped[int] = mapped_column(Integer, default=0)
    attrs: Mapped[dict[str, Any]] = mapped_column(JSON)


class AuditRow(Base):
    """Append-only and hash-chained: triggers (migrations 0001, 0003) refuse UPDATE,
    DELETE and any INSERT that does not extend the chain (see ``store/audit.py``)."""

    __tablename__ = "audit"
    __table_args__ = (Index("ux_audit_seq", "seq", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    t: Mapped[float] = mapped_column(Float, index=True)
    user: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(128))
    before: Mapped[Any] = mapped_column(JSON, nullable=True)
    after: Mapped[Any] = mapped_column(JSON, nullable=True)
    seq: Mapped[int] = mapped_column(Integer)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class QuarantineRow(Base):
    """A rejected input message, kept with the reason (DESIGN.md: nothing is lost)."""

    __tablename__ = "quarantine"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    t: Mapped[float] = mapped_column(Float, index=True)
    source: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    field: Mapped[str] = mapped_column(String(64))
    raw: Mapped[str] = mapped_column(Text)


class PipelineCursor(Base):
    """How far a replayed scenario got, committed with its outputs so a restart resumes."""

    __tablename__ = "pipeline_cursor"

    source: Mapped[str] = mapped_column(String(255), primary_key=True)
    t: Mapped[float] = mapped_column(Float)
    steps: Mapped[int] = mapped_column(Integer)


class SourceRun(Base):
    """A run of one source in this store: its number namespaces the ids the run mints
    (``T3-000001``, ``I3-00001``, ``M3-0001``), so a second source or a restart never reuses
    an id (DESIGN.md: ids are unique in a store forever). Revision 0002_durable."""

    __tablename__ = "source_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(255), unique=True)
    t_started: Mapped[float] = mapped_column(Float)


class SourceScan(Base):
    """An accepted live scan (its detections and rejections), stored append-only *before*
    it is tracked, so a restart rebuilds the tracker and analyzer from it up to the
    cursor and processes what was accepted but not yet processed. Revision 0002_durable."""

    __tablename__ = "source_scans"
    __table_args__ = (UniqueConstraint("source", "t", name="uq_source_scans_source_t"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(255))
    t: Mapped[float] = mapped_column(Float)
    detections: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    rejected: Mapped[list[list[str]]] = mapped_column(JSON)


class StateSnapshot(Base):
    """The pipeline's stage state after scan ``steps`` at time ``t`` (the cursor then),
    so a restart replays only the scans after it. ``blob`` is a pickle written and read
    only by ``skywarden.store.snapshots``; ``code`` fingerprints the code and stage
    configuration that wrote it (another fingerprint is never loaded). Revision
    0002_durable."""

    __tablename__ = "state_snapshots"
    __table_args__ = (Index("ix_state_snapshots_source_t", "source", "t"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(255))
    t: Mapped[float] = mapped_column(Float)
    steps: Mapped[int] = mapped_column(Integer)
    format: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(64))
    t_written: Mapped[float] = mapped_column(Float)
    blob: Mapped[bytes] = mapped_column(LargeBinary)


class EvidenceSource(Base):
    """Which code and configuration a source's evidence chain was recorded with (the
    replay's precondition, ``skywarden.evidence.stamp``). Revision 0004_evidence."""

    __tablename__ = "evidence_sources"

    source: Mapped[str] = mapped_column(String(255), primary_key=True)
    t_started: Mapped[float] = mapped_column(Float)
    version: Mapped[dict[str, Any]] = mapped_column(JSON)
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    config_hash: Mapped[str] = mapped_column(String(64))


class EvidenceRecord(Base):
    """One accepted (or rejected: ``kind`` 2) raw input record, hash-chained in ``seq``
    order per source (``skywarden.evidence.chain`` has the byte layout). Append-only.
    Revision 0004_evidence."""

    __tablename__ = "evidence_records"
    __table_args__ = (UniqueConstraint("source", "seq", name="uq_evidence_records_source_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(255))
    seq: Mapped[int] = mapped_column(Integer)
    t: Mapped[float] = mapped_column(Float)
    kind: Mapped[int] = mapped_column(Integer)
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    hash: Mapped[str] = mapped_column(String(64))


class EvidenceHead(Base):
    """The chain head committed with each processed scan, and the SHA-256 of that
    scan's outputs by kind (tracks, events, incidents, recommendations), so a replay
    names the first scan and output that differ. Revision 0004_evidence."""

    __tablename__ = "evidence_heads"
    __table_args__ = (Index("ix_evidence_heads_source_t", "source", "t"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(255))
    t: Mapped[float] = mapped_column(Float)
    steps: Mapped[int] = mapped_column(Integer)
    records: Mapped[int] = mapped_column(Integer)
    head: Mapped[str] = mapped_column(String(64))
    outputs: Mapped[dict[str, str]] = mapped_column(JSON)
