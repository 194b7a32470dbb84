"""How fast is prepub, where does the time go, and how does it compare with presidio?

Run by hand (not in CI), from the project root, with the development corpus beside it:

    .venv/bin/python benchmarks/bench_pipeline.py            # about a minute
    .venv/bin/python benchmarks/bench_pipeline.py --quick    # a few seconds, for a smoke run
    .venv/bin/python benchmarks/bench_pipeline.py --json benchmarks/results/run.json

What it measures, all in one process and one run so the numbers share the machine's state:

* **text**: 5,000-character articles built at run time from the dev pages
  (``../shared/corpus/pages/pages/*.txt`` concatenated in turn and cut to 5,000 characters;
  nothing is copied into the project). ``Pipeline.check`` on each, sequentially on one
  core: articles per second, and the per-stage breakdown from ``result.audit.stages``.
* **html**: the real news pages of ``../shared/corpus/html/pages`` as they are (whole pages,
  about 170 KB of HTML each), the same way.
* **presidio**: a bare ``AnalyzerEngine().analyze(text, language="en")`` on the same text
  articles, interleaved round by round with prepub so both see the same load. presidio's
  default engine wants the spaCy model ``en_core_web_lg``, which is not installed and is
  never downloaded here; the baseline is presidio's *default recognizer registry* (every
  predefined recognizer, all entities) on a blank English spaCy pipeline. The real default
  also runs the model's NER over the text, so it is slower than this baseline: the ratio
  reported is a lower bound on prepub's advantage.
* **batch**: ``run_jsonl`` (what ``prepub batch`` runs) with one worker per core over the
  text articles, JSONL out and a chained audit log in a temporary directory: records per
  second and per core (worker start-up included), and the parent's CPU per record, which
  is the batch engine's own cost (reading, hand-over, ordering, JSON, audit chaining).
* **memory**: peak RSS of this process and of the largest batch worker, and the peak
  Python allocation while checking one article (``tracemalloc``, on a separate pass).

No network: sockets are blocked for the whole run and tldextract is pointed at its bundled
suffix list.
"""

from __future__ import annotations

import argparse
import gc
import gzip
import json
import os
import platform
import resource
import socket
import statistics
import sys
import time
import tracemalloc
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "corpus"
ARTICLE_CHARS = 5000


def _block_network() -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(f"network access attempted by the benchmark: {args[:1]}")

    socket.socket.connect = refuse  # type: ignore[method-assign]
    socket.socket.connect_ex = refuse  # type: ignore[method-assign, assignment]
    socket.getaddrinfo = refuse  # type: ignore[assignment]
    socket.create_connection = refuse  # type: ignore[assignment]


def text_articles(count: int) -> list[str]:
    """``count`` articles of exactly 5,000 characters made of the dev pages, in turn."""
    pages = [
        p.read_text(encoding="utf-8") for p in sorted((CORPUS / "pages" / "pages").glob("*.txt"))
    ]
    if not pages:
        raise SystemExit(f"no dev pages under {CORPUS}/pages/pages")
    out: list[str] = []
    i = 0
    while len(out) < count:
        parts: list[str] = []
        size = 0
        while size < ARTICLE_CHARS:
            page = pages[i % len(pages)].strip()
            parts.append(page)
            size += len(page) + 2
            i += 1
        out.append("\n\n".join(parts)[:ARTICLE_CHARS])
    return out


def html_pages(count: int) -> list[bytes]:
    """The first ``count`` real news pages, as the bytes a crawler would hand over."""
    files = sorted((CORPUS / "html" / "pages").glob("*.html.gz"))[:count]
    return [gzip.decompress(f.read_bytes()) for f in files]


def presidio_baseline() -> Any:
    """presidio's default recognizer registry on a blank spaCy pipeline (see the docstring)."""
    import spacy
    import tldextract.tldextract as tld
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    tld.TLD_EXTRACTOR = tld.TLDExtract(suffix_list_urls=(), cache_dir=None)

    class BlankEnglish(SpacyNlpEngine):
        def __init__(self) -> None:
            super().__init__(models=[{"lang_code": "en", "model_name": "blank"}])

        def load(self) -> None:
            self.nlp = {"en": spacy.blank("en")}

    registry = RecognizerRegistry(supported_languages=["en"])
    registry.load_predefined_recognizers(languages=["en"])
    return AnalyzerEngine(registry=registry, nlp_engine=BlankEnglish(), supported_languages=["en"])


