"""``skywarden verify DIR [--public-key KEY]``: check a signed export before trusting it.

Exit 0 when the Ed25519 signature holds over ``manifest.json``, every listed file has the
listed SHA-256 and no other file is in the folder; exit 2 naming the file otherwise.
``--public-key`` pins the sender's key (base64 of its 32 bytes, or a PEM file): without
it the signature shows the folder is unchanged since signing, not who signed it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer


def verify(
    folder: Annotated[
        Path, typer.Argument(help="A folder written by `skywarden export --partner`")
    ],
    public_key: Annotated[
        str | None,
        typer.Option("--public-key", help="The sender's key: base64 (32 bytes) or a PEM file"),
    ] = None,
) -> None:
    """Verify a signed export folder: signature, hashes, no extra files."""
    from skywarden.export import signing

    pinned = pinned_key(public_key)
    if not folder.is_dir():
        typer.echo(f"FAILED {folder}: not a folder", err=True)
        raise typer.Exit(2)
    try:
        v = signing.verify_folder(folder, pinned)
    except signing.VerifyError as e:
        typer.echo(f"FAILED {folder / e.file}: {e.reason}", err=True)
        raise typer.Exit(2) from None
    who = "the pinned key" if v.pinned else "a key NOT pinned (pass --public-key to check who)"
    typer.echo(f"OK {folder}: {v.files} file(s) for {v.audience}, signed by {v.key_id}, {who}")


def pinned_key(public_key: str | None) -> Any:
    """The sender's key given with ``--public-key`` (base64 or a PEM file), or None to
    trust the key in the folder's manifest; a bad key is a usage error naming the option."""
    from skywarden.export import signing

    if public_key is None:
        return None
    text = Path(public_key).read_text() if Path(public_key).is_file() else public_key
    try:
        return signing.parse_public_key(text)
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint="--public-key") from None
