"""prepub batch: one output record per input record, in order, errors as records, resumable."""

from __future__ import annotations

import base64
import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import filters
from cli import main
from filters.audit import head_path
from filters.batch import (
    BatchEngine,
    BatchError,
    BatchOptions,
    check_records,
    format_progress,
    run_jsonl,
)
from tests.conftest import read_jsonl, wait_for_lines

ROOT = Path(__file__).resolve().parent.parent

ARTICLES = [
    "The port authority said container volumes rose 4% in May, Reuters reported. "
    "Electronics shipments led the gain.",
    "Lock in 18% a year on your stablecoins with zero risk, guaranteed returns for everyone.",
    "Le marché obligataire a reculé mardi, selon l'agence. Les investisseurs restent prudents "
    "avant la réunion de la banque centrale.",
    "Quarterly revenue at the lender beat forecasts, Bloomberg reported. Write to the desk at "
    "news.desk@example.org for corrections.",
]


def _record(i: int, **extra: Any) -> dict[str, Any]:
    return {"id": f"r{i}", "content": ARTICLES[i % len(ARTICLES)], **extra}


def _jsonl(path: Path, lines: list[str | bytes]) -> Path:
    with open(path, "wb") as fh:
        for line in lines:
            fh.write((line.encode("utf-8") if isinstance(line, str) else line) + b"\n")
    return path


def _stable(result: dict[str, Any]) -> dict[str, Any]:
    """A result without what differs between two runs (timings, timestamps, chain)."""
    return {k: v for k, v in result.items() if k != "audit"} | {
        "decision_reasons": result["audit"]["decision_reasons"]
    }


# --- record format -------------------------------------------------------------------


def test_every_kind_of_bad_record_becomes_an_error_record_in_place(
    pipeline: filters.Pipeline,
) -> None:
    pdf = base64.b64encode(b"%PDF-1.7 not an article").decode()
    latin1 = base64.b64encode(
        "Le marché a progressé mardi, a rapporté l'agence; les banques ont mené la hausse.".encode(
            "cp1252"
        )
    ).decode()
    items: list[Any] = [
        json.dumps(_record(0, feed="wire", ok="input's own ok")),
        '{"id": "half", "content": "The central bank',
        b'{"id": "latin", "content": "caf\xe9 au lait"}',
        json.dumps({"id": "b64", "content_b64": latin1}),
        json.dumps({"id": "none"}),
        json.dumps({"id": "empty", "content": "   "}),
        json.dumps({"id": "num", "content": 42}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"id": "bad64", "content_b64": "%%%"}),
        json.dumps({"id": "pdf", "content_b64": pdf}),
        json.dumps({"id": "both", "content": "x", "content_b64": "eA=="}),
        json.dumps({"id": "ct", "content": ARTICLES[0], "content_type": "pdf"}),
        None,  # a line the reader found over the size limit
        json.dumps({"id": "big", "content": "word " * 400}),
    ]
    small = filters.Pipeline(pipeline.rules, max_bytes=1000)
    outcomes = list(BatchEngine(small, jobs=1).run(enumerate(items, start=1)))
    records = [o.record() for o in outcomes]
    assert [r["line"] for r in records] == list(range(1, len(items) + 1))
    kinds = [r["error"]["kind"] if not r["ok"] else None for r in records]
    assert kinds == [
        None,
        "json",
        "undecodable",  # a line that is not UTF-8
        None,  # cp1252 bytes in content_b64 are fine
        "missing_content",
        "missing_content",
        "record",  # content is a number
        "record",  # a JSON array
        "undecodable",  # bad base64
        "undecodable",  # a PDF
        "record",  # content and content_b64
        "record",  # unknown content_type
        "oversize",  # the line
        "oversize",  # the content
    ]
    assert records[1]["id"] == "half" and records[2]["id"] == "latin"  # salvaged for tracing
    first = records[0]
    assert (
        first["ok"]
        and first["feed"] == "wire"
        and first["input_fields"] == {"ok": "input's own ok"}
    )
    assert set(first["result"]) == set(filters.Result.model_fields)
    assert records[3]["ok"] and records[3]["result"]["audit"]["input"]["encoding"] == "cp1252"
    for r in records:
        if not r["ok"]:
            assert set(r["error"]) == {"kind", "message", "line"} and r["error"]["message"]


