"""Signed export folders: a manifest of SHA-256 hashes and an Ed25519 signature over it.

``manifest.json`` lists every file of the folder with its size and SHA-256 (FIPS 180-4),
who it is for and the signer's public key; ``manifest.json.sig`` is the Ed25519 (RFC 8032)
signature of the manifest's exact bytes, base64. A receiver runs ``skywarden verify DIR``:
the signature must hold, every listed file must hash as listed, and no other file may be
in the folder. Pinning the sender's key (``--public-key``, its key id read over a second
channel) is what makes the signature mean "from them"; without it the check proves only
that nothing changed since someone signed it, and ``verify`` says so.

The private key is a PKCS#8 PEM file created 0600 through ``store.secret_key``'s writer
(never readable by others, not even for an instant) and refused if group or others can
read it, like the token key. Where it lives, first match wins: ``--key FILE``;
``SKYWARDEN_EXPORT_KEY_FILE``; beside a SQLite store ``<db>.export-ed25519.pem``;
otherwise ``$XDG_STATE_HOME/skywarden/export-ed25519.pem``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from skywarden.errors import SkywardenError
from skywarden.store.secret_key import SecretKeyError, write_private

MANIFEST = "manifest.json"
SIGNATURE = "manifest.json.sig"
FORMAT = "skywarden-export/1"
ENV_KEY_FILE = "SKYWARDEN_EXPORT_KEY_FILE"
CHUNK = 1 << 20


class VerifyError(SkywardenError, ValueError):
    """The folder fails verification; ``file`` names the file at fault."""

    def __init__(self, file: str, reason: str) -> None:
        super().__init__(f"{file}: {reason}")
        self.file = file
        self.reason = reason


def default_key_path(db_url: str | None) -> Path:
    if os.environ.get(ENV_KEY_FILE):
        return Path(os.environ[ENV_KEY_FILE])
    if db_url and db_url.startswith("sqlite:///") and not db_url.endswith(":memory:"):
        db = Path(db_url.removeprefix("sqlite:///"))
        return db.with_name(db.name + ".export-ed25519.pem")
    state = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    return state / "skywarden" / "export-ed25519.pem"


def load_or_create_key(path: Path) -> Ed25519PrivateKey:
    """The signing key in ``path``, created (0600) on first use; refused if others can read it."""
    if not path.exists():
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        write_private(path, pem.decode())
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as e:
        raise SecretKeyError(f"{path}: cannot read the signing key ({e.strerror})") from None
    with os.fdopen(fd, "rb") as f:
        mode = os.fstat(f.fileno()).st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise SecretKeyError(
                f"{path}: signing key is readable by others (mode {stat.S_IMODE(mode):04o});"
                " it must be 0600: presume it stolen, delete it and sign with a new one"
            )
        data = f.read()
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except ValueError as e:
        raise SecretKeyError(f"{path}: not a PEM private key ({e})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SecretKeyError(f"{path}: not an Ed25519 key")
    return key


def public_raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(raw_public: bytes) -> str:
    """A short, non-secret name for a public key, to read out over a second channel."""
    return hashlib.sha256(raw_public).hexdigest()[:16]


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _listed_files(folder: Path) -> list[Path]:
    return sorted(
        p for p in folder.iterdir() if p.is_file() and p.name not in (MANIFEST, SIGNATURE)
    )


def sign_folder(folder: Path, key: Ed25519PrivateKey, meta: dict[str, Any]) -> dict[str, Any]:
    """Write the manifest of every file in ``folder`` and its signature; returns it."""
    raw = public_raw(key.public_key())
    manifest = {
        "format": FORMAT,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        **meta,
        "files": [
            {"name": p.name, "bytes": p.stat().st_size, "sha256": sha256_file(p)}
            for p in _listed_files(folder)
        ],
        "signer": {
            "algorithm": "Ed25519",
            "public_key": base64.b64encode(raw).decode(),
            "key_id": key_id(raw),
        },
    }
    body = (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode()
    (folder / MANIFEST).write_bytes(body)
    (folder / SIGNATURE).write_bytes(base64.b64encode(key.sign(body)) + b"\n")
    return manifest


def parse_public_key(text: str) -> bytes:
    """A pinned public key: base64 of the 32 raw bytes, or a PEM file's contents."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        k = serialization.load_pem_public_key(text.encode())
        if not isinstance(k, Ed25519PublicKey):
            raise ValueError("not an Ed25519 public key")
        return public_raw(k)
    raw = base64.b64decode(text, validate=True)
    if len(raw) != 32:
        raise ValueError(f"an Ed25519 public key has 32 bytes, this one {len(raw)}")
    return raw


@dataclass(frozen=True, slots=True)
class Verified:
    files: int
    key_id: str
    pinned: bool
    audience: str | None


def verify_folder(folder: Path, pinned: bytes | None = None) -> Verified:
    """Check signature, hashes and completeness; raises :class:`VerifyError` naming the file."""
    mpath, spath = folder / MANIFEST, folder / SIGNATURE
    for p in (mpath, spath):
        if not p.is_file():
            raise VerifyError(p.name, "missing: the folder is not a signed export")
    body = mpath.read_bytes()
    manifest, raw, listed = _read_manifest(body, pinned)
    try:
        sig = base64.b64decode(spath.read_bytes().strip(), validate=True)
        Ed25519PublicKey.from_public_bytes(raw).verify(sig, body)
    except (InvalidSignature, ValueError):
        raise VerifyError(SIGNATURE, "signature does not match the manifest") from None
    _check_files(folder, listed)
    return Verified(len(listed), key_id(raw), pinned is not None, manifest.get("audience"))


def _read_manifest(
    body: bytes, pinned: bytes | None
) -> tuple[dict[str, Any], bytes, dict[str, dict[str, Any]]]:
    """(manifest, signer's public key, listed files) of a manifest that is well formed."""
    try:
        manifest = json.loads(body)
        signer = manifest["signer"]
        raw = base64.b64decode(signer["public_key"], validate=True)
        listed = {str(f["name"]): f for f in manifest["files"]}
    except (ValueError, KeyError, TypeError) as e:
        raise VerifyError(MANIFEST, f"malformed manifest ({e})") from None
    if manifest.get("format") != FORMAT:
        raise VerifyError(MANIFEST, f"unknown format {manifest.get('format')!r}")
    if signer.get("algorithm") != "Ed25519" or len(raw) != 32:
        raise VerifyError(MANIFEST, "signer is not a 32-byte Ed25519 public key")
    if pinned is not None and raw != pinned:
        raise VerifyError(
            MANIFEST, f"signed by key {key_id(raw)}, not the pinned key {key_id(pinned)}"
        )
    return manifest, raw, listed


def _check_files(folder: Path, listed: dict[str, dict[str, Any]]) -> None:
    """Every listed file present and unchanged, and nothing added beside them."""
    for name, f in sorted(listed.items()):
        p = folder / name
        if Path(name).name != name:
            raise VerifyError(name, "a listed name is not a plain file name")
        if not p.is_file():
            raise VerifyError(name, "listed in the manifest but missing")
        if sha256_file(p) != f.get("sha256"):
            raise VerifyError(name, "SHA-256 differs from the manifest: the file was changed")
    for p in sorted(folder.iterdir()):
        if p.name in (MANIFEST, SIGNATURE) or p.name in listed:
            continue
        what = "file" if p.is_file() and not p.is_symlink() else "entry (not a plain file)"
        raise VerifyError(p.name, f"{what} not in the manifest: added after signing")
