"""Batch checking: a stream of JSONL records in, one output record per input record out.

An ingest pipeline sees a feed, not a file. This module checks a stream of records in
parallel worker processes while keeping three promises: **every** input record gets exactly
one output record (a result, or an error record saying why), output comes **in input
order**, and memory stays **bounded** however long the stream is (a bounded hand-over
queue from the reader and a bounded window of records in flight).

Input record, one JSON object a line (UTF-8)::

    {"id": "a-17", "content": "...", "source": "Reuters", "url": "https://...",
     "language": null, "content_type": "auto", "fix": false, ...other fields}

``content`` is the article as text; raw bytes go base64-encoded in ``content_b64`` instead
(the charset is then detected as for a file). Only ``content`` (or ``content_b64``) is
required. Other fields are passed through to the output record unchanged. Blank lines
are not records.

Output record, one JSON object a line, in input order::

    {"id": "a-17", "line": 1, "ok": true, ...other fields, "result": <Result JSON>}
    {"id": "a-18", "line": 2, "ok": false, ...other fields,
     "error": {"kind": "json", "message": "...", "line": 2}}

``line`` is the 1-based line number in the input. ``result`` is exactly what
``prepub check --format json`` prints; when the run writes an audit log, its ``audit``
carries the chain fields (``seq``, ``prev_hash``, ``record_hash``) of the log line.
Error kinds: ``json`` (not JSON), ``record`` (not an object, or a field of the wrong
type), ``missing_content``, ``undecodable`` (a line that is not UTF-8, bad base64, or
bytes that are not text), ``oversize`` (the line or the content is over the limit),
``input`` (any other input the pipeline rejects), ``internal`` (a bug) and ``crash``
(a worker process died on this record, twice). An input field named like an output key
(``line``, ``ok``, ``result``, ``error``, ``input_fields``) is kept under ``input_fields``.

Use from Python::

    from filters.batch import check_records
    for outcome in check_records(records, jobs=4):   # dicts, JSON lines or bytes
        outcome.record()                              # the output record as a dict

:func:`run_jsonl` is the file-to-file form behind ``prepub batch`` (resume, audit log,
progress). Nothing here prints; progress goes to a callback.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import multiprocessing
import os
import re
import signal
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from filters.audit import AuditWriter, canonical_json, find_record
from filters.errors import InputError, PrepubError
from filters.pipeline import Pipeline

log = logging.getLogger(__name__)

Item = bytes | str | dict[str, Any] | None  # a JSONL line, a parsed record, or None: oversize
ERROR_KINDS = (
    "json",
    "record",
    "missing_content",
    "undecodable",
    "oversize",
    "input",
    "internal",
    "crash",
)
_RESERVED = frozenset({"id", "line", "ok", "result", "error", "input_fields"})
_ARGUMENTS = frozenset(
    {"content", "content_b64", "source", "url", "language", "content_type", "fix"}
)
_CONTENT_TYPES = frozenset({"auto", "text", "html"})
_ID_SALVAGE = re.compile(r'"id"\s*:\s*("(?:[^"\\]|\\.){0,512}"|-?\d{1,30})')


class BatchError(PrepubError):
    """A batch run cannot start or go on (output not writable, resume impossible...)."""


def default_jobs() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def max_line_bytes_for(max_bytes: int) -> int:
    """Longest JSONL line read into memory: room for the content JSON-escaped, plus fields."""
    return 2 * max_bytes + 65536


# ---------------------------------------------------------------------------------------
# One record


@dataclass(frozen=True)
class BatchOptions:
    """Defaults for every record (a record's own ``fix``/``content_type`` win)."""

    content_type: str = "auto"
    fix: bool = False
    chain_audit: bool = False  # keep the audit record as data, for the caller to chain


@dataclass(slots=True)
class Outcome:
    """The output record of one input record, ready to write.

    The record's JSON text is ``head + <audit record JSON> + tail``; the audit part is
    empty unless the run chains audit records (then :attr:`audit` holds the record as
    data until the caller chains it, see :meth:`text`).
    """

    line: int
    id: Any
    status: str  # "publish" | "review" | "block" | "error"
    head: str
    tail: str = ""
    audit: dict[str, Any] | None = None
    error_kind: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the record was checked (False: an error record)."""
        return self.status != "error"

    def text(self, audit_json: str | None = None) -> str:
        """The output record as one JSON line (without the end of line).

        ``audit_json`` is the chained audit record's JSON text when the caller has it.
        """
        if self.audit is None:
            return self.head + self.tail
        return self.head + (audit_json or canonical_json(self.audit)) + self.tail

    def record(self) -> dict[str, Any]:
        """The output record as a dict."""
        data: dict[str, Any] = json.loads(self.text())
        return data


class _Reject(Exception):
    """A record that cannot be checked; becomes an error record."""

    def __init__(self, kind: str, message: str, ident: Any = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.ident = ident


def check_record(pipeline: Pipeline, line: int, item: Item, options: BatchOptions) -> Outcome:
    """Check one input record. Never raises for a bad record: it returns an error outcome."""
    ident: Any = None
    extra: dict[str, Any] = {}
    content: str | bytes = ""
    try:
        record = _parse(item)
        ident = record.get("id")
        extra = {k: v for k, v in record.items() if k not in _ARGUMENTS and k != "id"}
        content, kwargs = _arguments(record, options, pipeline.max_bytes)
        result = pipeline.check(content, record_id=_audit_id(ident), **kwargs)
    except _Reject as exc:
        return _error(line, exc.ident if ident is None else ident, extra, exc.kind, exc.message)
    except InputError as exc:  # bytes the loader cannot read as text are "undecodable"
        kind = "undecodable" if isinstance(content, bytes) else "input"
        return _error(line, ident, extra, kind, str(exc))
    except Exception as exc:  # a bug must not lose the record: it becomes an error record
        log.warning("line %d: internal error: %s: %s", line, type(exc).__name__, exc)
        log.debug("line %d: traceback", line, exc_info=True)
        return _error(line, ident, extra, "internal", f"{type(exc).__name__}: {exc}")
    prefix = _prefix(ident, line, True, extra)
    if options.chain_audit:
        body = result.model_dump_json(exclude={"audit"})
        return Outcome(
            line,
            ident,
            result.decision,
            f'{prefix},"result":{body[:-1]},"audit":',
            "}}",
            result.audit.model_dump(mode="json"),
        )
    return Outcome(line, ident, result.decision, f'{prefix},"result":{result.model_dump_json()}}}')


def _parse(item: Item) -> dict[str, Any]:
    if item is None:
        raise _Reject("oversize", "line is over the size limit; it was not read")
    if isinstance(item, dict):
        return item
    if not isinstance(item, bytes | str):
        raise _Reject(
            "record",
            f"a record must be a dict, a JSON line or bytes, not {type(item).__name__}",
        )
    if isinstance(item, bytes):
        try:
            text = item.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _Reject(
                "undecodable",
                f"line is not UTF-8 (byte {exc.start}); JSONL must be UTF-8, send article bytes base64-encoded as content_b64",
                _salvage_id(item.decode("utf-8", "replace")),
            ) from None
    else:
        text = item
    try:
        data = json.loads(text)
    except ValueError as exc:
        msg = getattr(exc, "msg", str(exc))
        col = getattr(exc, "colno", None)
        where = f" (column {col})" if col is not None else ""
        raise _Reject("json", f"not valid JSON: {msg}{where}", _salvage_id(text)) from None
    if not isinstance(data, dict):
        raise _Reject("record", f"a record must be a JSON object, not {_json_type(data)}")
    return data


def _arguments(
    record: dict[str, Any], options: BatchOptions, max_bytes: int
) -> tuple[str | bytes, dict[str, Any]]:
    has_text, has_b64 = record.get("content") is not None, record.get("content_b64") is not None
    if has_text and has_b64:
        raise _Reject("record", "give content or content_b64, not both")
    if not has_text and not has_b64:
        raise _Reject("missing_content", "record has no content (or content_b64)")
    content: str | bytes
    if has_text:
        content = record["content"]
        if not isinstance(content, str):
            raise _Reject(
                "record",
                f"content must be a string, not {_json_type(content)} (bytes go in content_b64)",
            )
        if not content.strip():
            raise _Reject("missing_content", "content is empty")
        size = len(content) if len(content) * 4 <= max_bytes else _utf8_len(content)
    else:
        encoded = record["content_b64"]
        if not isinstance(encoded, str):
            raise _Reject("record", f"content_b64 must be a string, not {_json_type(encoded)}")
        if len(encoded) * 3 // 4 > max_bytes + 3:
            raise _Reject("oversize", f"content is over the limit of {max_bytes:,} bytes")
        try:
            content = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise _Reject("undecodable", "content_b64 is not valid base64") from None
        if not content:
            raise _Reject("missing_content", "content is empty")
        size = len(content)
    if size > max_bytes:
        raise _Reject("oversize", f"content is {size:,} bytes, over the limit of {max_bytes:,}")
    kwargs: dict[str, Any] = {
        "content_type": record.get("content_type") or options.content_type,
        "fix": options.fix,
    }
    for name in ("source", "url", "language"):
        value = record.get(name)
        if value is not None and not isinstance(value, str):
            raise _Reject("record", f"{name} must be a string or null, not {_json_type(value)}")
        kwargs[name] = value or None
    if kwargs["content_type"] not in _CONTENT_TYPES:
        raise _Reject("record", "content_type must be auto, text or html")
    fix = record.get("fix")
    if fix is not None:
        if not isinstance(fix, bool):
            raise _Reject("record", f"fix must be true or false, not {_json_type(fix)}")
        kwargs["fix"] = fix
    return content, kwargs


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "a number"
    return names.get(type(value), type(value).__name__)


def _salvage_id(text: str) -> Any:
    """Best effort: the ``id`` of a line that is not JSON, so the error can be traced."""
    m = _ID_SALVAGE.search(text[:65536])
    if not m:
        return None
    try:
        return json.loads(m.group(1))
    except ValueError:
        return None


def _audit_id(ident: Any) -> str | None:
    if ident is None:
        return None
    if isinstance(ident, str):
        return ident
    return json.dumps(ident, ensure_ascii=False)


def _dumps(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from a \ud800 escape: keep it escaped
        text = json.dumps(value)
    return text


def _prefix(ident: Any, line: int, ok: bool, extra: dict[str, Any]) -> str:
    """The output record's JSON text up to its result or error (no closing brace)."""
    parts = [f'{{"id":{_dumps(ident)},"line":{line},"ok":{"true" if ok else "false"}']
    moved = {k: v for k, v in extra.items() if k in _RESERVED}
    for key, value in extra.items():
        if key not in _RESERVED:
            parts.append(f",{_dumps(key)}:{_dumps(value)}")
    if moved:
        parts.append(f',"input_fields":{_dumps(moved)}')
    return "".join(parts)


def _error(line: int, ident: Any, extra: dict[str, Any], kind: str, message: str) -> Outcome:
    error = _dumps({"kind": kind, "message": message, "line": line})
    return Outcome(
        line,
        ident,
        "error",
        f'{_prefix(ident, line, False, extra)},"error":{error}}}',
        "",
        None,
        kind,
    )


# ---------------------------------------------------------------------------------------
# Reading


class _Reader:
    """JSONL lines of a binary stream: ``(line number, raw line or None when oversize)``.

    Reads at most ``max_line_bytes`` of a line into memory; a longer line is skipped to
    its end and reported as None. Blank lines are skipped. ``bytes_read`` counts every
    byte consumed, for progress.
    """

    def __init__(self, fh: IO[bytes], max_line_bytes: int, *, name: str = "input") -> None:
        self.fh = fh
        self.max_line_bytes = max_line_bytes
        self.name = name
        self.number = 0
        self.bytes_read = 0

    def _readline(self, limit: int) -> bytes:
        try:
            return self.fh.readline(limit)
        except OSError as exc:
            raise BatchError(f"cannot read {self.name}: {exc.strerror or exc}") from None

    def __iter__(self) -> Iterator[tuple[int, Item]]:
        limit = self.max_line_bytes
        while True:
            raw = self._readline(limit + 1)
            if not raw:
                return
            self.number += 1
            self.bytes_read += len(raw)
            if len(raw) > limit and not raw.endswith(b"\n"):
                self._skip_rest()
                yield self.number, None
                continue
            if raw.strip():
                yield self.number, raw

    def skip(self, count: int) -> bytes | None:
        """Skip the next ``count`` lines (already done); return the last one skipped."""
        last = None
        while self.number < count:
            raw = self._readline(self.max_line_bytes + 1)
            if not raw:
                break
            self.number += 1
            self.bytes_read += len(raw)
            if len(raw) > self.max_line_bytes and not raw.endswith(b"\n"):
                self._skip_rest()
                raw = b""
            last = raw
        return last

    def _skip_rest(self) -> None:
        while True:
            rest = self._readline(1 << 20)
            self.bytes_read += len(rest)
            if not rest or rest.endswith(b"\n"):
                return


class _Handover:
    """A bounded queue from the reader thread: at most ``max_items`` and ``max_bytes``.

    One item always fits, however large, so an oversize-but-allowed line cannot deadlock.
    """

    def __init__(self, max_items: int, max_bytes: int) -> None:
        self.max_items = max_items
        self.max_bytes = max_bytes
        self._items: deque[tuple[int, Item, int]] = deque()
        self._bytes = 0
        self._cond = threading.Condition()
        self.eof = False
        self.closed = False
        self.error: BaseException | None = None

    def put(self, line: int, item: Item, size: int) -> bool:
        """Add an item, waiting for room; False when the consumer has gone."""
        with self._cond:
            while (
                not self.closed
                and self._items
                and (len(self._items) >= self.max_items or self._bytes + size > self.max_bytes)
            ):
                self._cond.wait()
            if self.closed:
                return False
            self._items.append((line, item, size))
            self._bytes += size
            self._cond.notify_all()
            return True

    def finish(self, error: BaseException | None = None) -> None:
        """The reader is done (or failed with ``error``)."""
        with self._cond:
            self.eof = True
            self.error = error
            self._cond.notify_all()

    def close(self) -> None:
        """The consumer is done; a waiting reader gives up."""
        with self._cond:
            self.closed = True
            self._items.clear()
            self._cond.notify_all()

    def take(
        self, max_items: int, max_bytes: int, wait_first: float = 0.0
    ) -> list[tuple[int, Item, int]]:
        """What is available now, up to the limits; waits up to ``wait_first`` s for one."""
        with self._cond:
            if not self._items and not self.eof and wait_first > 0:
                self._cond.wait(wait_first)
            out: list[tuple[int, Item, int]] = []
            size = 0
            while self._items and len(out) < max_items:
                if out and size + self._items[0][2] > max_bytes:
                    break
                entry = self._items.popleft()
                size += entry[2]
                self._bytes -= entry[2]
                out.append(entry)
            if out:
                self._cond.notify_all()
            return out

    @property
    def drained(self) -> bool:
        """The reader is done and everything it read has been taken."""
        with self._cond:
            return self.eof and not self._items


def _pump(items: Iterable[tuple[int, Item]], queue: _Handover) -> None:
    try:
        for line, item in items:
            size = len(item) if isinstance(item, bytes | str) else 1024
            if not queue.put(line, item, size):
                return
    except BaseException as exc:  # handed to the consumer, raised after draining
        queue.finish(exc)
        return
    queue.finish()


# ---------------------------------------------------------------------------------------
# Worker processes

_worker: tuple[Pipeline, BatchOptions] | None = None


def _init_worker(pipeline: Pipeline, options: BatchOptions) -> None:
    """Worker initialiser: Ctrl-C is the parent's business; warm the pipeline once."""
    global _worker
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker = (pipeline.warm_up(), options)


def _check_chunk(chunk: list[tuple[int, Item]]) -> list[Outcome]:
    assert _worker is not None, "worker not initialised"
    pipeline, options = _worker
    return [check_record(pipeline, line, item, options) for line, item in chunk]


def _ready() -> int:
    return os.getpid()


@dataclass
class _Chunk:
    items: list[tuple[int, Item]]
    size: int
    future: Future[list[Outcome]]


class BatchEngine:
    """Checks a stream of records on ``jobs`` processes, yielding outcomes in input order.

    A reader thread pulls the input into a bounded queue, chunks of up to ``chunk_records``
    records go to a pool of ``jobs`` worker processes, and at most ``window`` chunks are in
    flight, so the records held are bounded whatever the input's length. Workers are
    replaced by a fresh pool every ``recycle_after`` records: a long-lived checker's
    memory creeps up with every new token the spaCy tokeniser under presidio meets
    (about 1.6 KB per record with unique e-mail addresses and numbers), and a million
    records must run in constant memory. A worker that dies is replaced; the records it
    held are re-checked one by one, and a record that kills a worker again becomes a
    ``crash`` error record.

    ``in_process=True`` (the default for ``jobs == 1``) checks in the calling process
    instead: no start-up, but no recycling either.
    """

    def __init__(
        self,
        pipeline: Pipeline | None = None,
        *,
        jobs: int | None = None,
        options: BatchOptions | None = None,
        chunk_records: int = 8,
        window: int | None = None,
        max_inflight_bytes: int = 64 << 20,
        start_method: str | None = None,
        recycle_after: int | None = None,
        in_process: bool | None = None,
    ) -> None:
        self.pipeline = pipeline if pipeline is not None else Pipeline()
        self.jobs = max(1, jobs if jobs is not None else default_jobs())
        self.options = options or BatchOptions()
        self.chunk_records = max(1, chunk_records)
        self.window = max(1, window if window is not None else 3 * self.jobs)
        self.max_inflight_bytes = max_inflight_bytes
        self.start_method = start_method or _default_start_method()
        # fork makes a warm pool in milliseconds; spawn pays a ~2 s warm-up per worker.
        default_recycle = 20_000 if self.start_method == "fork" else 100_000
        self.recycle_after = max(1, recycle_after or default_recycle)
        self.in_process = self.jobs == 1 if in_process is None else in_process
        self.max_line_bytes = max_line_bytes_for(self.pipeline.max_bytes)
        self.inflight_peak = 0  # most records handed out and not yet yielded (for tests)
        self.bytes_done = 0
        self.pools_started = 0
        self.workers_replaced = 0
        self._retired: list[ProcessPoolExecutor] = []

    def run(
        self, items: Iterable[tuple[int, Item]], stop: Callable[[], bool] | None = None
    ) -> Iterator[Outcome]:
        """Outcomes for ``(line number, item)`` pairs, in their order.

        When ``stop()`` turns true no new record is started; the records in flight are
        finished and yielded, then the iterator ends.
        """
        should_stop = stop or (lambda: False)
        if self.in_process:
            yield from self._run_here(items, should_stop)
        else:
            yield from self._run_pool(items, should_stop)

    def _run_here(
        self, items: Iterable[tuple[int, Item]], stop: Callable[[], bool]
    ) -> Iterator[Outcome]:
        self.pipeline.warm_up()
        for line, item in items:
            self.inflight_peak = max(self.inflight_peak, 1)
            outcome = check_record(self.pipeline, line, item, self.options)
            self.bytes_done += len(item) if isinstance(item, bytes | str) else 0
            yield outcome
            if stop():
                return

    def _executor(self, method: str) -> ProcessPoolExecutor:
        if method == "fork":
            self.pipeline.warm_up()  # children inherit the warm engines
        executor = ProcessPoolExecutor(
            max_workers=self.jobs,
            mp_context=multiprocessing.get_context(method),
            initializer=_init_worker,
            initargs=(self.pipeline, self.options),
        )
        # Start every worker now (before the reader thread exists), and surface a worker
        # that cannot start as an error rather than a hang.
        for f in [executor.submit(_ready) for _ in range(self.jobs)]:
            f.result()
        self.pools_started += 1
        return executor

    def _run_pool(
        self, items: Iterable[tuple[int, Item]], stop: Callable[[], bool]
    ) -> Iterator[Outcome]:
        executor = self._executor(self.start_method)
        queue = _Handover(
            max_items=2 * self.chunk_records * self.jobs, max_bytes=self.max_inflight_bytes // 2
        )
        reader = threading.Thread(target=_pump, args=(items, queue), daemon=True)
        reader.start()
        pending: deque[_Chunk] = deque()
        inflight = 0
        inflight_bytes = 0
        pool_records = 0
        try:
            while True:
                while (
                    not stop()
                    and len(pending) < self.window
                    and inflight_bytes < self.max_inflight_bytes // 2
                ):
                    taken = queue.take(
                        self.chunk_records,
                        self.max_inflight_bytes // (2 * self.window),
                        wait_first=0.0 if pending else 0.1,
                    )
                    if not taken:
                        break
                    chunk_items = [(line, item) for line, item, _ in taken]
                    size = sum(s for _, _, s in taken)
                    if pool_records >= self.recycle_after:
                        # The old pool finishes what it holds, then its workers exit.
                        executor.shutdown(wait=False)
                        self._retired.append(executor)
                        executor = self._executor(self.start_method)
                        pool_records = 0
                    pool_records += len(chunk_items)
                    try:
                        future = executor.submit(_check_chunk, chunk_items)
                    except BrokenProcessPool:
                        future = Future()
                        future.set_exception(BrokenProcessPool("pool broken"))
                    pending.append(_Chunk(chunk_items, size, future))
                    inflight += len(chunk_items)
                    inflight_bytes += size
                    self.inflight_peak = max(self.inflight_peak, inflight)
                if not pending:
                    if stop() or queue.drained:
                        break
                    continue
                head = pending[0]
                if not head.future.done():
                    reading = not queue.drained and len(pending) < self.window
                    wait([head.future], timeout=0.05 if reading else None)
                    if not head.future.done():
                        continue
                pending.popleft()
                try:
                    outcomes = head.future.result()
                except BrokenProcessPool:
                    executor, outcomes = self._recover(executor, head, pending)
                except Exception as exc:  # a bug outside check_record: still one record each
                    message = f"{type(exc).__name__}: {exc}"
                    outcomes = [_error(n, None, {}, "internal", message) for n, _ in head.items]
                inflight -= len(head.items)
                inflight_bytes -= head.size
                for outcome, (_, item) in zip(outcomes, head.items, strict=True):
                    self.bytes_done += len(item) if isinstance(item, bytes | str) else 0
                    yield outcome
            if queue.error is not None and not stop():
                raise queue.error
        except KeyboardInterrupt:  # a second Ctrl-C: do not wait for the records in flight
            queue.close()
            for pool in [executor, *self._retired]:
                _terminate(pool)
            raise
        finally:
            queue.close()
            executor.shutdown(wait=True, cancel_futures=True)
            for pool in self._retired:
                pool.shutdown(wait=True)
            self._retired.clear()

    def _recover(
        self, executor: ProcessPoolExecutor, head: _Chunk, pending: deque[_Chunk]
    ) -> tuple[ProcessPoolExecutor, list[Outcome]]:
        """A worker died: re-check the chunks it broke one record at a time."""
        log.warning("a worker process died; re-checking the records it held one by one")
        chunks = [head, *pending]
        # A broken pool fails all its futures at once; a healthy pool (the current one,
        # when a retired pool broke) finishes its own.
        wait([c.future for c in chunks])
        executor = self._healthy(executor)
        redone: list[_Chunk] = []
        for chunk in chunks:
            if not chunk.future.cancelled() and chunk.future.exception() is None:
                redone.append(chunk)
                continue
            outcomes: list[Outcome] = []
            for line, item in chunk.items:
                try:
                    outcomes.extend(executor.submit(_check_chunk, [(line, item)]).result())
                except BrokenProcessPool:
                    executor = self._healthy(executor)
                    message = "a worker process died while checking this record"
                    outcomes.append(_error(line, None, {}, "crash", message))
                except Exception as exc:
                    message = f"{type(exc).__name__}: {exc}"
                    outcomes.append(_error(line, None, {}, "internal", message))
            done: Future[list[Outcome]] = Future()
            done.set_result(outcomes)
            redone.append(_Chunk(chunk.items, chunk.size, done))
        pending.clear()
        pending.extend(redone[1:])
        return executor, redone[0].future.result()

    def _healthy(self, executor: ProcessPoolExecutor) -> ProcessPoolExecutor:
        """``executor`` if it still works, else a new pool in its place."""
        try:
            executor.submit(_ready).result()
            return executor
        except BrokenProcessPool:
            executor.shutdown(wait=True, cancel_futures=True)
            # With fork, the new pool forks from a process that now also runs the reader
            # thread; that thread holds no lock a worker needs (it only reads the input
            # and waits on the hand-over queue), so forking stays safe and keeps it warm.
            self.workers_replaced += 1
            return self._executor(self.start_method)


def _terminate(executor: ProcessPoolExecutor) -> None:
    """Stop the workers now (their records in flight are dropped; OUT stays whole lines)."""
    for process in list(getattr(executor, "_processes", {}).values()):
        process.terminate()


def _default_start_method() -> str:
    """``fork`` where it is safe (Linux, one thread): workers inherit the warm pipeline."""
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return "fork"
    return "spawn"


def check_records(
    records: Iterable[Item],
    pipeline: Pipeline | None = None,
    *,
    jobs: int = 1,
    fix: bool = False,
    content_type: str = "auto",
    audit_log: str | Path | None = None,
    stop: Callable[[], bool] | None = None,
    in_process: bool | None = None,
) -> Iterator[Outcome]:
    """Check records (dicts, JSON lines as str or bytes), yielding outcomes in input order.

    With ``audit_log`` each checked record is appended to that chained log as it is
    yielded, and its outcome's audit record carries the chain fields. ``jobs=1`` checks in
    this process unless ``in_process=False``; for an endless stream prefer worker
    processes, which are recycled (see :class:`BatchEngine`).
    """
    engine = BatchEngine(
        pipeline,
        jobs=jobs,
        options=BatchOptions(content_type=content_type, fix=fix, chain_audit=bool(audit_log)),
        in_process=in_process,
    )
    numbered = ((n, r) for n, r in enumerate(records, start=1))
    if not audit_log:
        yield from engine.run(numbered, stop)
        return
    with AuditWriter(audit_log) as writer:
        for outcome in engine.run(numbered, stop):
            if outcome.audit is not None:
                writer.append(outcome.audit)
            yield outcome


# ---------------------------------------------------------------------------------------
# File to file: prepub batch


@dataclass
class BatchStats:
    """Counts and timing of a run, for progress and the final summary."""

    records: int = 0
    errors: int = 0
    decisions: Counter[str] = field(default_factory=Counter)
    error_kinds: Counter[str] = field(default_factory=Counter)
    resumed_after: int = 0  # input lines already in OUT when the run started
    bytes_skipped: int = 0  # input bytes of those lines
    bytes_done: int = 0
    bytes_total: int | None = None
    started: float = field(default_factory=time.monotonic)
    first_record_at: float | None = None  # start-up (workers, warm-up) ends here
    bytes_at_first_record: int = 0
    interrupted: bool = False
    notes: list[str] = field(default_factory=list)

    def counted(self, ok: bool, status: str, error_kind: str | None) -> None:
        """Count one written record."""
        if self.first_record_at is None:
            self.first_record_at = time.monotonic()
            self.bytes_at_first_record = self.bytes_done
        self.records += 1
        if ok:
            self.decisions[status] += 1
        else:
            self.errors += 1
            self.error_kinds[error_kind or "?"] += 1

    @property
    def elapsed(self) -> float:
        """Seconds since the run started."""
        return time.monotonic() - self.started

    @property
    def rate(self) -> float:
        """Records per second since the first record was written (start-up excluded)."""
        if self.first_record_at is None or self.records < 2:
            return 0.0
        span = time.monotonic() - self.first_record_at
        return (self.records - 1) / span if span > 0 else 0.0

    @property
    def eta(self) -> float | None:
        """Seconds left, from the input bytes done since the first record (None for a stream)."""
        if not self.bytes_total or self.first_record_at is None or self.records < 2:
            return None
        done = self.bytes_done - self.bytes_at_first_record
        if done <= 0:
            return None
        left = max(0, self.bytes_total - self.bytes_done)
        return left * (time.monotonic() - self.first_record_at) / done

    @property
    def fraction(self) -> float | None:
        """Share of the input done, when the input size is known."""
        if not self.bytes_total:
            return None
        return min(1.0, self.bytes_done / self.bytes_total)


def format_duration(seconds: float) -> str:
    """``1h02m``, ``3m07s`` or ``42s``."""
    s = int(seconds + 0.5)
    if s >= 3600:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    if s >= 60:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s}s"