def test_batch_result_is_the_check_result(pipeline: filters.Pipeline) -> None:
    (outcome,) = check_records([_record(3, source="Bloomberg")], pipeline)
    direct = pipeline.check(ARTICLES[3], source="Bloomberg", record_id="r3")
    data = outcome.record()
    assert data["id"] == "r3" and data["ok"] and outcome.status == direct.decision
    assert _stable(data["result"]) == _stable(direct.model_dump(mode="json"))
    assert data["result"]["audit"]["input"]["id"] == "r3"


def test_two_workers_give_the_same_records_in_the_same_order(pipeline: filters.Pipeline) -> None:
    records = [_record(i) for i in range(40)]
    records[17] = {"id": "r17", "content": None}
    serial = [o.record() for o in check_records(records, pipeline, jobs=1)]
    parallel = [o.record() for o in check_records(records, pipeline, jobs=2)]
    assert [r["id"] for r in parallel] == [f"r{i}" for i in range(40)]
    assert [r["ok"] for r in parallel] == [r["ok"] for r in serial]
    for a, b in zip(serial, parallel, strict=True):
        if a["ok"]:
            assert _stable(a["result"]) == _stable(b["result"])


def test_memory_is_bounded_by_the_window(pipeline: filters.Pipeline) -> None:
    """A long stream is pulled only as fast as it is written: records in flight stay few."""
    pulled = 0
    total = 1500

    def stream() -> Iterator[tuple[int, str]]:
        nonlocal pulled
        for i in range(total):
            pulled += 1
            yield i + 1, json.dumps({"id": i, "content": f"Shares rose {i % 7}% on the day."})

    engine = BatchEngine(pipeline, jobs=2, chunk_records=4, window=2)
    bound = engine.window * engine.chunk_records + 2 * engine.chunk_records * engine.jobs + 2
    seen = 0
    worst = 0
    for outcome in engine.run(stream()):
        seen += 1
        assert outcome.line == seen
        worst = max(worst, pulled - seen)
    assert seen == total
    assert worst <= bound, f"{worst} records held at once, bound {bound}"
    assert engine.inflight_peak <= engine.window * engine.chunk_records


def test_stop_finishes_the_records_in_flight(pipeline: filters.Pipeline) -> None:
    engine = BatchEngine(pipeline, jobs=2, chunk_records=2, window=2)
    done: list[int] = []
    items = ((i, json.dumps(_record(i))) for i in range(1, 10_000))
    for outcome in engine.run(items, stop=lambda: len(done) >= 5):
        done.append(outcome.line)
    assert done == list(range(1, len(done) + 1)) and 5 <= len(done) <= 5 + 2 * 2 + 1


