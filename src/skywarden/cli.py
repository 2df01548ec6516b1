"""The ``skywarden`` console entry point: one Typer app, one sub-command per job."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="skywarden",
    help="Counter-drone airspace safety: simulate, ingest, track, analyze, plan lasers, serve.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)


@app.command("version")
def version() -> None:
    """Print the skywarden version."""
    from skywarden import __version__

    typer.echo(__version__)


# Sub-commands register below, one line each (modules under skywarden/commands/).
app.command("simulate")(__import__("skywarden.commands.simulate", fromlist=["_"]).simulate)
app.command("ingest")(__import__("skywarden.commands.ingest", fromlist=["ingest"]).ingest)
app.command("serve")(__import__("skywarden.commands.serve", fromlist=["serve"]).serve)
app.add_typer(__import__("skywarden.commands.users", fromlist=["app"]).app, name="users")
app.add_typer(__import__("skywarden.commands.laser", fromlist=["app"]).app, name="laser")
app.command("analyze")(__import__("skywarden.commands.analyze", fromlist=["_"]).analyze)
app.command("run")(__import__("skywarden.commands.run", fromlist=["_"]).run)
app.command("track")(__import__("skywarden.commands.track", fromlist=["_"]).track)
app.command("evaluate")(__import__("skywarden.commands.evaluate", fromlist=["_"]).evaluate)
app.add_typer(__import__("skywarden.commands.keys", fromlist=["app"]).app, name="keys")
app.add_typer(__import__("skywarden.commands.audit", fromlist=["app"]).app, name="audit")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