def format_progress(stats: BatchStats, *, bar: bool) -> str:
    """One progress line: records, rate, share done and ETA (a bar for a terminal)."""
    parts = [f"{stats.records:,} records", f"{stats.rate:,.0f}/s"]
    if stats.errors:
        parts.append(f"{stats.errors:,} errors")
    fraction, eta = stats.fraction, stats.eta
    if fraction is not None:
        parts.append(f"{fraction:.0%}")
    if eta is not None:
        parts.append(f"ETA {format_duration(eta)}")
    text = " · ".join(parts)
    if bar and fraction is not None:
        width = 24
        filled = int(fraction * width)
        text = f"[{'#' * filled}{'.' * (width - filled)}] {text}"
    return text


def format_summary(stats: BatchStats, out: str) -> str:
    """The last line of a run."""
    decisions = ", ".join(f"{stats.decisions[d]:,} {d}" for d in ("publish", "review", "block"))
    kinds = ", ".join(f"{n} {k}" for k, n in sorted(stats.error_kinds.items()))
    errors = f"{stats.errors:,} errors" + (f" ({kinds})" if kinds else "")
    verb = "interrupted after" if stats.interrupted else "checked"
    resumed = f" (resumed after line {stats.resumed_after:,})" if stats.resumed_after else ""
    return (
        f"{verb} {stats.records:,} records{resumed} -> {out}: {decisions}, {errors}; "
        f"{format_duration(stats.elapsed)} in all, {stats.rate:,.0f} records/s after start-up"
    )


