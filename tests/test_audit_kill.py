"""The audit log survives kills, concurrent writers and full disks with whole, chained lines."""

from __future__ import annotations

import errno
import json
import multiprocessing
import os
import signal
import subprocess
import sys
from pathlib import Path
from threading import Thread
from typing import Any

import pytest

import filters
from cli import main
from filters import audit
from filters.audit import AuditWriter, find_record, head_path
from tests.conftest import read_jsonl, wait_for_lines

ROOT = Path(__file__).resolve().parent.parent


def test_sigkill_mid_batch_leaves_a_valid_log_and_resume_completes(tmp_path: Path) -> None:
    ids = [f"k{i}" for i in range(300)]
    feed = tmp_path / "in.jsonl"
    feed.write_text(
        "".join(
            json.dumps(
                {"id": i, "content": f"Freight rates fell {n % 9}% this week, Reuters reported."}
            )
            + "\n"
            for n, i in enumerate(ids)
        ),
        encoding="utf-8",
    )
    out, log = tmp_path / "out.jsonl", tmp_path / "audit.jsonl"
    args = ["batch", str(feed), "--out", str(out), "--audit-log", str(log), "--progress", "off"]
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "cli.py"), *args, "--jobs", "2"],
        cwd=ROOT,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for_lines(out, 20, proc, "batch ended before it was killed")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the batch and its workers, mid-run
        proc.wait(timeout=30)
    killed_at = len(read_jsonl(out))  # every line whole
    assert 20 <= killed_at < 300
    check = filters.verify_log(log)
    assert check.ok, check.problems  # a head that lags is a note, not a failure
    assert main([*args, "--resume", "--jobs", "1"]) == 0
    records = read_jsonl(out)
    assert [r["id"] for r in records] == ids  # all there, in order, none twice
    trail = read_jsonl(log)
    assert [r["input"]["id"] for r in trail] == ids  # one audit record per article
    assert [r["result"]["audit"]["record_hash"] for r in records] == [
        r["record_hash"] for r in trail
    ]
    final = filters.verify_log(log)
    assert final.ok and final.records == 300 and not final.notes


@pytest.fixture(scope="module")
def record_data() -> dict[str, Any]:
    result = filters.check("Shipping rates fell for a third week, Reuters reported on Monday.")
    return result.audit.model_dump(mode="json")


def _append_many(log: str, data: dict[str, Any], count: int) -> None:
    with AuditWriter(log, sync_every=7) as writer:
        for _ in range(count):
            writer.append(dict(data))


def test_concurrent_writers_interleave_whole_chained_lines(
    tmp_path: Path, record_data: dict[str, Any]
) -> None:
    log = tmp_path / "audit.jsonl"
    threads = [Thread(target=_append_many, args=(str(log), record_data, 40)) for _ in range(3)]
    context = multiprocessing.get_context("fork")
    procs = [
        context.Process(target=_append_many, args=(str(log), record_data, 40)) for _ in range(2)
    ]
    for t in [*threads, *procs]:
        t.start()
    for t in [*threads, *procs]:
        t.join()
    assert all(p.exitcode == 0 for p in procs)
    check = filters.verify_log(log)
    assert check.ok and check.records == 200 and not check.notes


def test_a_short_write_is_cut_back(
    tmp_path: Path, record_data: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "audit.jsonl"
    with AuditWriter(log) as writer:
        writer.append(dict(record_data))
        size = log.stat().st_size
        real_write = os.write

        def disk_full(fd: int, data: Any) -> int:
            real_write(fd, bytes(data)[:100])
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(audit.os, "write", disk_full)
        with pytest.raises(filters.AuditLogError, match="No space left"):
            writer.append(dict(record_data))
        monkeypatch.undo()
        assert log.stat().st_size == size
        writer.append(dict(record_data))
    check = filters.verify_log(log)
    assert check.ok and check.records == 2


def test_a_torn_last_line_is_refused_not_chained_to(
    tmp_path: Path, record_data: dict[str, Any]
) -> None:
    log = tmp_path / "audit.jsonl"
    _append_many(str(log), record_data, 2)
    with open(log, "ab") as fh:
        fh.write(b'{"schema_version": 1, "tool_ver')
    with pytest.raises(filters.AuditLogError, match="incomplete line"):
        _append_many(str(log), record_data, 1)
    assert "truncated" in " ".join(filters.verify_log(log).problems)


def test_head_lags_within_a_run_and_catches_up_on_close(
    tmp_path: Path, record_data: dict[str, Any]
) -> None:
    log = tmp_path / "audit.jsonl"
    writer = AuditWriter(log, sync_every=1000, sync_seconds=3600)
    for _ in range(5):
        writer.append(dict(record_data))
    lagging = filters.verify_log(log)
    assert lagging.ok and lagging.notes  # head written at the first record, not since
    writer.close()
    writer.close()
    assert json.loads(head_path(log).read_text())["seq"] == 4
    assert filters.verify_log(log).notes == []


def test_find_record_reads_from_the_end(tmp_path: Path, record_data: dict[str, Any]) -> None:
    log = tmp_path / "audit.jsonl"
    _append_many(str(log), record_data, 30)
    found = find_record(log, 27)
    assert found is not None and found["seq"] == 27
    assert find_record(log, 30) is None


def test_chain_line_is_the_two_step_hash(record_data: dict[str, Any]) -> None:
    one = dict(record_data, seq=5, prev_hash="ab" * 32)
    two = dict(one, record_hash=None)
    line = audit.chain_line("ab" * 32, one)
    two["record_hash"] = audit.record_hash("ab" * 32, two)
    assert line == audit.canonical_json(two) and one["record_hash"] == two["record_hash"]
