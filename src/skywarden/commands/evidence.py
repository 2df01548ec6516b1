"""``skywarden evidence export INCIDENT --out DIR`` and ``skywarden evidence verify DIR``.

``export`` writes an incident's raw inputs (the chain segment of its time window, with
the head before it), its outputs, the version and configuration, and an Ed25519-signed
manifest (``export.signing``, the same signer as ``skywarden export --partner``), from a
``run --evidence`` directory (``--run DIR``) or a store (``--db URL``). ``verify``
checks it with no database: the signature, every file's SHA-256 and the chain segment.
``--public-key`` pins who signed it. Exit 0 verified, 2 failed (naming the file).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from skywarden.commands.verify import pinned_key

app = typer.Typer(help="Evidence folders: an incident's raw inputs, outputs and signature.")


@app.command("export")
def export(
    incident: Annotated[str, typer.Argument(help="Incident id, e.g. I00001 or I3-00002")],
    out: Annotated[Path, typer.Option("--out", help="Folder to write (created, must be empty)")],
    run: Annotated[
        Path | None, typer.Option("--run", help="A `skywarden run --evidence` directory")
    ] = None,
    db: Annotated[
        str | None, typer.Option("--db", help="The store: sqlite:///FILE or postgresql://...")
    ] = None,
    source: Annotated[
        str | None, typer.Option("--source", help="--db: the source id, if not from the id")
    ] = None,
    margin_s: Annotated[
        float, typer.Option("--margin", min=0, help="Seconds of input before and after")
    ] = 60.0,
    key: Annotated[
        Path | None, typer.Option("--key", help="Ed25519 signing key PEM (created 0600)")
    ] = None,
) -> None:
    """Write an incident's evidence folder and sign it."""
    from skywarden.evidence import bundle
    from skywarden.evidence.rawlog import EvidenceFileError
    from skywarden.export import signing
    from skywarden.store.secret_key import SecretKeyError

    if (run is None) == (db is None):
        raise typer.BadParameter("give exactly one of --run DIR or --db URL", param_hint="--run")
    try:
        if run is not None:
            b = bundle.from_run(run, incident, margin_s)
        else:
            assert db is not None
            b = bundle.from_store(db, incident, source, margin_s)
        meta = bundle.write(b, out)
        m = signing.sign_folder(
            out, signing.load_or_create_key(key or signing.default_key_path(db)), meta
        )
    except (bundle.EvidenceExportError, EvidenceFileError, OSError) as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from None
    except SecretKeyError as e:
        raise typer.BadParameter(str(e), param_hint="--key") from None
    typer.echo(
        f"wrote {out}: incident {incident}, {len(b.records)} raw records "
        f"(chain index {b.records[0].index if b.records else '-'}..), {len(b.tracks)} track "
        f"updates, signed by {m['signer']['key_id']}"
    )


@app.command("verify")
def verify(
    folder: Annotated[Path, typer.Argument(help="A folder written by `skywarden evidence export`")],
    public_key: Annotated[
        str | None,
        typer.Option("--public-key", help="The sender's key: base64 (32 bytes) or a PEM file"),
    ] = None,
) -> None:
    """Verify an evidence folder: signature, file hashes, the chain segment."""
    from skywarden.evidence import bundle
    from skywarden.export import signing

    pinned = pinned_key(public_key)
    if not folder.is_dir():
        typer.echo(f"FAILED {folder}: not a folder", err=True)
        raise typer.Exit(2)
    try:
        v = signing.verify_folder(folder, pinned)
        c = bundle.check(folder)
    except (signing.VerifyError, bundle.SegmentError) as e:
        typer.echo(f"FAILED {folder / e.file}: {e.reason}", err=True)
        raise typer.Exit(2) from None
    who = "the pinned key" if v.pinned else "a key NOT pinned (pass --public-key to check who)"
    typer.echo(
        f"OK {folder}: incident {c.incident}, {v.files} file(s), chain segment of {c.records} "
        f"records from index {c.first_index} intact, signed by {v.key_id}, {who}"
    )
