"""A bounded, crash-safe disk spool: where an edge keeps what NATS could not take yet.

Why: with the bus down, an edge gateway must neither lose accepted detections nor grow
without bound. It appends each message it could not publish here, drains them oldest
first when the bus is back, and acks each one once JetStream has stored it.

Layout, in the spool directory (one process at a time: ``LOCK`` is ``flock``-ed):

- ``seg-<n>.log``: segment files of records, append-only. A record is
  ``<u32 body length><u32 CRC-32 of body>`` then the body ``<u16 id length><id><payload>``.
- ``seg-<n>.ack``: the ids acked out of segment ``n`` (``<u16 length><u32 CRC-32><id>``).
  When every record of a segment is acked, both files are deleted: acked data is
  reclaimed a segment at a time (and at once when the spool empties).

Durability (fsync policy): :meth:`append_many` writes its whole batch with one ``write``
and one ``fsync`` before it returns, so a batch the caller was told is spooled survives a
power cut; :meth:`append` is a batch of one. Acks are written at once but fsynced only
at a segment's rotation, on :meth:`sync` and on :meth:`close`: a lost ack after a power
cut only re-sends a message that JetStream de-duplicates by its ``Nats-Msg-Id``.

Crash safety: on open every record is checked by its length and CRC. A torn or corrupt
record (the last write before a power cut) and anything after it in that segment is
dropped with a :class:`SpoolWarning` naming the file, the offset and the bytes dropped;
every earlier record is kept.

The limit: ``max_bytes`` bounds the spool's files on disk (segments and ack files). An
append that would pass it raises :class:`SpoolFull` and writes nothing: the spool
refuses new data (the source's own back-pressure: the edge stops reading or its sensor
buffers), and never drops old evidence to make room.
"""

from __future__ import annotations

import errno
import fcntl
import os
import struct
import threading
import warnings
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from skywarden.errors import SkywardenError

__all__ = ["DiskSpool", "SpoolError", "SpoolFull", "SpoolWarning"]

HEADER = struct.Struct("<II")  # body length, CRC-32 of body
ID_LEN = struct.Struct("<H")
ACK_HEADER = struct.Struct("<HI")  # id length, CRC-32 of id
MAX_ID_BYTES = 1024
DEFAULT_SEGMENT_BYTES = 16 * 1024 * 1024


class SpoolError(SkywardenError, ValueError):
    """The spool cannot be opened or was given a bad record; the message names the path."""


class SpoolFull(SpoolError):
    """An append would pass the spool's byte limit; nothing of it was written."""


class SpoolWarning(UserWarning):
    """Records were dropped on open because they were torn or corrupt (named in the text)."""


@dataclass(slots=True)
class _Segment:
    seq: int
    path: Path
    fd: int  # read/write descriptor of the .log file
    size: int = 0
    pending: int = 0
    ack_fd: int | None = None
    ack_size: int = 0
    ack_dirty: bool = False
    ids: list[str] = field(default_factory=list)  # in append order, acked ones too
    head: int = 0  # ids[:head] are all acked (acks come mostly in order)

    @property
    def ack_path(self) -> Path:
        return self.path.with_suffix(".ack")


def _seg_name(seq: int) -> str:
    return f"seg-{seq:012d}.log"


