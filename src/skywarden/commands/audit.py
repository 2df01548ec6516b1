"""``skywarden audit verify|grants``: check the audit log's hash chain; lock it down.

    skywarden audit verify [--db URL] [--head SEQ:HASH]
    skywarden audit grants --role ROLE [--db postgresql://owner@host/db] [--apply]

``verify`` walks the chain (``skywarden.store.audit.verify``) and prints the head
``SEQ:HASH``; keep it somewhere else (a ticket, a partner's mailbox) and pass it back
with ``--head`` later to also catch rows cut off the end. It exits 1 at the first broken
link, naming the row and what broke.

``grants`` prints (or, with ``--apply``, runs as the schema owner) the PostgreSQL GRANTs
that let the service's login role ROLE only SELECT and INSERT on the audit table.
"""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(help="The audit log: verify its hash chain, lock it down.", no_args_is_help=True)

DbOption = Annotated[
    str, typer.Option("--db", help="Database URL: sqlite:///FILE or postgresql://...")
]


@app.command("verify")
def verify(
    db: DbOption = "sqlite:///out/skywarden.db",
    head: Annotated[
        str | None, typer.Option(help="SEQ:HASH printed by an earlier verify, to check")
    ] = None,
) -> None:
    """Check every link of the audit chain; exit 1 at the first broken one."""
    from skywarden.store import Database, StoreConfigError, audit

    try:
        expect = audit.parse_head(head) if head else None
    except audit.AuditError as e:
        raise typer.BadParameter(str(e), param_hint="--head") from None
    try:
        database = Database(db)
    except StoreConfigError as e:
        raise typer.BadParameter(str(e), param_hint="--db") from None
    try:
        with database.session() as s:
            v = audit.verify(s, expect)
    finally:
        database.dispose()
    if v.broken is not None:
        b = v.broken
        row = f"row id {b.row_id}, seq {b.seq}" if b.row_id is not None else f"seq {b.seq}"
        typer.echo(f"audit chain BROKEN at {row}: {b.what} ({v.rows} rows read)", err=True)
        raise typer.Exit(1)
    typer.echo(f"audit chain ok: {v.rows} rows; head {v.head_seq}:{v.head_hash}")


@app.command("grants")
def grants(
    role: Annotated[str, typer.Option(help="The service's PostgreSQL login role")],
    db: DbOption = "sqlite:///out/skywarden.db",
    apply: Annotated[bool, typer.Option(help="Run them on --db (as the schema owner)")] = False,
) -> None:
    """Print (or apply) GRANTs: ROLE may only SELECT and INSERT on the audit table."""
    from sqlalchemy import text

    from skywarden.store import Database, StoreConfigError, audit
    from skywarden.store.schema import Base

    try:
        stmts = audit.pg_grants(role, sorted(Base.metadata.tables))
    except audit.AuditError as e:
        raise typer.BadParameter(str(e), param_hint="--role") from None
    if not apply:
        for st in stmts:
            typer.echo(st + ";")
        return
    try:
        database = Database(db)
    except StoreConfigError as e:
        raise typer.BadParameter(str(e), param_hint="--db") from None
    try:
        if database.dialect != "postgresql":
            raise typer.BadParameter("GRANTs exist on PostgreSQL only", param_hint="--db")
        with database.session() as s:
            for st in stmts:
                s.execute(text(st))
    finally:
        database.dispose()
    typer.echo(f"{role}: SELECT and INSERT only on audit ({len(stmts)} statements applied)")
