"""The audit log: chained JSONL records an auditor can verify and replay.

Each line is one :class:`~filters.models.AuditRecord` with ``seq`` (0, 1, 2, ...),
``prev_hash`` (the previous line's ``record_hash``) and ``record_hash`` (SHA-256 over the
previous hash and the record's canonical JSON). Editing, inserting, deleting or reordering
a line breaks the chain. A sidecar ``LOG.head`` file holds the last sequence number and
hash, so cutting records off the end is detected too.

Writers take an exclusive ``flock`` for each append, re-read the tail when another writer
has appended since, and write each line with a single ``write`` on a file opened for
appending, so concurrent writers interleave whole lines and a killed process leaves whole
lines behind (a short write is cut back off before the error is raised). :class:`AuditWriter`
keeps the file open for a stream of records and syncs the file and the head every so many
records; :func:`append_record` is the one-record form and syncs at once. The head is only
ever written after the lines it points to are on disk, so it may lag the log after a crash
(:func:`verify_log` notes that) but never runs ahead of it.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from pydantic import ValidationError

from filters.errors import AuditLogError
from filters.models import AuditRecord

GENESIS = "0" * 64


def canonical_json(data: dict[str, Any]) -> str:
    """The exact bytes that are hashed: sorted keys, no spaces, UTF-8."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def record_hash(prev_hash: str, data: dict[str, Any]) -> str:
    """Hash of a record chained to its predecessor (``record_hash`` itself excluded)."""
    body = {k: v for k, v in data.items() if k != "record_hash"}
    return hashlib.sha256((prev_hash + canonical_json(body)).encode("utf-8")).hexdigest()


_PLACEHOLDER = "record-hash-placeholder-" + os.urandom(12).hex()


def chain_line(prev_hash: str, data: dict[str, Any]) -> str:
    """Set ``data["record_hash"]`` and return the record's canonical JSON line.

    The same bytes as hashing with :func:`record_hash` and then dumping, with one JSON dump
    instead of two: the record is dumped with a placeholder hash, the body that is hashed
    is that text without the ``record_hash`` member, and the placeholder is then replaced.
    """
    data["record_hash"] = _PLACEHOLDER
    text = canonical_json(data)
    member = f',"record_hash":"{_PLACEHOLDER}"'
    if text.count(_PLACEHOLDER) != 1 or member not in text:  # cannot happen; stay correct
        data["record_hash"] = record_hash(prev_hash, data)
        return canonical_json(data)
    body = text.replace(member, "", 1)
    digest = hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()
    data["record_hash"] = digest
    return text.replace(_PLACEHOLDER, digest, 1)


def head_path(log: Path) -> Path:
    """Where the log's head (last seq and hash) is kept."""
    return log.with_name(log.name + ".head")


def _last_line(fd: int) -> bytes | None:
    """The last line of an open file (without its end of line), read backwards."""
    size = os.fstat(fd).st_size
    if size == 0:
        return None
    chunk = 4096
    pos = size
    buf = b""
    while pos > 0:
        step = min(chunk, pos)
        pos -= step
        buf = os.pread(fd, step, pos) + buf
        stripped = buf.rstrip(b"\n")
        nl = stripped.rfind(b"\n")
        if nl != -1:
            return stripped[nl + 1 :]
        chunk *= 2
    return buf.rstrip(b"\n")


def _tail(fd: int, path: Path) -> tuple[str, int]:
    """``(prev_hash, next seq)`` for the record that joins the log next.

    Raises:
        AuditLogError: the log ends mid-line or with a line that is not a chained record.
    """
    size = os.fstat(fd).st_size
    if size and os.pread(fd, 1, size - 1) != b"\n":
        raise AuditLogError(
            f"audit log {path} ends with an incomplete line (a crash during a write?); "
            "check it with `prepub audit verify` and move it aside"
        )
    last = _last_line(fd)
    if not last:
        return GENESIS, 0
    try:
        prev = json.loads(last)
        return str(prev["record_hash"]), int(prev["seq"]) + 1
    except (ValueError, KeyError, TypeError):
        raise AuditLogError(
            f"audit log {path} ends with a line that is not a chained record"
        ) from None


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written <= 0:
            raise OSError(28, "no space left on device")
        view = view[written:]


