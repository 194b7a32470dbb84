"""Robustness numbers for the README: loading cost, big articles, pathological inputs.

Run by hand (not in CI), on a quiet machine:

    .venv/bin/python benchmarks/bench_robustness.py load      # decode + load of the dev corpus
    .venv/bin/python benchmarks/bench_robustness.py big       # 1, 2 and 4 MB articles, per stage
    .venv/bin/python benchmarks/bench_robustness.py scaling   # pathological inputs at n and 2n

    .venv/bin/python benchmarks/bench_robustness.py startup   # packs and pipeline, per process
    .venv/bin/python benchmarks/bench_robustness.py deep      # nested HTML: time and memory

``scaling`` prints the time ratio between a document and one twice as long: about 2 is
linear, about 4 quadratic. Each case runs in this process with an alarm, so a runaway case
is reported as such and the script goes on. ``startup`` and ``deep`` run each measurement
in a fresh interpreter.
"""

from __future__ import annotations

import gzip
import signal
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import filters  # noqa: E402
from filters.load import decode, load_document  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.3f} ms"


def bench_load() -> None:
    """Decode and load every corpus page as bytes (the CLI's and batch's path)."""
    texts = [p.read_bytes() for p in sorted((CORPUS / "pages" / "pages").glob("*.txt"))]
    pages = [
        gzip.decompress(p.read_bytes()) for p in sorted((CORPUS / "html" / "pages").glob("*.gz"))
    ]
    for name, docs, kind in (("text pages", texts, "text"), ("html pages", pages, "html")):
        for label, fn in (
            ("decode", lambda d: decode(d)),
            ("load_document", lambda d, k=kind: load_document(d, content_type=k)),  # type: ignore[misc]
        ):
            times = []
            for _ in range(5):
                for doc in docs:
                    t0 = time.perf_counter()
                    fn(doc)
                    times.append(time.perf_counter() - t0)
            size = statistics.mean(len(d) for d in docs)
            print(
                f"{name:10} {label:13} n={len(docs):3} mean {size / 1000:6.1f} KB: "
                f"mean {_ms(statistics.mean(times))}, p95 {_ms(sorted(times)[int(len(times) * 0.95)])}"
            )


def _article(size: int) -> str:
    parts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "fixtures").glob("gate_*.txt"))]
    text = "\n\n".join(parts)
    text = (text + "\n\n") * (size // len(text.encode()) + 1)
    return text.encode()[:size].decode("utf-8", "ignore")


def bench_big() -> None:
    """Articles of 1, 2 and 4 MB (the fixtures repeated), with each stage's time."""
    pipeline = filters.Pipeline()
    pipeline.check("Warm up: shares rose on Monday, Reuters reported.")
    for size in (1_000_000, 2_000_000, 4_000_000):
        text = _article(size)
        t0 = time.perf_counter()
        result = pipeline.check(text)
        total = time.perf_counter() - t0
        stages = ", ".join(f"{s.name} {s.duration_ms / 1000:.1f}" for s in result.audit.stages)
        print(f"{size / 1e6:.0f} MB: {total:5.1f} s total ({stages}; seconds)")


class _Slow(BaseException):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise _Slow()


CASES: dict[str, Callable[[int], str]] = {
    "blank-line flood": lambda n: "Start.\n" + "\n" * n + "End.",
    "one line of spaces": lambda n: "Start " + " " * n + " end.",
    "capital letters run": lambda n: "A" * n,
    "lower-case run": lambda n: "a" * n,
    "digits and spaces": lambda n: "1 " * (n // 2),
    "CJK run": lambda n: "比" * n,
    "tiny lines": lambda n: "a\n" * (n // 2),
    "source lines": lambda n: "Source: Reuters\n" * (n // 16),
    "dots": lambda n: "." * n,
    "unbalanced quote": lambda n: "“" + "word " * (n // 5),
    "credit line padded": lambda n: "Source: " + " " * n + "x" * 100,
    "unclosed html tags": lambda n: "<html><body>" + "<div><span>" * (n // 11) + "text",
}


def bench_scaling(n: int = 10_000, budget: float = 120.0) -> None:
    """Each pathological input at n and 2n characters; the ratio shows the growth."""
    pipeline = filters.Pipeline()
    pipeline.check("Warm up: shares rose on Monday, Reuters reported.")
    signal.signal(signal.SIGALRM, _alarm)
    for name, make in CASES.items():
        row = []
        for size in (n, 2 * n):
            content = make(size)
            signal.setitimer(signal.ITIMER_REAL, budget)
            t0 = time.perf_counter()
            try:
                pipeline.check(content)
                row.append(time.perf_counter() - t0)
            except filters.InputError:
                row.append(time.perf_counter() - t0)
            except _Slow:
                row.append(float("inf"))
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        ratio = row[1] / row[0] if row[0] > 0 and row[1] != float("inf") else float("inf")
        print(f"{name:22} {n:>7,}: {row[0]:7.3f} s   {2 * n:>7,}: {row[1]:7.3f} s   x{ratio:.1f}")


_STARTUP = """
import time
t0 = time.perf_counter()
import filters
from filters.rulepack import load_rule_packs
t1 = time.perf_counter()
rules = load_rule_packs(check_examples=False)
t2 = time.perf_counter()
load_rule_packs()  # the examples, on the same (remembered) rule set
t3 = time.perf_counter()
filters.Pipeline()
t4 = time.perf_counter()
filters.Pipeline()
t5 = time.perf_counter()
print(f"import {t1 - t0:.2f} s, packs {t2 - t1:.2f} s, examples {t3 - t2:.2f} s, "
      f"first Pipeline() {t4 - t3:.2f} s, second Pipeline() {t5 - t4:.3f} s")
"""


def _fresh(code: str) -> str:
    import subprocess

    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return proc.stdout.strip()


def bench_startup() -> None:
    """What a new process pays before its first article, three times."""
    for _ in range(3):
        print(_fresh(_STARTUP))


_DEEP = """
import resource, time
from filters.load import load_document
html = {html}
t0 = time.perf_counter()
load_document(html)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{{time.perf_counter() - t0:.2f}} s, peak {{peak:.0f}} MB")
"""


def bench_deep() -> None:
    """Closed and unclosed nesting at 25k, 50k and 100k levels: load time and peak memory."""
    for levels in (25_000, 50_000, 100_000):
        closed = f"'<div>' * {levels} + '<p>Deep text.</p>' + '</div>' * {levels}"
        unclosed = f"'<html><body>' + '<div><span>' * {levels // 2} + 'Deep text.'"
        for name, html in (("closed <div>", closed), ("unclosed <div><span>", unclosed)):
            print(f"{levels:>7,} levels, {name:21}: {_fresh(_DEEP.format(html=html))}")


if __name__ == "__main__":
    part = sys.argv[1] if len(sys.argv) > 1 else "load"
    parts = {
        "load": bench_load,
        "big": bench_big,
        "scaling": bench_scaling,
        "startup": bench_startup,
        "deep": bench_deep,
    }
    parts[part]()