class _Output:
    """The output file: whole lines, each with one ``write``, so a kill leaves whole lines."""

    def __init__(self, target: str, *, resume: bool) -> None:
        self.target = target
        self.resume_line = 0
        self.resume_id: Any = None
        self.last: dict[str, Any] | None = None
        self.notes: list[str] = []
        if target == "-":
            if resume:
                raise BatchError("--resume needs --out FILE, not standard output")
            self.fd = os.dup(1)
            return
        path = Path(target)
        try:
            self.fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise BatchError(f"cannot open {target}: {exc.strerror}") from None
        size = os.fstat(self.fd).st_size
        if size and not resume:
            os.close(self.fd)
            raise BatchError(f"{target} exists; pass --resume to continue it, or remove it")
        if size:
            self._find_resume_point(size)

    def _find_resume_point(self, size: int) -> None:
        """Where a stopped run got to: the ``line`` and ``id`` of OUT's last record.

        Reads backwards from the end until the last complete line is in hand. Part of a
        line after it (a write cut short by a crash) is not a record and is cut off.
        """
        data, pos, step = b"", size, 65536
        while pos > 0:
            take = min(step, pos)
            pos -= take
            data = os.pread(self.fd, take, pos) + data
            step *= 2
            last_nl = data.rfind(b"\n")
            if last_nl != -1 and data.rfind(b"\n", 0, last_nl) != -1:
                break
        cut = data.rfind(b"\n") + 1
        if cut < len(data):
            os.ftruncate(self.fd, pos + cut)
            self.notes.append(
                f"removed an incomplete last line ({len(data) - cut:,} bytes) from {self.target}"
            )
        lines = [ln for ln in data[:cut].split(b"\n") if ln.strip()]
        if not lines:
            return
        try:
            last = json.loads(lines[-1])
            self.resume_line = int(last["line"])
            self.resume_id = last.get("id")
        except (ValueError, KeyError, TypeError):
            raise BatchError(
                f"cannot resume: the last line of {self.target} is not a batch output record"
            ) from None
        self.last = last

    def write(self, text: str) -> None:
        data = (text + "\n").encode("utf-8")
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(self.fd, view) :]
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise BatchError(f"cannot write {self.target}: {exc.strerror}") from None

    def close(self) -> None:
        try:
            if self.target != "-":
                os.fsync(self.fd)
        except OSError:
            pass
        os.close(self.fd)


