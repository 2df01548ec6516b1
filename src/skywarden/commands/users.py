"""``skywarden users add NAME --role ROLE --password-file FILE``: manage service users.

The password comes from a file (its first line), never from the command line, where it
would land in shell history and ``ps`` output.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Users of the operations service and their roles.", no_args_is_help=True)

DbOption = Annotated[
    str, typer.Option("--db", help="Database URL: sqlite:///FILE or postgresql://...")
]


def read_password(path: Path) -> str:
    """The first line of ``path``; a typed error naming the file when unusable."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise typer.BadParameter(f"{path}: no such file", param_hint="--password-file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise typer.BadParameter(
            f"{path}: unreadable ({e})", param_hint="--password-file"
        ) from None
    lines = text.splitlines()
    pw = lines[0].rstrip("\r\n") if lines else ""
    if not pw:
        raise typer.BadParameter(f"{path}: first line is empty", param_hint="--password-file")
    return pw


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="User name (letters, digits, - and _)")],
    role: Annotated[str, typer.Option(help="operator, analyst, partner or admin")],
    password_file: Annotated[Path, typer.Option(help="File whose first line is the password")],
    db: DbOption = "sqlite:///out/skywarden.db",
) -> None:
    """Create a user (or replace an existing user's role and password)."""
    from skywarden.store import Database, StoreConfigError, audit
    from skywarden.store.users import UserError, add_user

    pw = read_password(password_file)
    try:
        database = Database(db)
    except StoreConfigError as e:
        raise typer.BadParameter(str(e), param_hint="--db") from None
    try:
        with database.session() as s:
            add_user(s, name, role, pw)
            audit.append(s, "cli", "admin", "user_put", name, None, {"name": name, "role": role})
    except UserError as e:
        raise typer.BadParameter(str(e)) from None
    finally:
        database.dispose()
    typer.echo(f"user {name} ({role}) saved")


@app.command("list")
def list_(db: DbOption = "sqlite:///out/skywarden.db") -> None:
    """List users and their roles."""
    from skywarden.store import Database
    from skywarden.store.users import list_users

    database = Database(db)
    with database.session() as s:
        for u in list_users(s):
            typer.echo(f"{u.name}\t{u.role}{'  (disabled)' if u.disabled else ''}")
    database.dispose()