class AuditWriter:
    """Appends chained records to one log, keeping it open for a stream of articles.

    Use as a context manager. Each :meth:`append` is atomic with respect to other writers
    (processes or threads with their own writer); the file is ``fsync``-ed and the head
    rewritten every ``sync_every`` records or ``sync_seconds``, and on :meth:`close`.
    A writer object itself is not meant to be shared between threads without a lock;
    it takes one anyway, so sharing is safe, only serialised.
    """

    def __init__(
        self, log: str | Path, *, sync_every: int = 256, sync_seconds: float = 1.0
    ) -> None:
        self.path = Path(log)
        self.sync_every = max(1, sync_every)
        self.sync_seconds = sync_seconds
        self._lock = threading.Lock()
        self._prev_hash = GENESIS
        self._seq = 0
        self._size = -1  # file size after our last append; -1: tail unknown
        self._unsynced = 0
        self._appended = 0
        self._last_sync = time.monotonic()
        try:
            self._fd: int | None = os.open(
                self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644
            )
        except OSError as exc:
            raise AuditLogError(f"cannot open audit log {self.path}: {exc.strerror}") from None

    def __enter__(self) -> AuditWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def append(
        self,
        data: dict[str, Any],
        before_write: Callable[[dict[str, Any], str], None] | None = None,
    ) -> dict[str, Any]:
        """Chain ``data`` (an audit record as JSON data) to the log and append it.

        ``data`` gets ``seq``, ``prev_hash`` and ``record_hash`` in place and is returned.
        ``before_write(data, line)`` runs with the chained record and its JSON text while
        the log is locked and before the line is written: the batch engine writes its
        output record there, so a killed run never has an audit record without its output
        record.

        Raises:
            AuditLogError: the log cannot be written, or its last line is not a record.
        """
        with self._lock:
            fd = self._fileno()
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                try:
                    size = os.fstat(fd).st_size
                    if size != self._size:  # first append, or another writer appended
                        self._prev_hash, self._seq = _tail(fd, self.path)
                        self._size = size
                    data.update(seq=self._seq, prev_hash=self._prev_hash)
                    text = chain_line(self._prev_hash, data)
                    if before_write is not None:
                        before_write(data, text)
                    line = (text + "\n").encode("utf-8")
                    try:
                        _write_all(fd, line)
                    except OSError:
                        os.ftruncate(fd, size)  # never leave half a record behind
                        raise
                    self._size = size + len(line)
                    self._prev_hash, self._seq = data["record_hash"], self._seq + 1
                    self._unsynced += 1
                    self._appended += 1
                    if (
                        self._appended == 1  # a head from the start: a kill can only make it lag
                        or self._unsynced >= self.sync_every
                        or time.monotonic() - self._last_sync >= self.sync_seconds
                    ):
                        self._sync_locked(fd)
                finally:
                    fcntl.flock(fd, fcntl.LOCK_UN)
            except OSError as exc:
                raise AuditLogError(
                    f"cannot write audit log {self.path}: {exc.strerror or exc}"
                ) from None
        return data

    def sync(self) -> None:
        """Flush the log to disk and move the head checkpoint to its last record."""
        with self._lock:
            fd = self._fileno()
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                try:
                    self._sync_locked(fd)
                finally:
                    fcntl.flock(fd, fcntl.LOCK_UN)
            except OSError as exc:
                raise AuditLogError(
                    f"cannot sync audit log {self.path}: {exc.strerror or exc}"
                ) from None

    def close(self) -> None:
        """Sync and close; safe to call twice."""
        if self._fd is None:
            return
        try:
            if self._unsynced:
                self.sync()
        finally:
            os.close(self._fd)
            self._fd = None

    def _fileno(self) -> int:
        if self._fd is None:
            raise AuditLogError(f"audit log {self.path} is closed")
        return self._fd

    def _sync_locked(self, fd: int) -> None:
        os.fsync(fd)
        if os.fstat(fd).st_size != self._size:  # another writer appended: head is its last
            self._prev_hash, self._seq = _tail(fd, self.path)
            self._size = os.fstat(fd).st_size
        if self._seq:
            _write_head(self.path, self._seq - 1, self._prev_hash)
        self._unsynced = 0
        self._last_sync = time.monotonic()


def append_record(log: str | Path, record: AuditRecord) -> AuditRecord:
    """Chain ``record`` to the log's last record, append it atomically and sync.

    Raises:
        AuditLogError: the log cannot be written, or its last line is not a record.
    """
    with AuditWriter(log, sync_every=1) as writer:
        data = writer.append(record.model_dump(mode="json"))
    return AuditRecord.model_validate(data)


def _write_head(log: Path, seq: int, digest: str) -> None:
    head = head_path(log)
    tmp = head.with_name(f"{head.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    payload = (json.dumps({"seq": seq, "record_hash": digest}) + "\n").encode("utf-8")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
    try:
        _write_all(fd, payload)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, head)