def _repair_audit(output: _Output, writer: AuditWriter, stats: BatchStats) -> None:
    """A run killed between its output line and its audit line: append that audit record."""
    last = output.last
    if not last or not last.get("ok"):
        return
    audit = (last.get("result") or {}).get("audit") or {}
    seq, digest = audit.get("seq"), audit.get("record_hash")
    if not isinstance(seq, int) or not digest:
        return
    found = find_record(writer.path, seq)
    if found is not None and found.get("record_hash") == digest:
        return
    record = {k: v for k, v in audit.items() if k not in ("seq", "prev_hash", "record_hash")}
    chained = writer.append(record)
    stats.notes.append(
        f"appended the audit record of line {output.resume_line} that the stopped run had not written"
        + ("" if chained["record_hash"] == digest else " (re-chained: the log had moved on)")
    )


def run_jsonl(
    source: str | Path,
    out: str,
    *,
    pipeline: Pipeline | None = None,
    jobs: int | None = None,
    fix: bool = False,
    content_type: str = "auto",
    audit_log: str | Path | None = None,
    resume: bool = False,
    stop: Callable[[], bool] | None = None,
    on_progress: Callable[[BatchStats], None] | None = None,
    progress_every: float = 1.0,
    stdin: IO[bytes] | None = None,
) -> BatchStats:
    """Check every record of a JSONL file (or ``-``: ``stdin``) into ``out``.

    One output record per input record, in input order; ``audit_log`` gets one chained
    record per checked record, written right after its output line. ``resume`` continues
    an ``out`` that a stopped run left: lines up to its last record are skipped (the input
    must be the same). ``stop()`` ends the run cleanly after the records in flight.

    Raises:
        BatchError: the input or output cannot be opened, or ``out`` cannot be resumed.
        AuditLogError: the audit log cannot be written.
    """
    pipeline = pipeline if pipeline is not None else Pipeline()
    engine = BatchEngine(
        pipeline,
        jobs=jobs,
        options=BatchOptions(content_type=content_type, fix=fix, chain_audit=bool(audit_log)),
        in_process=False,  # workers, even one: they are recycled, so memory stays flat
    )
    stats = BatchStats()
    if str(source) == "-":
        fh = stdin if stdin is not None else _stdin()
        owned = False
    else:
        try:
            fh = open(source, "rb")  # noqa: SIM115 - closed in finally
        except OSError as exc:
            raise BatchError(f"cannot read {source}: {exc.strerror}") from None
        owned = True
        stats.bytes_total = os.fstat(fh.fileno()).st_size or None
    try:
        output = _Output(out, resume=resume)
        stats.notes.extend(output.notes)
        try:
            reader = _Reader(
                fh, engine.max_line_bytes, name="standard input" if owned is False else str(source)
            )
            if output.resume_line:
                _skip_done(reader, output)
                stats.resumed_after = output.resume_line
                stats.bytes_done = stats.bytes_skipped = reader.bytes_read
            writer = AuditWriter(audit_log) if audit_log else None
            try:
                if writer is not None:
                    _repair_audit(output, writer, stats)
                _drive(engine, reader, output, writer, stats, stop, on_progress, progress_every)
            finally:
                if writer is not None:
                    writer.close()
        finally:
            output.close()
    finally:
        if owned:
            fh.close()
    return stats


