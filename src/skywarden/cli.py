"""The ``skywarden`` console entry point: one Typer app, one sub-command per job."""

from __future__ import annotations

from typing import TextIO

import typer

app = typer.Typer(
    name="skywarden",
    help="Counter-drone airspace safety: simulate, ingest, track, analyze, plan lasers, serve.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)


def _print_version(value: bool) -> None:
    if value:
        from skywarden import __version__

        typer.echo(f"skywarden {__version__}")
        raise typer.Exit()


_DEBUG = {"on": False}


@app.callback()
def _main(
    version: bool = typer.Option(
        False, "--version", callback=_print_version, is_eager=True, help="Print the version."
    ),
    debug: bool = typer.Option(
        False, "--debug", help="Show the full traceback of an error instead of one line."
    ),
) -> None:
    """Counter-drone airspace safety: simulate, ingest, track, analyze, plan lasers, serve."""
    _DEBUG["on"] = debug
    _show_guesses_in_one_line()


def _show_guesses_in_one_line() -> None:
    """Print each GuessWarning (issue 14, no silent guesses) as one ``warning:`` line."""
    import warnings

    from skywarden.errors import GuessWarning

    shown = warnings.showwarning
    if getattr(shown, "skywarden", False):
        return

    def show(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        if issubclass(category, GuessWarning):
            typer.echo(f"warning: {message}", err=True)
        else:
            shown(message, category, filename, lineno, file, line)

    show.skywarden = True  # type: ignore[attr-defined]
    warnings.showwarning = show


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
app.add_typer(__import__("skywarden.commands.sector", fromlist=["app"]).app, name="sector")
app.add_typer(__import__("skywarden.commands.keys", fromlist=["app"]).app, name="keys")
app.add_typer(__import__("skywarden.commands.audit", fromlist=["app"]).app, name="audit")
app.command("export")(__import__("skywarden.commands.export", fromlist=["_"]).export)
app.command("verify")(__import__("skywarden.commands.verify", fromlist=["_"]).verify)
app.command("stats")(__import__("skywarden.commands.stats", fromlist=["_"]).stats)
app.add_typer(__import__("skywarden.commands.month", fromlist=["app"]).app, name="month")


def one_line(e: BaseException) -> str:
    """An error as one line a person can act on: its message, not the stack.

    Database drivers put the useful sentence first and a link to their docs last, so
    only the first line of the message is kept (and the SQL layer's wrapper is dropped).
    """
    orig = getattr(e, "orig", None)  # sqlalchemy wraps the driver's error
    text = str(orig if isinstance(orig, BaseException) else e).strip()
    first = text.splitlines()[0] if text else type(e).__name__
    return f"{type(orig if isinstance(orig, BaseException) else e).__name__}: {first}"


def _message(e: BaseException) -> str:
    """A refusal's own message (a ``KeyError``'s without the quotes ``str`` adds)."""
    text = str(e.args[0]) if isinstance(e, KeyError) and e.args else str(e)
    return text.strip() or type(e).__name__


def main(argv: list[str] | None = None) -> None:
    """The console entry point: any failure a command did not handle is one line, exit 2.

    ``skywarden --debug COMMAND`` lets the traceback through for a bug report.
    """
    import sys

    from skywarden.errors import SkywardenError

    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        app(args=argv)  # usage errors, Exit and Ctrl-C are Click's (standalone mode)
    except SkywardenError as e:  # refused on purpose: its message names what and where
        if _DEBUG["on"] or debug:
            raise
        typer.echo(f"error: {_message(e)}", err=True)
        raise SystemExit(2) from None
    except Exception as e:
        if _DEBUG["on"] or debug:
            raise
        typer.echo(f"error: {one_line(e)} (--debug shows the traceback)", err=True)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