def test_a_worker_that_dies_is_replaced_and_nothing_is_lost(
    pipeline: filters.Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = filters.Pipeline.check

    def crashing(self: filters.Pipeline, content: Any, *args: Any, **kwargs: Any) -> Any:
        if content == "POISON":
            os._exit(7)  # as a segfault or the OOM killer would
        return original(self, content, *args, **kwargs)

    monkeypatch.setattr(filters.Pipeline, "check", crashing)  # forked workers inherit it
    records = [_record(i) for i in range(12)]
    records[5] = {"id": "poison", "content": "POISON"}
    engine = BatchEngine(pipeline, jobs=2, chunk_records=3, start_method="fork")
    out = [o.record() for o in engine.run(enumerate(records, start=1))]
    assert [r["line"] for r in out] == list(range(1, 13))
    assert out[5]["ok"] is False and out[5]["error"]["kind"] == "crash"
    assert all(r["ok"] for i, r in enumerate(out) if i != 5)
    assert engine.workers_replaced >= 1


def test_worker_pools_are_recycled_without_losing_order(pipeline: filters.Pipeline) -> None:
    """Fresh workers every N records keep a million-record run's memory flat."""
    engine = BatchEngine(pipeline, jobs=2, chunk_records=3, recycle_after=12)
    items = ((i, json.dumps(_record(i))) for i in range(1, 61))
    lines = [o.line for o in engine.run(items)]
    assert lines == list(range(1, 61)) and engine.pools_started >= 5


# --- files, resume, audit --------------------------------------------------------------


@pytest.fixture
def feed(tmp_path: Path) -> Path:
    lines: list[str | bytes] = [json.dumps(_record(i, n=i)) for i in range(30)]
    lines.insert(10, "")  # blank lines are not records
    lines.insert(20, '{"id": "broken", ')
    return _jsonl(tmp_path / "in.jsonl", lines)


def test_run_jsonl_writes_one_record_per_input_record(
    feed: Path, tmp_path: Path, pipeline: filters.Pipeline
) -> None:
    out = tmp_path / "out.jsonl"
    stats = run_jsonl(feed, str(out), pipeline=pipeline, jobs=1)
    records = read_jsonl(out)
    assert len(records) == 31 == stats.records and stats.errors == 1
    assert [r["line"] for r in records] == [n for n in range(1, 33) if n != 11]
    assert records[19]["error"]["kind"] == "json" and records[19]["id"] == "broken"
    assert stats.fraction == 1.0


def test_existing_output_needs_resume(
    feed: Path, tmp_path: Path, pipeline: filters.Pipeline
) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text('{"id": 1}\n', encoding="utf-8")
    with pytest.raises(BatchError, match="--resume"):
        run_jsonl(feed, str(out), pipeline=pipeline, jobs=1)


def test_resume_continues_without_duplicates(
    feed: Path, tmp_path: Path, pipeline: filters.Pipeline
) -> None:
    full = tmp_path / "full.jsonl"
    run_jsonl(feed, str(full), pipeline=pipeline, jobs=1)
    expected = [(r["line"], r["id"]) for r in read_jsonl(full)]
    part = tmp_path / "part.jsonl"
    lines = full.read_bytes().splitlines(keepends=True)
    part.write_bytes(b"".join(lines[:12]) + lines[12][:40])  # a stop cut a line short
    stats = run_jsonl(feed, str(part), pipeline=pipeline, jobs=2, resume=True)
    assert [(r["line"], r["id"]) for r in read_jsonl(part)] == expected
    assert stats.records == len(expected) - 12 and stats.resumed_after == lines_to(lines, 12)
    assert any("incomplete last line" in n for n in stats.notes)
    again = run_jsonl(feed, str(part), pipeline=pipeline, jobs=1, resume=True)
    assert again.records == 0 and len(read_jsonl(part)) == len(expected)


def lines_to(lines: list[bytes], count: int) -> int:
    return int(json.loads(lines[count - 1])["line"])


def test_resume_refuses_another_input(
    feed: Path, tmp_path: Path, pipeline: filters.Pipeline
) -> None:
    out = tmp_path / "out.jsonl"
    run_jsonl(feed, str(out), pipeline=pipeline, jobs=1)
    other = _jsonl(tmp_path / "other.jsonl", [json.dumps(_record(i + 100)) for i in range(40)])
    with pytest.raises(BatchError, match="not the record"):
        run_jsonl(other, str(out), pipeline=pipeline, jobs=1, resume=True)


def test_audit_log_matches_the_output_and_survives_a_lost_last_line(
    feed: Path, tmp_path: Path, pipeline: filters.Pipeline
) -> None:
    out, log = tmp_path / "out.jsonl", tmp_path / "audit.jsonl"
    run_jsonl(feed, str(out), pipeline=pipeline, jobs=2, audit_log=log)
    records = [r for r in read_jsonl(out) if r["ok"]]
    audit = read_jsonl(log)
    assert [r["result"]["audit"] for r in records] == audit
    assert filters.verify_log(log).ok
    # As if killed between the output line and its audit line: the log lacks the last one.
    lines = log.read_bytes().splitlines(keepends=True)
    log.write_bytes(b"".join(lines[:-1]))
    head_path(log).write_text(
        json.dumps({"seq": audit[-2]["seq"], "record_hash": audit[-2]["record_hash"]}) + "\n",
        encoding="utf-8",
    )
    stats = run_jsonl(feed, str(out), pipeline=pipeline, jobs=1, audit_log=log, resume=True)
    assert stats.records == 0 and any("audit record" in n for n in stats.notes)
    assert read_jsonl(log) == audit and filters.verify_log(log).ok


def test_check_records_with_an_audit_log(tmp_path: Path, pipeline: filters.Pipeline) -> None:
    log = tmp_path / "audit.jsonl"
    outcomes = list(check_records([_record(i) for i in range(5)], pipeline, audit_log=log))
    assert [o.record()["result"]["audit"]["seq"] for o in outcomes] == [0, 1, 2, 3, 4]
    assert filters.verify_log(log).ok


def test_progress_line() -> None:
    from filters.batch import BatchStats

    stats = BatchStats(records=501, errors=2, bytes_done=50, bytes_total=100)
    stats.first_record_at = time.monotonic() - 10  # start-up before it does not count
    text = format_progress(stats, bar=True)
    assert text.startswith("[############............] 501 records")
    assert "50/s" in text and "2 errors" in text and "50%" in text and "ETA 10s" in text


# --- command line ----------------------------------------------------------------------


def test_cli_batch(feed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.jsonl"
    code = main(["batch", str(feed), "--out", str(out), "--jobs", "1", "--progress", "lines"])
    err = capsys.readouterr().err
    assert code == 0 and len(read_jsonl(out)) == 31
    assert "prepub batch: checked 31 records" in err and "1 errors (1 json)" in err
    assert main(["batch", str(feed), "--out", str(out)]) == 2
    assert capsys.readouterr().err.count("\n") == 1  # one line, no traceback
    out.unlink()
    assert main(["batch", str(feed), "--out", str(out), "--jobs", "1", "--progress", "bar"]) == 0
    bar = capsys.readouterr().err
    assert "\r\033[2K[########################] 31 records" in bar and "ETA" in bar


def test_cli_batch_from_stdin_to_stdout(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = "\n".join(json.dumps(_record(i)) for i in range(3)).encode() + b"\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert main(["batch", "-", "--out", "-", "--jobs", "1", "--progress", "off"]) == 0
    lines = capfd.readouterr().out.splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["r0", "r1", "r2"]


def test_ctrl_c_finishes_records_in_flight_and_resume_completes(tmp_path: Path) -> None:
    feed = _jsonl(tmp_path / "in.jsonl", [json.dumps(_record(i)) for i in range(400)])
    out = tmp_path / "out.jsonl"
    cmd = [sys.executable, str(ROOT / "cli.py"), "batch", str(feed), "--out", str(out)]
    proc = subprocess.Popen(
        [*cmd, "--jobs", "2", "--progress", "off"],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        start_new_session=True,  # a process group, as a terminal's Ctrl-C reaches
    )
    try:
        wait_for_lines(out, 5, proc, "batch ended early")
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, err.decode()
    assert b"--resume" in err and b"Traceback" not in err
    done = read_jsonl(out)  # every line whole and valid JSON
    assert [r["line"] for r in done] == list(range(1, len(done) + 1)) and len(done) < 400
    args = ["batch", str(feed), "--out", str(out), "--resume", "--jobs", "1", "--progress", "off"]
    assert main(args) == 0  # in this process: its engines are warm already
    assert [r["id"] for r in read_jsonl(out)] == [f"r{i}" for i in range(400)]


def test_options_reach_the_workers(pipeline: filters.Pipeline) -> None:
    text = "Quarterly sales rose, Reuters reported. Contact ann.lee@example.org for details."
    record = {"id": "x", "content": text}
    engine = BatchEngine(pipeline, jobs=2, options=BatchOptions(fix=True))
    (outcome,) = list(engine.run([(1, record)]))
    assert "ann.lee@example.org" not in outcome.record()["result"]["clean_text"]
