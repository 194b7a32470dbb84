"""The audit log: chained JSONL records an auditor can verify and replay.

Each line is one :class:`~filters.models.AuditRecord` with ``seq`` (0, 1, 2, ...),
``prev_hash`` (the previous line's ``record_hash``) and ``record_hash`` (SHA-256 over the
previous hash and the record's canonical JSON). Editing, inserting, deleting or reordering
a line breaks the chain. A sidecar ``LOG.head`` file holds the last sequence number and
hash, so cutting records off the end is detected too.

Appends take an exclusive lock and write each line with a single ``write`` on a file
opened for appending, so concurrent writers interleave whole lines and a killed process
leaves whole lines behind.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
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


def head_path(log: Path) -> Path:
    """Where the log's head (last seq and hash) is kept."""
    return log.with_name(log.name + ".head")


def _last_line(fd: int) -> bytes | None:
    """The last complete line of an open file, read backwards from the end."""
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


def append_record(log: str | Path, record: AuditRecord) -> AuditRecord:
    """Chain ``record`` to the log's last record and append it atomically.

    Raises:
        AuditLogError: the log cannot be written, or its last line is not a record.
    """
    path = Path(log)
    try:
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    except OSError as exc:
        raise AuditLogError(f"cannot open audit log {path}: {exc.strerror}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        last = _last_line(fd)
        if last:
            try:
                prev = json.loads(last)
                prev_hash, seq = prev["record_hash"], int(prev["seq"]) + 1
            except (ValueError, KeyError, TypeError):
                raise AuditLogError(
                    f"audit log {path} ends with a line that is not a chained record"
                ) from None
        else:
            prev_hash, seq = GENESIS, 0
        data = record.model_dump(mode="json")
        data.update(seq=seq, prev_hash=prev_hash, record_hash=None)
        data["record_hash"] = record_hash(prev_hash, data)
        line = (canonical_json(data) + "\n").encode("utf-8")
        written = os.write(fd, line)
        if written != len(line):
            raise AuditLogError(f"short write to audit log {path}")
        os.fsync(fd)
        _write_head(path, seq, data["record_hash"])
        return AuditRecord.model_validate(data)
    except OSError as exc:
        raise AuditLogError(f"cannot write audit log {path}: {exc.strerror}") from None
    finally:
        os.close(fd)


def _write_head(log: Path, seq: int, digest: str) -> None:
    head = head_path(log)
    tmp = head.with_name(head.name + f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"seq": seq, "record_hash": digest}) + "\n", encoding="utf-8")
    os.replace(tmp, head)


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
    """Check every link of the chain, every record's schema and the head checkpoint."""
    path = Path(log)
    result = Verification()
    if not path.is_file():
        result.problems.append(f"{path}: no such audit log")
        return result
    prev_hash, expected_seq = GENESIS, 0
    hashes: dict[int, str] = {}
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
        hashes[seq] = prev_hash
        expected_seq += 1
        result.records += 1
    head = head_path(path)
    if result.problems:
        return result
    if not head.is_file():
        if result.records:
            result.problems.append(
                f"{head.name}: missing, so truncation at the end cannot be ruled out"
            )
        return result
    try:
        checkpoint = json.loads(head.read_text(encoding="utf-8"))
        head_seq, head_hash = int(checkpoint["seq"]), str(checkpoint["record_hash"])
    except (ValueError, KeyError, TypeError, OSError):
        result.problems.append(f"{head.name}: unreadable")
        return result
    if head_seq >= result.records:
        result.problems.append(
            f"truncated: the head records {head_seq + 1} records, the log holds {result.records}"
        )
    elif hashes.get(head_seq) != head_hash:
        result.problems.append(
            f"{head.name}: record {head_seq} hash differs from the head (log rewritten)"
        )
    elif head_seq < result.records - 1:
        result.notes.append(
            f"{result.records - 1 - head_seq} record(s) after the head checkpoint (interrupted append)"
        )
    return result