class DiskSpool:
    """Append messages by id, read them back oldest first, ack them to free the disk.

    ``len(spool)`` is the number of messages not yet acked; ``bytes_used`` the bytes the
    spool's files hold now (what ``max_bytes`` bounds). Safe to call from several
    threads (one lock); the calls do blocking file I/O, so async callers use
    ``asyncio.to_thread`` for batches.
    """

    def __init__(
        self, path: Path, max_bytes: int, *, segment_bytes: int = DEFAULT_SEGMENT_BYTES
    ) -> None:
        if not isinstance(max_bytes, int) or max_bytes <= 0:
            raise SpoolError(
                f"spool {path}: max_bytes must be a positive integer, not {max_bytes!r}"
            )
        if not isinstance(segment_bytes, int) or segment_bytes <= 0:
            raise SpoolError(f"spool {path}: segment_bytes must be positive, not {segment_bytes!r}")
        self.path = Path(path)
        self.max_bytes = max_bytes
        self.segment_bytes = min(segment_bytes, max_bytes)
        if self.path.exists() and not self.path.is_dir():
            raise SpoolError(f"spool {self.path}: exists and is not a directory")
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            self._lock_fd = os.open(self.path / "LOCK", os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as e:
            raise SpoolError(f"spool {self.path}: cannot open ({e.strerror})") from None
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(self._lock_fd)
            raise SpoolError(f"spool {self.path}: in use by another process (LOCK held)") from None
        self._lock = threading.Lock()
        self._segments: dict[int, _Segment] = {}
        # msg id -> (segment seq, offset of the payload, payload length), in append order
        self._index: dict[str, tuple[int, int, int]] = {}
        self._bytes = 0
        self._closed = False
        self._active: _Segment | None = None
        self._recover()

    # ------------------------------------------------------------------ opening
    def _recover(self) -> None:
        for log_path in sorted(self.path.glob("seg-*.log")):
            try:
                seq = int(log_path.stem[4:])
            except ValueError:
                continue
            self._load_segment(seq, log_path)
        for ack_path in self.path.glob("seg-*.ack"):  # acks of a reclaimed segment
            if not ack_path.with_suffix(".log").exists():
                ack_path.unlink()

    def _load_segment(self, seq: int, log_path: Path) -> None:
        fd = os.open(log_path, os.O_RDWR)
        data = os.pread(fd, os.fstat(fd).st_size, 0)
        seg = _Segment(seq, log_path, fd)
        off, n = 0, len(data)
        while off < n:
            bad = self._bad_record(data, off)
            if bad:
                warnings.warn(
                    f"spool {log_path}: {bad} at byte {off}; dropping the last "
                    f"{n - off} bytes of this segment, keeping the {len(seg.ids)} records before",
                    SpoolWarning,
                    stacklevel=3,
                )
                os.ftruncate(fd, off)
                os.fsync(fd)
                break
            body_len = HEADER.unpack_from(data, off)[0]
            id_len = ID_LEN.unpack_from(data, off + HEADER.size)[0]
            start = off + HEADER.size + ID_LEN.size
            msg_id = data[start : start + id_len].decode("utf-8")
            payload_off = start + id_len
            self._index[msg_id] = (seq, payload_off, off + HEADER.size + body_len - payload_off)
            seg.ids.append(msg_id)
            off += HEADER.size + body_len
        seg.size = off
        acked = self._read_acks(seg)
        for msg_id in acked:
            if msg_id in self._index and self._index[msg_id][0] == seq:
                del self._index[msg_id]
        seg.pending = sum(1 for i in seg.ids if self._index.get(i, (None,))[0] == seq)
        self._segments[seq] = seg
        self._bytes += seg.size + seg.ack_size
        if seg.pending == 0:
            self._drop_segment(seg)

    @staticmethod
    def _bad_record(data: bytes, off: int) -> str | None:
        if off + HEADER.size + ID_LEN.size > len(data):
            return "torn record header"
        body_len, crc = HEADER.unpack_from(data, off)
        end = off + HEADER.size + body_len
        if body_len < ID_LEN.size or end > len(data):
            return "torn record (length past the end)"
        body = data[off + HEADER.size : end]
        if zlib.crc32(body) != crc:
            return "CRC mismatch"
        id_len = ID_LEN.unpack_from(body)[0]
        if ID_LEN.size + id_len > body_len:
            return "id length past the record"
        try:
            body[ID_LEN.size : ID_LEN.size + id_len].decode("utf-8")
        except UnicodeDecodeError:
            return "id not UTF-8"
        return None

    def _read_acks(self, seg: _Segment) -> set[str]:
        p = seg.ack_path
        if not p.exists():
            return set()
        seg.ack_fd = os.open(p, os.O_RDWR | os.O_APPEND)
        data = os.pread(seg.ack_fd, os.fstat(seg.ack_fd).st_size, 0)
        acked: set[str] = set()
        off = 0
        while off + ACK_HEADER.size <= len(data):
            n, crc = ACK_HEADER.unpack_from(data, off)
            raw = data[off + ACK_HEADER.size : off + ACK_HEADER.size + n]
            if len(raw) < n or zlib.crc32(raw) != crc:
                break  # a torn ack: the message is simply sent again (deduplicated)
            acked.add(raw.decode("utf-8", "replace"))
            off += ACK_HEADER.size + n
        if off < len(data):
            os.ftruncate(seg.ack_fd, off)
        seg.ack_size = off
        return acked

    # ------------------------------------------------------------------ writing
    def append(self, msg_id: str, payload: bytes) -> None:
        """Spool one message, durable (fsynced) when this returns."""
        self.append_many(((msg_id, payload),))

    def append_many(self, items: Iterable[tuple[str, bytes]]) -> None:
        """Spool a batch with one write and one fsync; all of it, or none if it would
        pass ``max_bytes`` (:class:`SpoolFull`) or holds a bad or duplicate id."""
        records: list[tuple[str, bytes, int]] = []  # id, record bytes, payload offset in record
        seen: set[str] = set()
        for msg_id, payload in items:
            records.append(self._record(msg_id, payload, seen))
        if not records:
            return
        with self._lock:
            self._check_open()
            for msg_id, _, _ in records:
                if msg_id in self._index:
                    raise SpoolError(f"spool {self.path}: message id {msg_id!r} is already spooled")
            size = sum(len(r) for _, r, _ in records)
            if self._bytes + size > self.max_bytes:
                raise SpoolFull(
                    f"spool {self.path}: full ({self._bytes} of {self.max_bytes} bytes used, "
                    f"{len(self._index)} messages pending); {len(records)} new message(s) of "
                    f"{size} bytes refused until the bus takes the backlog"
                )
            buf = b"".join(r for _, r, _ in records)
            try:
                seg = self._writable(size)
                os.pwrite(seg.fd, buf, seg.size)
                os.fsync(seg.fd)
            except OSError as e:  # nothing counted: a partial write is overwritten next
                cls = SpoolFull if e.errno in (errno.ENOSPC, errno.EDQUOT) else SpoolError
                raise cls(
                    f"spool {self.path}: cannot write {len(records)} message(s) "
                    f"({e.strerror}; {self._bytes} of {self.max_bytes} bytes used)"
                ) from None
            off = seg.size
            for msg_id, rec, payload_at in records:
                self._index[msg_id] = (seg.seq, off + payload_at, len(rec) - payload_at)
                seg.ids.append(msg_id)
                off += len(rec)
            seg.size = off
            seg.pending += len(records)
            self._bytes += size

    def _record(self, msg_id: str, payload: bytes, seen: set[str]) -> tuple[str, bytes, int]:
        if not isinstance(msg_id, str) or not msg_id:
            raise SpoolError(
                f"spool {self.path}: message id must be a non-empty string, not {msg_id!r}"
            )
        if not isinstance(payload, (bytes, bytearray, memoryview)):
            kind = type(payload).__name__
            raise SpoolError(f"spool {self.path}: payload of {msg_id!r} must be bytes, not {kind}")
        raw_id = msg_id.encode("utf-8")
        if len(raw_id) > MAX_ID_BYTES:
            raise SpoolError(f"spool {self.path}: message id longer than {MAX_ID_BYTES} bytes")
        if msg_id in seen:
            raise SpoolError(f"spool {self.path}: message id {msg_id!r} twice in one batch")
        seen.add(msg_id)
        body = ID_LEN.pack(len(raw_id)) + raw_id + bytes(payload)
        rec = HEADER.pack(len(body), zlib.crc32(body)) + body
        return msg_id, rec, HEADER.size + ID_LEN.size + len(raw_id)

    def _writable(self, size: int) -> _Segment:
        seg = self._active
        if (
            seg is not None
            and seg.seq in self._segments
            and (seg.size == 0 or seg.size + size <= self.segment_bytes)
        ):
            return seg
        if seg is not None and seg.seq in self._segments and seg.ack_dirty and seg.ack_fd:
            os.fsync(seg.ack_fd)
            seg.ack_dirty = False
        seq = max(self._segments, default=-1) + 1
        p = self.path / _seg_name(seq)
        fd = os.open(p, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        self._fsync_dir()
        self._active = self._segments[seq] = _Segment(seq, p, fd)
        return self._active

    def _fsync_dir(self) -> None:
        dfd = os.open(self.path, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)

    # ------------------------------------------------------------------ reading, acking
    def pending(self) -> Iterator[tuple[str, bytes]]:
        """The messages not acked yet, oldest first (as appended, across restarts).

        Lazy: each step costs one read, however much is spooled, so a drain that takes
        the first few hundred pays for those only. A message acked meanwhile is skipped;
        one appended meanwhile is included.
        """
        seq = -1
        while True:
            with self._lock:
                later = [k for k in self._segments if k > seq]
                if not later:
                    return
                seq = min(later)
                i = self._segments[seq].head
            while True:
                with self._lock:
                    seg = self._segments.get(seq)
                    if seg is None or i >= len(seg.ids):
                        break
                    msg_id = seg.ids[i]
                    where = self._index.get(msg_id)
                    payload = None
                    if where is not None and where[0] == seq:
                        payload = os.pread(seg.fd, where[2], where[1])
                i += 1
                if payload is not None:
                    yield msg_id, payload

    def ack(self, msg_id: str) -> None:
        """Forget a message the bus has stored; its segment is deleted once all are acked."""
        with self._lock:
            self._check_open()
            where = self._index.pop(msg_id, None)
            if where is None:
                raise SpoolError(f"spool {self.path}: ack of {msg_id!r}, which is not pending")
            seg = self._segments[where[0]]
            seg.pending -= 1
            while seg.head < len(seg.ids) and seg.ids[seg.head] not in self._index:
                seg.head += 1
            if seg.pending == 0:
                self._drop_segment(seg)
                return
            if seg.ack_fd is None:
                seg.ack_fd = os.open(seg.ack_path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
            raw = msg_id.encode("utf-8")
            rec = ACK_HEADER.pack(len(raw), zlib.crc32(raw)) + raw
            os.write(seg.ack_fd, rec)
            seg.ack_size += len(rec)
            seg.ack_dirty = True
            self._bytes += len(rec)

    def _drop_segment(self, seg: _Segment) -> None:
        os.close(seg.fd)
        if seg.ack_fd is not None:
            os.close(seg.ack_fd)
        seg.path.unlink(missing_ok=True)
        seg.ack_path.unlink(missing_ok=True)
        self._bytes -= seg.size + seg.ack_size
        del self._segments[seg.seq]
        if self._active is not None and self._active.seq == seg.seq:
            self._active = None

    # ------------------------------------------------------------------ state
    def __len__(self) -> int:
        return len(self._index)

    @property
    def bytes_used(self) -> int:
        """Bytes of the spool's segment and ack files now (what ``max_bytes`` bounds)."""
        return self._bytes

    def sync(self) -> None:
        """fsync the acks written since the last sync (appends are fsynced already)."""
        with self._lock:
            for seg in self._segments.values():
                if seg.ack_dirty and seg.ack_fd is not None:
                    os.fsync(seg.ack_fd)
                    seg.ack_dirty = False

    def close(self) -> None:
        if self._closed:
            return
        self.sync()
        with self._lock:
            for seg in self._segments.values():
                os.close(seg.fd)
                if seg.ack_fd is not None:
                    os.close(seg.ack_fd)
            self._segments.clear()
            self._closed = True
            os.close(self._lock_fd)

    def _check_open(self) -> None:
        if self._closed:
            raise SpoolError(f"spool {self.path}: closed")

    def __enter__(self) -> DiskSpool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