def _time_each(fn: Any, items: list[Any]) -> list[tuple[float, float]]:
    """(wall ms, CPU ms of this process) per item.

    CPU time is what other jobs on the same cores inflate least; wall time is what a feed sees.
    """
    out = []
    for item in items:
        c0, t0 = time.process_time(), time.perf_counter()
        fn(item)
        out.append(((time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000))
    return out


def _summary(samples: list[tuple[float, float]]) -> dict[str, float]:
    ms = sorted(w for w, _ in samples)
    cpu = statistics.fmean(c for _, c in samples)
    return {
        "mean_ms": round(statistics.fmean(ms), 3),
        "p50_ms": round(ms[len(ms) // 2], 3),
        "p95_ms": round(ms[min(len(ms) - 1, int(len(ms) * 0.95))], 3),
        "per_s": round(1000 / statistics.fmean(ms), 1),
        "cpu_mean_ms": round(cpu, 3),
        "per_cpu_s": round(1000 / cpu, 1) if cpu else 0.0,
    }


def stage_breakdown(pipeline: Any, items: list[Any]) -> dict[str, dict[str, float]]:
    """Mean and p95 of each stage's own duration, plus what the stages do not account for."""
    stages: dict[str, list[float]] = defaultdict(list)
    for item in items:
        t0 = time.perf_counter()
        result = pipeline.check(item)
        total = (time.perf_counter() - t0) * 1000
        accounted = 0.0
        for s in result.audit.stages:
            stages[s.name].append(s.duration_ms)
            accounted += s.duration_ms
        stages["(overhead: context, records, result)"].append(max(0.0, total - accounted))
        stages["TOTAL"].append(total)
    out = {}
    for name, values in stages.items():
        values.sort()
        out[name] = {
            "mean_ms": round(statistics.fmean(values), 3),
            "p95_ms": round(values[min(len(values) - 1, int(len(values) * 0.95))], 3),
        }
    return out


def batch_throughput(pipeline: Any, articles: list[str], jobs: int, repeat: int) -> dict[str, Any]:
    """``prepub batch``'s path (``run_jsonl``): JSONL file in, JSONL out, chained audit log.

    Also the parent process's CPU per record: reading, handing over, ordering, JSON and
    audit chaining, i.e. what the batch engine itself costs on top of the checks.
    """
    import tempfile

    from filters.batch import run_jsonl

    count = len(articles) * repeat
    with tempfile.TemporaryDirectory(prefix="prepub-bench-") as tmp:
        feed, out, log = Path(tmp, "in.jsonl"), Path(tmp, "out.jsonl"), Path(tmp, "audit.jsonl")
        with open(feed, "w", encoding="utf-8") as fh:
            for n in range(count):
                fh.write(json.dumps({"id": n, "content": articles[n % len(articles)]}) + "\n")
        c0, t0 = time.process_time(), time.perf_counter()
        stats = run_jsonl(feed, str(out), pipeline=pipeline, jobs=jobs, audit_log=log)
        elapsed, parent_cpu = time.perf_counter() - t0, time.process_time() - c0
        out_mb = out.stat().st_size / 1e6
    assert stats.records == count
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "jobs": jobs,
        "records": count,
        "seconds_incl_worker_start": round(elapsed, 2),
        "records_per_s": round(count / elapsed, 1),
        "records_per_s_per_core": round(count / elapsed / jobs, 1),
        "parent_cpu_ms_per_record": round(parent_cpu * 1000 / count, 3),
        "output_mb": round(out_mb, 1),
        "largest_worker_peak_rss_mb": round(children, 1),
    }


def python_peak_per_article(pipeline: Any, articles: list[str]) -> float:
    """Largest Python allocation peak while checking one article (MB)."""
    peak = 0
    tracemalloc.start()
    for article in articles:
        tracemalloc.reset_peak()
        pipeline.check(article)
        peak = max(peak, tracemalloc.get_traced_memory()[1])
    tracemalloc.stop()
    return round(peak / 1e6, 2)


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=40, help="text articles (5,000 chars)")
    parser.add_argument("--html", type=int, default=20, help="real HTML pages")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved prepub/presidio rounds")
    parser.add_argument("--batch-repeat", type=int, default=5, help="batch input = articles x N")
    parser.add_argument("--jobs", type=int, default=None, help="batch workers (default: cores)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 10 articles, 1 round")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON here")
    args = parser.parse_args()
    if args.quick:
        args.articles, args.html, args.rounds, args.batch_repeat = 10, 5, 1, 2
    if not CORPUS.is_dir():
        print(f"the development corpus is not at {CORPUS}", file=sys.stderr)
        return 2
    _block_network()

    import filters
    from filters.batch import default_jobs

    report: dict[str, Any] = {"machine": machine(), "command": " ".join(sys.argv)}
    t0 = time.perf_counter()
    pipeline = filters.Pipeline().warm_up()
    report["pipeline_build_and_warm_up_s"] = round(time.perf_counter() - t0, 2)
    texts = text_articles(args.articles)
    pages = html_pages(args.html)
    presidio = presidio_baseline()
    presidio.analyze(texts[0], language="en")  # its own warm-up
    for t in texts[:3]:
        pipeline.check(t)

    prepub_rounds: list[list[tuple[float, float]]] = []
    presidio_rounds: list[list[tuple[float, float]]] = []
    for _ in range(args.rounds):
        gc.collect()
        prepub_rounds.append(_time_each(pipeline.check, texts))
        presidio_rounds.append(_time_each(lambda t: presidio.analyze(t, language="en"), texts))
    prepub_text = _summary([x for r in prepub_rounds for x in r])
    presidio_text = _summary([x for r in presidio_rounds for x in r])
    per_round = [
        statistics.fmean(w for w, _ in b) / statistics.fmean(w for w, _ in a)
        for a, b in zip(prepub_rounds, presidio_rounds, strict=True)
    ]
    report["text"] = {"articles": len(texts), "chars_each": ARTICLE_CHARS, **prepub_text}
    report["presidio_default_registry_blank_spacy"] = presidio_text
    report["speedup_vs_presidio"] = {
        "overall": round(presidio_text["mean_ms"] / prepub_text["mean_ms"], 2),
        "overall_cpu": round(presidio_text["cpu_mean_ms"] / prepub_text["cpu_mean_ms"], 2),
        "per_round": [round(x, 2) for x in per_round],
    }
    report["text_stages"] = stage_breakdown(pipeline, texts)

    if pages:
        for p in pages[:2]:
            pipeline.check(p)
        html_ms = [
            x for _ in range(max(1, args.rounds - 1)) for x in _time_each(pipeline.check, pages)
        ]
        report["html"] = {
            "pages": len(pages),
            "mean_html_kb": round(statistics.fmean(len(p) for p in pages) / 1024, 1),
            **_summary(html_ms),
        }
        report["html_stages"] = stage_breakdown(pipeline, pages)

    report["python_peak_per_text_article_mb"] = python_peak_per_article(pipeline, texts[:10])
    report["batch"] = batch_throughput(
        pipeline, texts, args.jobs or default_jobs(), args.batch_repeat
    )
    report["peak_rss_mb_this_process"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
    )
    report["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]

    _print(report)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


def _print(r: dict[str, Any]) -> None:
    m = r["machine"]
    print(
        f"machine: {m['cpu']}, {m['cores']} cores, Python {m['python']}, load {m['load_average_at_start']} -> {r['load_average_at_end']}"
    )
    print(f"pipeline build + warm-up: {r['pipeline_build_and_warm_up_s']} s\n")
    t, p = r["text"], r["presidio_default_registry_blank_spacy"]
    print(
        f"{'':34} {'mean ms':>8} {'p50':>8} {'p95':>8} {'/s wall':>8} {'cpu ms':>8} {'/s/core':>8}"
    )

    def row(label: str, x: dict[str, float]) -> None:
        print(
            f"{label:34} {x['mean_ms']:>8.2f} {x['p50_ms']:>8.2f} {x['p95_ms']:>8.2f} "
            f"{x['per_s']:>8.1f} {x['cpu_mean_ms']:>8.2f} {x['per_cpu_s']:>8.1f}"
        )

    row("prepub Pipeline.check, text 5k", t)
    row("presidio analyze (baseline)", p)
    if "html" in r:
        h = r["html"]
        row(f"prepub Pipeline.check, html {h['mean_html_kb']:.0f}KB", h)
    s = r["speedup_vs_presidio"]
    print(
        f"\nprepub vs presidio on the same text articles: {s['overall']}x wall "
        f"(rounds: {s['per_round']}), {s['overall_cpu']}x CPU"
    )
    for key in ("text_stages", "html_stages"):
        if key not in r:
            continue
        print(f"\n{key.replace('_', ' ')} (ms)          mean      p95")
        for name, v in r[key].items():
            print(f"  {name:36} {v['mean_ms']:>7.3f} {v['p95_ms']:>8.3f}")
    b = r["batch"]
    print(
        f"\nbatch: {b['records']} records on {b['jobs']} workers in {b['seconds_incl_worker_start']} s "
        f"= {b['records_per_s']} records/s ({b['records_per_s_per_core']} per core), "
        f"{b['output_mb']} MB out + audit log; engine cost in the parent "
        f"{b['parent_cpu_ms_per_record']} ms CPU per record"
    )
    print(
        f"memory: peak RSS {r['peak_rss_mb_this_process']} MB (this process), "
        f"{b['largest_worker_peak_rss_mb']} MB (largest batch worker); "
        f"Python peak per article {r['python_peak_per_text_article_mb']} MB"
    )


if __name__ == "__main__":
    raise SystemExit(main())
