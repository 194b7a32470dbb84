"""How long the report formats take per article, over the development corpus.

Runs every page of ../shared/corpus/pages (text) and ../shared/corpus/html (HTML) through
the pipeline once, then times each renderer on the results: the terminal text report
(with input-file positions, which for HTML re-reads the page's markup), the HTML report
page, and SARIF. Reports are not part of the per-article pipeline budget; these numbers
say what a reviewer's command adds on top of the check.

    .venv/bin/python benchmarks/bench_reports.py
"""

from __future__ import annotations

import gzip
import statistics
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import filters
from filters.locate import SourceLocator
from filters.render import render_text
from filters.report_html import render_article_html, render_batch_html
from filters.sarif import SarifInput, render_sarif

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
REPEAT = 3


def inputs() -> list[tuple[str, bytes]]:
    items = [(p.name, p.read_bytes()) for p in sorted((CORPUS / "pages" / "pages").glob("*.txt"))]
    items += [
        (p.name, gzip.decompress(p.read_bytes()))
        for p in sorted((CORPUS / "html" / "pages").glob("*.html.gz"))
    ]
    return items


def best_ms(fn: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return min(times)


def time_formats(
    pipeline: filters.Pipeline, name: str, content: bytes, result: filters.Result
) -> dict[str, float]:
    """Best-of-REPEAT milliseconds for each format, a fresh locator each time (as the CLI)."""

    def locator() -> SourceLocator:
        return SourceLocator(content, result, partial(pipeline.load, content))

    return {
        "text": best_ms(lambda: render_text(result, name, locate=locator().region)),
        "html": best_ms(lambda: render_article_html(result, name, locate=locator().region)),
        "sarif": best_ms(
            lambda: render_sarif([SarifInput(name, result, locator())], pipeline.rules)
        ),
    }


def main() -> None:
    if not CORPUS.exists():
        raise SystemExit(f"{CORPUS} not found")
    pipeline = filters.Pipeline()
    checked = []
    for name, content in inputs():
        result = pipeline.check(content)
        checked.append((name, content, result))
    render_article_html(checked[0][2], "warm-up")  # template compilation, once per process
    rows: dict[tuple[str, str], list[float]] = {}
    chars = []
    for name, content, result in checked:
        chars.append(len(result.clean_text))
        kind = result.audit.input.content_type

        timings = time_formats(pipeline, name, content, result)
        for fmt, ms in timings.items():
            rows.setdefault((fmt, kind), []).append(ms)
    records = [(i, r.audit) for i, (_, _, r) in enumerate(checked, 1)]
    batch_ms = best_ms(lambda: render_batch_html(records))
    print(f"{len(checked)} articles, median clean text {statistics.median(chars):,.0f} chars")
    print("format  input  articles  median ms  p95 ms   (per article, input-file positions)")
    for (fmt, kind), values in sorted(rows.items()):
        values.sort()
        p95 = values[int(0.95 * (len(values) - 1))]
        median = statistics.median(values)
        print(f"{fmt:>6}  {kind:>5}  {len(values):>8}  {median:9.2f}  {p95:6.2f}")
    print(f" batch: {batch_ms:6.1f} ms for {len(records)} audit records")


if __name__ == "__main__":
    main()