def _stdin() -> IO[bytes]:
    return sys.stdin.buffer


def _skip_done(reader: _Reader, output: _Output) -> None:
    last = reader.skip(output.resume_line)
    if reader.number < output.resume_line:
        raise BatchError(
            f"cannot resume: {output.target} goes to line {output.resume_line:,} but the input has {reader.number:,} lines"
        )
    if output.resume_id is not None:
        try:
            same = last is not None and json.loads(last).get("id") == output.resume_id
        except (ValueError, AttributeError):
            same = _salvage_id((last or b"").decode("utf-8", "replace")) == output.resume_id
        if not same:
            raise BatchError(
                f"cannot resume: line {output.resume_line:,} of the input is not the record "
                f"{output.resume_id!r} that {output.target} ends with (a different input?)"
            )


def _writes(output: _Output, outcome: Outcome) -> Callable[[dict[str, Any], str], None]:
    def write(_chained: dict[str, Any], audit_json: str) -> None:
        output.write(outcome.text(audit_json))

    return write


def _drive(
    engine: BatchEngine,
    reader: _Reader,
    output: _Output,
    writer: AuditWriter | None,
    stats: BatchStats,
    stop: Callable[[], bool] | None,
    on_progress: Callable[[BatchStats], None] | None,
    every: float,
) -> None:
    should_stop = stop or (lambda: False)
    next_report = time.monotonic() + every
    base = stats.bytes_done
    for outcome in engine.run(reader, should_stop):
        if outcome.audit is not None and writer is not None:
            # The output line first, under the log's lock, then the audit line: a kill in
            # between is repaired by the next --resume (see _repair_audit).
            writer.append(outcome.audit, before_write=_writes(output, outcome))
        else:
            output.write(outcome.text())
        stats.bytes_done = base + engine.bytes_done
        stats.counted(outcome.ok, outcome.status, outcome.error_kind)
        if on_progress is not None and time.monotonic() >= next_report:
            on_progress(stats)
            next_report = time.monotonic() + every
    stats.interrupted = should_stop()
    stats.bytes_done = base + engine.bytes_done if stats.interrupted else reader.bytes_read
    if on_progress is not None:
        on_progress(stats)
