"""The token-signing key: from the environment or a 0600 file, never from the database.

Issue #12 finding 3: the key used to sit in the ``settings`` table of a 0644 database,
so any local user could read it and forge an admin token. Now, first match wins:

1. ``SKYWARDEN_SECRET_KEY``: the key itself (at least 32 characters), for deployments
   whose secret store injects environment variables; it cannot be rotated from here.
2. ``SKYWARDEN_SECRET_KEY_FILE``: a file holding the key, created if missing.
3. beside a SQLite database: ``<database file>.key`` (``out/skywarden.db.key``).
4. otherwise (PostgreSQL, in-memory SQLite): ``$XDG_STATE_HOME/skywarden/<db>.key``
   (``~/.local/state``), one file per server and database. Several service machines on
   one PostgreSQL must share the key: give them the same variable or file.

A file is created with ``os.open(..., O_CREAT | O_EXCL, 0o600)`` and filled through a
temporary file renamed into place, so the key is never readable by others, not even
for an instant, and a reader never sees half a key. An existing key file readable by
group or others is refused: a key that others could read must be presumed stolen.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from skywarden.errors import SkywardenError

ENV_KEY = "SKYWARDEN_SECRET_KEY"
ENV_KEY_FILE = "SKYWARDEN_SECRET_KEY_FILE"
MIN_KEY_CHARS = 32


class SecretKeyError(SkywardenError, RuntimeError):
    """The key cannot be read, written or trusted; says which file or variable and why."""


@dataclass(frozen=True, slots=True)
class KeySource:
    """Where the key of one database comes from: a file, or the environment (path None)."""

    path: Path | None
    what: str

    def describe(self) -> str:
        return self.what if self.path is None else str(self.path)


def source_for(db_url: str | URL) -> KeySource:
    """Where the key for ``db_url`` lives (see the module docstring for the order)."""
    if os.environ.get(ENV_KEY):
        return KeySource(None, f"environment variable {ENV_KEY}")
    if os.environ.get(ENV_KEY_FILE):
        return KeySource(Path(os.environ[ENV_KEY_FILE]), f"{ENV_KEY_FILE}")
    u = make_url(db_url) if isinstance(db_url, str) else db_url
    if u.get_backend_name() == "sqlite" and u.database and u.database != ":memory:":
        db = Path(u.database)
        return KeySource(db.with_name(db.name + ".key"), "beside the database")
    state = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    label = f"{u.get_backend_name()}-{u.host or 'local'}-{u.port or ''}-{u.database or 'memory'}"
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", label)
    return KeySource(state / "skywarden" / f"{safe}.key", "per-database state file")


def new_key() -> str:
    """256 random bits, hex: HMAC-SHA256 gains nothing from a longer key (RFC 2104 s3)."""
    return secrets.token_hex(32)


def write_private(path: Path, text: str) -> None:
    """Atomically replace ``path`` with ``text``: a fresh 0600 file renamed into place.

    For any secret written to disk (the key, the first-run password): the file never
    exists with wider permissions, and a reader sees the old content or the new.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except OSError as e:
        raise SecretKeyError(f"{path}: cannot create the key file ({e.strerror})") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _create_once(path: Path) -> None:
    """Create the key file if absent; a concurrent creator wins and its key is kept."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        return
    except OSError as e:
        raise SecretKeyError(f"{path}: cannot create the key file ({e.strerror})") from None
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(new_key() + "\n")
        f.flush()
        os.fsync(f.fileno())


def read_key_file(path: Path) -> str:
    """The key in ``path``, refused if group/other can read it or it is too short."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as e:
        raise SecretKeyError(f"{path}: cannot read the key file ({e.strerror})") from None
    with os.fdopen(fd, encoding="ascii", errors="replace") as f:
        mode = os.fstat(f.fileno()).st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise SecretKeyError(
                f"{path}: key file is readable by others (mode {stat.S_IMODE(mode):04o}); "
                "it must be 0600. Run `skywarden keys rotate` to replace it with a new key"
            )
        key = f.read().strip()
    if len(key) < MIN_KEY_CHARS:
        raise SecretKeyError(f"{path}: key shorter than {MIN_KEY_CHARS} characters")
    return key


def load(db_url: str | URL, *, create: bool = True) -> tuple[str, KeySource]:
    """The key for ``db_url`` and where it came from, creating the file on first use."""
    src = source_for(db_url)
    if src.path is None:
        key = os.environ[ENV_KEY].strip()
        if len(key) < MIN_KEY_CHARS:
            raise SecretKeyError(f"{ENV_KEY}: shorter than {MIN_KEY_CHARS} characters")
        return key, src
    if create:
        _create_once(src.path)
    return read_key_file(src.path), src


def rotate(db_url: str | URL) -> KeySource:
    """Replace the key with a new random one: every token signed with the old key fails."""
    src = source_for(db_url)
    if src.path is None:
        raise SecretKeyError(
            f"the key comes from {ENV_KEY}: set a new value there and restart the service"
        )
    write_private(src.path, new_key() + "\n")
    return src


def fingerprint(key: str) -> str:
    """A short, non-secret name for a key (to say which one is in use, never the key)."""
    return hashlib.sha256(b"skywarden-key-id:" + key.encode()).hexdigest()[:12]
