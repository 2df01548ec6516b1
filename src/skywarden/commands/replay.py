"""``skywarden replay --verify STORE_OR_RUN``: prove the outputs follow from the inputs.

Verifies the hash chain over every raw input record (naming the first record that does
not match: its index, receive time, expected and stored hash), then re-runs the same
records through the same stages and proves the tracks, events, incidents and
recommendations byte-identical, or names the first divergence (which output, which
record, both values). STORE_OR_RUN is a run directory written by ``skywarden run
--evidence``, a database URL (``sqlite:///FILE``, ``postgresql://...``) or a SQLite
file. Exit 0: chain intact and outputs identical; 1: chain broken or outputs differ;
3: recorded with another skywarden version (``--force`` replays anyway, as a warning);
2: the input cannot be read.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from skywarden.evidence.runs import Report

EXIT_DIFFERS = 1
EXIT_VERSION = 3


def replay(
    target: Annotated[
        str, typer.Argument(help="A `run --evidence` directory, a store URL or a SQLite file")
    ],
    verify: Annotated[
        bool, typer.Option("--verify", help="Verify the chain and re-run (the one mode)")
    ] = False,
    source: Annotated[
        str | None, typer.Option("--source", help="Store: only this source id")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replay despite a version mismatch (warns)")
    ] = False,
) -> None:
    """Verify the raw-input hash chain, re-run it and prove the outputs byte-identical."""
    from rich.console import Console

    from skywarden.evidence.rawlog import EvidenceFileError

    console = Console(soft_wrap=True)
    if not verify:
        raise typer.BadParameter("give --verify (the only mode so far)", param_hint="--verify")
    try:
        reports = _replay(target, source, force, Console(stderr=True))
    except (EvidenceFileError, ValueError) as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from None
    codes = [_print(console, r) for r in reports]
    raise typer.Exit(max(codes))


def _replay(target: str, source: str | None, force: bool, console: Console) -> list[Report]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    path = Path(target)
    with Progress(
        TextColumn("[bold]replaying[/bold]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("scans"),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("replay", total=None)

        def on_scan(k: int, n: int) -> None:
            if k % 50 == 0 or k == n:
                progress.update(task, completed=k, total=n)

        if path.is_dir():
            from skywarden.evidence.runs import replay_run

            if source is not None:
                raise ValueError("--source is for a store; a run directory has one source")
            return [replay_run(path, force, on_scan)]
        from skywarden.evidence.stores import replay_store
        from skywarden.store import Database

        url = target if "://" in target else None
        if url is None:
            if not path.is_file():
                raise ValueError(f"{target}: not a run directory, a store URL or a SQLite file")
            url = f"sqlite:///{path.resolve()}"
        db = Database(url)
        try:
            return replay_store(db, source, force, on_scan)
        finally:
            db.dispose()


def _print(console: Console, r: Report) -> int:
    """One report as lines a person reads; its exit code."""
    from skywarden.evidence.chain import Break

    for w in r.warnings:
        console.print(f"[yellow]warning[/yellow] {r.source}: {w}")
    if isinstance(r.chain, Break):
        console.print(f"[red]FAILED[/red] {r.source}: {r.chain.describe()}")
        return EXIT_DIFFERS
    if r.refusals:
        for why in r.refusals:
            console.print(f"[red]REFUSED[/red] {r.source}: {why}")
        return EXIT_VERSION if r.version_refused else 2
    if r.chain is not None:
        console.print(
            f"chain OK {r.source}: {r.chain.records} records, head {r.chain.head[:16]}..."
        )
    if r.divergence is not None:
        console.print(f"[red]DIVERGED[/red] {r.source}: {r.divergence.describe()}")
        return EXIT_DIFFERS
    done = ", ".join(f"{n} {what}" for what, n in r.compared.items())
    console.print(f"[green]IDENTICAL[/green] {r.source}: {done}")
    return 0
