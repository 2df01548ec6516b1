"""``skywarden keys rotate|show [--db URL]``: the key that signs bearer tokens.

The key lives in a 0600 file (beside a SQLite database, or ``SKYWARDEN_SECRET_KEY_FILE``)
or in ``SKYWARDEN_SECRET_KEY``; never in the database (``skywarden.store.secret_key``).
Rotating writes a new random key atomically: every token signed with the old one stops
working, in a running service too (it re-reads the file when it changes), so everyone
logs in again. Do it when a key may have leaked, or on a schedule.
"""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(help="The token-signing key: show where it is, rotate it.", no_args_is_help=True)

DbOption = Annotated[
    str, typer.Option("--db", help="Database URL: sqlite:///FILE or postgresql://...")
]


def _check_url(db: str) -> str:
    from skywarden.store import StoreConfigError
    from skywarden.store.db import normalise_url

    try:
        return normalise_url(db)
    except StoreConfigError as e:
        raise typer.BadParameter(str(e), param_hint="--db") from None


@app.command("rotate")
def rotate(db: DbOption = "sqlite:///out/skywarden.db") -> None:
    """Replace the signing key with a new random one; all tokens become invalid."""
    from skywarden.store import Database, audit, secret_key

    url = _check_url(db)
    try:
        src = secret_key.rotate(url)
        key, _ = secret_key.load(url, create=False)
    except secret_key.SecretKeyError as e:
        raise typer.BadParameter(str(e), param_hint="--db") from None
    database = Database(db)
    try:
        with database.session() as s:
            after = {"key_id": secret_key.fingerprint(key), "where": src.describe()}
            audit.append(s, "cli", "admin", "key_rotate", "token-signing-key", None, after)
    finally:
        database.dispose()
    typer.echo(f"new signing key {secret_key.fingerprint(key)} in {src.describe()}")
    typer.echo("every token issued before is now invalid: users log in again")


@app.command("show")
def show(db: DbOption = "sqlite:///out/skywarden.db") -> None:
    """Say where the key comes from and its id (a hash, never the key)."""
    from skywarden.store import secret_key

    url = _check_url(db)
    try:
        key, src = secret_key.load(url, create=False)
    except secret_key.SecretKeyError as e:
        raise typer.BadParameter(str(e), param_hint="--db") from None
    typer.echo(f"key {secret_key.fingerprint(key)} from {src.describe()}")
