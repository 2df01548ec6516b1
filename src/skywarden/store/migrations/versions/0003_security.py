"""Security: hash-chained audit with insert guards, token versions, no secret in settings.

Issue #12 findings 3, 4 and 7:

- ``audit`` gains ``seq``, ``prev_hash`` and ``hash`` (existing rows are chained in id
  order), a unique index on ``seq`` and a BEFORE INSERT guard that refuses an insert that
  reuses an id or does not extend the chain (so ``INSERT OR REPLACE`` cannot rewrite a
  row), plus, on PostgreSQL, a TRUNCATE guard (row triggers do not see TRUNCATE).
- ``users`` gains ``token_version`` (bumped on password change, disable and delete).
- the token-signing secret is deleted from ``settings``: it sat in a world-readable file,
  so it is treated as exposed and a new key is made in a 0600 file (users log in again).

Revision ID: 0003_security
Revises: 0002_durable
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_security"
down_revision = "0002_durable"
branch_labels = None
depends_on = None

APPEND_ONLY = "audit log is append-only"
GENESIS = "0" * 64

SQLITE_GUARD = f"""
CREATE TRIGGER audit_insert_guard BEFORE INSERT ON audit
BEGIN
  SELECT RAISE(ABORT, '{APPEND_ONLY}: id already used')
    WHERE EXISTS (SELECT 1 FROM audit WHERE id = NEW.id);
  SELECT RAISE(ABORT, '{APPEND_ONLY}: seq, prev_hash and hash are required')
    WHERE NEW.seq IS NULL OR NEW.prev_hash IS NULL OR length(NEW.hash) IS NOT 64;
  SELECT RAISE(ABORT, '{APPEND_ONLY}: seq must be the last seq + 1')
    WHERE NEW.seq IS NOT (SELECT COALESCE(MAX(seq), 0) + 1 FROM audit);
  SELECT RAISE(ABORT, '{APPEND_ONLY}: prev_hash must be the last row''s hash')
    WHERE NEW.prev_hash IS NOT COALESCE(
      (SELECT hash FROM audit WHERE seq = NEW.seq - 1), '{GENESIS}');
  SELECT RAISE(ABORT, '{APPEND_ONLY}: time before the last row''s (back-dated)')
    WHERE NEW.t < (SELECT t FROM audit WHERE seq = NEW.seq - 1);
END
"""

PG_GUARD = f"""
CREATE FUNCTION audit_insert_guard() RETURNS trigger AS $$
DECLARE
  last_seq integer;
  last_hash varchar;
  last_t double precision;
BEGIN
  IF EXISTS (SELECT 1 FROM audit WHERE id = NEW.id) THEN
    RAISE EXCEPTION '{APPEND_ONLY}: id already used';
  END IF;
  IF NEW.seq IS NULL OR NEW.prev_hash IS NULL OR length(NEW.hash) IS DISTINCT FROM 64 THEN
    RAISE EXCEPTION '{APPEND_ONLY}: seq, prev_hash and hash are required';
  END IF;
  SELECT seq, hash, t INTO last_seq, last_hash, last_t FROM audit ORDER BY seq DESC LIMIT 1;
  IF NOT FOUND THEN
    last_seq := 0; last_hash := '{GENESIS}'; last_t := '-Infinity';
  END IF;
  IF NEW.seq IS DISTINCT FROM last_seq + 1 THEN
    RAISE EXCEPTION '{APPEND_ONLY}: seq must be the last seq + 1';
  END IF;
  IF NEW.prev_hash IS DISTINCT FROM last_hash THEN
    RAISE EXCEPTION '{APPEND_ONLY}: prev_hash must be the last row''s hash';
  END IF;
  IF NEW.t < last_t THEN
    RAISE EXCEPTION '{APPEND_ONLY}: time before the last row''s (back-dated)';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql
"""


def _chain_existing_rows() -> None:
    """Give rows written before this revision their seq and hashes, in id order."""
    from skywarden.store.audit import content_of, link_hash

    bind = op.get_bind()
    audit = sa.table(
        "audit",
        *(sa.column(c) for c in ("id", "t", "user", "role", "action", "target")),
        sa.column("before", sa.JSON()),
        sa.column("after", sa.JSON()),
        sa.column("seq", sa.Integer()),
        sa.column("prev_hash", sa.String()),
        sa.column("hash", sa.String()),
    )
    prev = GENESIS
    rows = bind.execute(sa.select(audit).order_by(audit.c.id)).mappings().all()
    for seq, r in enumerate(rows, start=1):
        c = content_of(
            seq, r["t"], r["user"], r["role"], r["action"], r["target"], r["before"], r["after"]
        )
        h = link_hash(prev, c)
        bind.execute(
            audit.update().where(audit.c.id == r["id"]).values(seq=seq, prev_hash=prev, hash=h)
        )
        prev = h


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    # The 0001 triggers refuse the UPDATEs that chain old rows: lift them meanwhile.
    if sqlite:
        op.execute("DROP TRIGGER IF EXISTS audit_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_no_change ON audit")

    with op.batch_alter_table("audit") as b:
        b.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        b.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        b.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    _chain_existing_rows()
    with op.batch_alter_table("audit") as b:
        b.alter_column("seq", existing_type=sa.Integer(), nullable=False)
        b.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        b.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
        b.create_index("ux_audit_seq", ["seq"], unique=True)

    if sqlite:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_no_{verb.lower()} BEFORE {verb} ON audit "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
            )
        op.execute(SQLITE_GUARD)
    else:
        op.execute(
            "CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit "
            "FOR EACH ROW EXECUTE FUNCTION audit_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()"
        )
        op.execute(PG_GUARD)
        op.execute(
            "CREATE TRIGGER audit_insert_guard BEFORE INSERT ON audit "
            "FOR EACH ROW EXECUTE FUNCTION audit_insert_guard()"
        )

    with op.batch_alter_table("users") as b:
        b.add_column(
            sa.Column("token_version", sa.Integer(), nullable=False, server_default="0")
        )
    op.execute("DELETE FROM settings WHERE key = 'token_secret'")


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table("users") as b:
        b.drop_column("token_version")
    if sqlite:
        for name in ("audit_insert_guard", "audit_no_update", "audit_no_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_insert_guard ON audit")
        op.execute("DROP TRIGGER IF EXISTS audit_no_truncate ON audit")
        op.execute("DROP FUNCTION IF EXISTS audit_insert_guard()")
    with op.batch_alter_table("audit") as b:
        b.drop_index("ux_audit_seq")
        b.drop_column("hash")
        b.drop_column("prev_hash")
        b.drop_column("seq")
    if sqlite:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_no_{verb.lower()} BEFORE {verb} ON audit "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
            )
