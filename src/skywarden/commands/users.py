"""``skywarden users add|passwd|disable|enable|delete|list``: manage service users.

    skywarden users add NAME --role ROLE --password-file FILE [--db URL]
    skywarden users passwd NAME --password-file FILE [--db URL]
    skywarden users disable|enable|delete NAME [--db URL]

The password comes from a file (its first line), never from the command line, where it
would land in shell history and ``ps`` output. Every change is audited (as user ``cli``)
with the user's before and after picture, and passwd, disable and delete revoke the
user's outstanding tokens at once, in a running service too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

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


NameArg = Annotated[str, typer.Argument(help="User name (letters, digits, - and _)")]
PasswordFile = Annotated[Path, typer.Option(help="File whose first line is the password")]


@contextmanager
def _session(db: str) -> Iterator[Session]:
    """A committed session on ``db``; store and user errors become clean CLI errors."""
    from skywarden.store import Database, StoreConfigError
    from skywarden.store.users import UserError

    try:
        database = Database(db)
    except StoreConfigError as e:
        raise typer.BadParameter(str(e), param_hint="--db") from None
    try:
        with database.session() as s:
            yield s
    except UserError as e:
        raise typer.BadParameter(str(e)) from None
    finally:
        database.dispose()


def _audited(db: str, name: str, action: str, change: Callable[[Session], Any]) -> None:
    """Run ``change`` and audit it with the user's picture before and after."""
    from skywarden.store import audit, users

    with _session(db) as s:
        before = users.snapshot(s.get(users.User, name))
        change(s)
        after = users.snapshot(s.get(users.User, name))
        audit.append(s, "cli", "admin", action, name, before, after)


@app.command("add")
def add(
    name: NameArg,
    role: Annotated[str, typer.Option(help="operator, analyst, partner or admin")],
    password_file: PasswordFile,
    db: DbOption = "sqlite:///out/skywarden.db",
) -> None:
    """Create a user (or replace an existing user's role and password)."""
    from skywarden.store.users import add_user

    pw = read_password(password_file)
    _audited(db, name, "user_put", lambda s: add_user(s, name, role, pw))
    typer.echo(f"user {name} ({role}) saved")


@app.command("passwd")
def passwd(
    name: NameArg, password_file: PasswordFile, db: DbOption = "sqlite:///out/skywarden.db"
) -> None:
    """Set a new password; the user's tokens are revoked."""
    from skywarden.store.users import set_password

    pw = read_password(password_file)
    _audited(db, name, "user_passwd", lambda s: set_password(s, name, pw))
    typer.echo(f"user {name}: password changed, tokens revoked")


@app.command("disable")
def disable(name: NameArg, db: DbOption = "sqlite:///out/skywarden.db") -> None:
    """Disable a user: no login, tokens revoked."""
    from skywarden.store.users import set_disabled

    _audited(db, name, "user_disable", lambda s: set_disabled(s, name, True))
    typer.echo(f"user {name}: disabled, tokens revoked")


@app.command("enable")
def enable(name: NameArg, db: DbOption = "sqlite:///out/skywarden.db") -> None:
    """Enable a disabled user again (they log in anew)."""
    from skywarden.store.users import set_disabled

    _audited(db, name, "user_enable", lambda s: set_disabled(s, name, False))
    typer.echo(f"user {name}: enabled")


@app.command("delete")
def delete(name: NameArg, db: DbOption = "sqlite:///out/skywarden.db") -> None:
    """Delete a user; their tokens die with them (the audit log keeps who they were)."""
    from skywarden.store.users import delete_user

    _audited(db, name, "user_delete", lambda s: delete_user(s, name))
    typer.echo(f"user {name}: deleted")


@app.command("list")
def list_(db: DbOption = "sqlite:///out/skywarden.db") -> None:
    """List users and their roles."""
    from skywarden.store.users import list_users

    with _session(db) as s:
        for u in list_users(s):
            typer.echo(f"{u.name}\t{u.role}{'  (disabled)' if u.disabled else ''}")