def read_head(log: str | Path) -> tuple[int, str] | None:
    """The head checkpoint ``(seq, record_hash)`` of a log, or None when there is none.

    Raises:
        AuditLogError: the head file exists but cannot be read.
    """
    head = head_path(Path(log))
    if not head.is_file():
        return None
    try:
        checkpoint = json.loads(head.read_text(encoding="utf-8"))
        return int(checkpoint["seq"]), str(checkpoint["record_hash"])
    except (ValueError, KeyError, TypeError, OSError):
        raise AuditLogError(f"{head.name}: unreadable") from None


def find_record(log: str | Path, seq: int) -> dict[str, Any] | None:
    """The record with sequence number ``seq``, reading backwards from the end of the log.

    For checking the last records of a long log without reading all of it; None when the
    log has no such record.
    """
    path = Path(log)
    if not path.is_file():
        return None
    for raw in _lines_backwards(path):
        try:
            data = json.loads(raw)
            found = int(data["seq"])
        except (ValueError, KeyError, TypeError):
            return None
        if found == seq:
            return data if isinstance(data, dict) else None
        if found < seq:
            return None
    return None


def _lines_backwards(path: Path, chunk: int = 65536) -> Iterator[bytes]:
    with open(path, "rb") as fh:
        pos = fh.seek(0, os.SEEK_END)
        rest = b""
        while pos > 0:
            step = min(chunk, pos)
            pos -= step
            fh.seek(pos)
            buf = fh.read(step) + rest
            lines = buf.split(b"\n")
            rest = lines[0]
            for line in reversed(lines[1:]):
                if line.strip():
                    yield line
        if rest.strip():
            yield rest


@dataclass
class Verification:
    """Outcome of :func:`verify_log`."""

    records: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the chain is intact and complete."""
        return not self.problems


def iter_records(log: str | Path) -> Iterator[tuple[int, dict[str, Any] | None, str]]:
    """``(line number, parsed record or None, raw line)`` for every line of a log."""
    with open(log, "rb") as fh:
        for number, raw in enumerate(fh, start=1):
            text = raw.decode("utf-8", "replace")
            try:
                data = json.loads(text)
            except ValueError:
                yield number, None, text
                continue
            yield number, data if isinstance(data, dict) else None, text


def verify_log(log: str | Path) -> Verification:
    """Check every link of the chain, every record's schema and the head checkpoint.

    Reads the log once, front to back, in constant memory (a long log is fine).
    """
    path = Path(log)
    result = Verification()
    if not path.is_file():
        result.problems.append(f"{path}: no such audit log")
        return result
    try:
        checkpoint = read_head(path)
    except AuditLogError as exc:
        checkpoint = None
        head_problem: str | None = str(exc)
    else:
        head_problem = None
    head_seq = checkpoint[0] if checkpoint else -1
    head_hash_in_log: str | None = None
    prev_hash, expected_seq = GENESIS, 0
    for number, data, raw in iter_records(path):
        if not raw.endswith("\n"):
            result.problems.append(f"line {number}: truncated (no end of line)")
        if data is None:
            result.problems.append(f"line {number}: not a JSON record")
            break
        seq = data.get("seq")
        if seq != expected_seq:
            result.problems.append(
                f"line {number}: seq {seq}, expected {expected_seq} (record missing, inserted or reordered)"
            )
            break
        if data.get("prev_hash") != prev_hash:
            result.problems.append(
                f"line {number}: prev_hash does not match the previous record (reordered or removed)"
            )
            break
        if record_hash(prev_hash, data) != data.get("record_hash"):
            result.problems.append(
                f"line {number}: record_hash does not match its content (edited)"
            )
            break
        try:
            AuditRecord.model_validate(data)
        except ValidationError as exc:
            result.problems.append(
                f"line {number}: not a valid audit record ({exc.error_count()} schema errors)"
            )
            break
        prev_hash = data["record_hash"]
        if seq == head_seq:
            head_hash_in_log = prev_hash
        expected_seq += 1
        result.records += 1
    if result.problems:
        return result
    head = head_path(path)
    if head_problem:
        result.problems.append(head_problem)
        return result
    if checkpoint is None:
        if result.records:
            result.problems.append(
                f"{head.name}: missing, so truncation at the end cannot be ruled out"
            )
        return result
    if head_seq >= result.records:
        result.problems.append(
            f"truncated: the head records {head_seq + 1} records, the log holds {result.records}"
        )
    elif head_hash_in_log != checkpoint[1]:
        result.problems.append(
            f"{head.name}: record {head_seq} hash differs from the head (log rewritten)"
        )
    elif head_seq < result.records - 1:
        result.notes.append(
            f"{result.records - 1 - head_seq} record(s) after the head checkpoint "
            "(the writer stopped before its last sync; the next append moves the head)"
        )
    return result
