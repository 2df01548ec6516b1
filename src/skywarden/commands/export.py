"""``skywarden export KIND --format F (--run DIR | --db URL) --out DIR``: files for partners.

    skywarden export tracks|incidents|zones|laser-plan --format geojson|kml|csv|cot|asterix
                     (--run DIR | --db URL) [--laser-plan FILE] [--since T] [--until T]
                     --out DIR [--partner [--share ID ...]] [--sign] [--key FILE]

Writes ``DIR/<kind>.<ext>``. ``--since``/``--until`` take epoch seconds or ISO 8601
times. ``--partner`` redacts first, with the API's code (shared incidents only, about
1 km positions, no identities or sensors; laser plans are refused), then signs the
folder: ``manifest.json`` (SHA-256 of every file) and its Ed25519 signature, which the
receiver checks with ``skywarden verify DIR``. From a run directory nothing is shared
until ``--share ID`` (or ``--share all``) says so; from the store, what operators shared.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

KINDS = ("tracks", "incidents", "zones", "laser-plan")
FORMATS = ("geojson", "kml", "csv", "cot", "asterix")


# size: Typer command: 12 options (31 lines), then checks and a kind/format dispatch
def export(
    kind: Annotated[str, typer.Argument(help="tracks, incidents, zones or laser-plan")],
    out: Annotated[Path, typer.Option("--out", help="Folder to write into (created)")],
    fmt: Annotated[
        str, typer.Option("--format", help="geojson, kml, csv, cot or asterix (CAT062, tracks)")
    ] = "geojson",
    run: Annotated[
        Path | None, typer.Option("--run", help="A `skywarden run --out` directory")
    ] = None,
    db: Annotated[
        str | None, typer.Option("--db", help="The store: sqlite:///FILE or postgresql://...")
    ] = None,
    laser_plan: Annotated[
        Path | None, typer.Option("--laser-plan", help="A laser plan YAML to export")
    ] = None,
    since: Annotated[str | None, typer.Option(help="From this time (epoch s or ISO)")] = None,
    until: Annotated[str | None, typer.Option(help="Up to this time (epoch s or ISO)")] = None,
    partner: Annotated[
        bool, typer.Option("--partner", help="Redact for a partner agency, then sign")
    ] = False,
    share: Annotated[
        list[str] | None,
        typer.Option(help="With --run: incident id to share with the partner, or 'all'"),
    ] = None,
    sign: Annotated[
        bool, typer.Option("--sign", help="Sign the folder (always with --partner)")
    ] = False,
    key: Annotated[
        Path | None, typer.Option("--key", help="Ed25519 signing key PEM (created 0600)")
    ] = None,
) -> None:
    """Export tracks, incidents, zones or a laser plan as GeoJSON, KML, CSV or CoT."""
    from skywarden import export as ex
    from skywarden.export import data as source
    from skywarden.export import partner as redaction
    from skywarden.export import signing
    from skywarden.store.secret_key import SecretKeyError

    if kind not in KINDS:
        raise typer.BadParameter(f"{kind!r}: one of {', '.join(KINDS)}", param_hint="KIND")
    if fmt not in FORMATS:
        raise typer.BadParameter(f"{fmt!r}: one of {', '.join(FORMATS)}", param_hint="--format")
    if (run is None) == (db is None) and not (kind == "laser-plan" and laser_plan):
        raise typer.BadParameter("give exactly one of --run DIR or --db URL", param_hint="--run")
    if share and run is None:
        raise typer.BadParameter(
            "--share is for run directories; in the store, operators share incidents",
            param_hint="--share",
        )
    try:
        t0 = None if since is None else source.parse_time(since, "--since")
        t1 = None if until is None else source.parse_time(until, "--until")
        if partner:
            redaction.check_allowed(kind)
        if run is not None:
            data = source.from_run_dir(run, t0, t1, share or ())
        elif db is not None:
            data = source.from_store(db, t0, t1)
        else:
            data = source.ExportData(source="laser plan file")
        if laser_plan is not None:
            data = source.with_plan_file(data, laser_plan)
        if partner:
            data = redaction.for_partner(data)  # redact first: the writers see only this
        body = ex.render(kind, fmt, data)
    except (source.ExportSourceError, redaction.PartnerForbidden, ex.UnsupportedExport) as e:
        raise typer.BadParameter(str(e)) from None
    out.mkdir(parents=True, exist_ok=True)
    target = out / ex.file_name(kind, fmt)
    target.write_bytes(body)
    typer.echo(f"wrote {target} ({len(body)} bytes) from {data.source}")
    if partner or sign:
        path = key or signing.default_key_path(db)
        try:
            k = signing.load_or_create_key(path)
        except SecretKeyError as e:
            raise typer.BadParameter(str(e), param_hint="--key") from None
        meta = {
            "audience": "partner" if partner else "internal",
            # a partner learns nothing of our paths or database hosts from the manifest
            "source": "skywarden" if partner else data.source,
            "since": t0,
            "until": t1,
        }
        m = signing.sign_folder(out, k, meta)
        typer.echo(
            f"signed {len(m['files'])} file(s) in {out / signing.MANIFEST} with key"
            f" {m['signer']['key_id']} ({path}); the receiver runs `skywarden verify {out}`"
        )
