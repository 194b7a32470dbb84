"""Disclaimer and attribution accuracy and speed on the development pages.

Run by hand (not in CI), from the project root:

    .venv/bin/python benchmarks/bench_disclosures.py [--corpus ../shared/corpus/pages] [-v]

Accuracy: for every page in ``labels.jsonl``, ``disclosures.disclaimer.present`` against
``disclaimer_present`` and ``disclosures.attribution.present`` against
``attribution_present``; credited names against ``attribution_source`` (a name counts as
right when the labelled name, or one of its ``;``-separated parts, is among the names found
or their aliases).

Speed: the stage's whole cost per article -- its one full scan
(``CheckDisclosures.protected``, which the chrome stage calls) plus ``run`` (which reuses
the scan) -- timed with ``time.perf_counter`` with a cold cache, best of ``--rounds`` per
article, on: the dev pages as captured; real news article bodies cut to 5,000 characters
(``../shared/corpus/html/ground-truth.json``); and a stress set where each dev page is
repeated to 5,000 characters (so are its credits and footers).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import filters  # noqa: E402
from filters.context import Context, Options  # noqa: E402
from filters.textnorm import normalise_plain  # noqa: E402

ARTICLE_CHARS = 5000


def _label_names(label: str | None) -> list[list[str]]:
    """``"Bloomberg (syndicated); X (alias, via Y)"`` -> per credited source, its accepted names.

    A source counts as found when any of its names (the main one or one given in
    parentheses) matches a name the check reports.
    """
    if not label:
        return []
    out = []
    for m in re.finditer(r"([^;(]+)(?:\(([^)]*)\))?", label):
        main = m.group(1).strip()
        if not main:
            continue
        alts = [a.strip() for a in re.split(r"[,;]", m.group(2) or "") if a.strip()]
        out.append([main, *alts])
    return out


def _name_ok(want: str, found: list[str], pipeline: filters.Pipeline) -> bool:
    stage = pipeline.stage("check_disclosures")
    w = normalise_plain(want)
    want_src = stage.sources.lookup(want)
    for name in found:
        n = normalise_plain(name)
        if n and (n == w or n in w or w in n):
            return True
        if want_src is not None and stage.sources.lookup(name) is want_src:
            return True
    return False


def accuracy(pipeline: filters.Pipeline, corpus: Path, verbose: bool) -> None:
    labels = [json.loads(line) for line in (corpus / "labels.jsonl").open(encoding="utf-8")]
    dis_ok = att_ok = names_total = names_ok = names_strict = 0
    for lab in labels:
        text = (corpus / "pages" / f"{lab['id']}.txt").read_text(encoding="utf-8")
        res = pipeline.check(text, url=lab.get("url"))
        d, a = res.disclosures.disclaimer, res.disclosures.attribution
        d_right = d.present == lab["disclaimer_present"]
        a_right = a.present == lab["attribution_present"]
        dis_ok += d_right
        att_ok += a_right
        wanted = _label_names(lab.get("attribution_source")) if lab["attribution_present"] else []
        got = [w for w in wanted if any(_name_ok(n, a.sources, pipeline) for n in w)]
        names_total += len(wanted)
        names_ok += len(got)
        names_strict += sum(1 for w in wanted if _name_ok(w[0], a.sources, pipeline))
        if verbose or not (d_right and a_right) or len(got) != len(wanted):
            print(
                f"{lab['id']} {lab['lang']:7} disclaimer {'ok ' if d_right else 'BAD'} "
                f"(got {d.present}, {d.matched}) attribution {'ok ' if a_right else 'BAD'} "
                f"(got {a.present}, want {lab['attribution_present']}) "
                f"names found {a.sources} wanted {[w[0] for w in wanted]}"
            )
    n = len(labels)
    print(f"pages: {n}")
    print(f"disclaimer present/absent right: {dis_ok}/{n} = {dis_ok / n:.1%}")
    print(f"attribution present/absent right: {att_ok}/{n} = {att_ok / n:.1%}")
    print(
        f"labelled source names found: {names_ok}/{names_total} "
        f"(by the label's main name only: {names_strict}/{names_total})"
    )


def _stage_times(pipeline: filters.Pipeline, texts: list[str], rounds: int) -> list[float]:
    """Best-of-``rounds`` cost of the stage per text: its one scan plus ``run``, cold cache."""
    stage = pipeline.stage("check_disclosures")
    out = []
    for text in texts:
        ctx = Context(doc=pipeline.load(text), rules=pipeline.rules, options=Options())
        for s in pipeline.stages:
            if s.name == "check_disclosures":
                break
            s.run(ctx)
        best = float("inf")
        for _ in range(rounds):
            stage._cache.clear()  # cold: the scan is what costs
            ctx.findings.clear()
            t0 = time.perf_counter()
            stage.protected(ctx.doc.text)  # what the chrome stage calls: the one full scan
            stage.run(ctx)  # reuses the scan: findings, placement, cross-checks
            best = min(best, time.perf_counter() - t0)
        out.append(best * 1000)
    return out


def _report(label: str, texts: list[str], ms: list[float]) -> None:
    chars = sum(len(t) for t in texts)
    per_5k = sum(ms) / chars * ARTICLE_CHARS
    ordered = sorted(ms)
    print(
        f"{label}: n={len(texts)}, mean {chars / len(texts):.0f} chars; "
        f"mean {statistics.mean(ms):.3f} ms, median {statistics.median(ms):.3f} ms, "
        f"p95 {ordered[int(0.95 * (len(ordered) - 1))]:.3f} ms, max {ordered[-1]:.3f} ms; "
        f"{per_5k:.3f} ms per {ARTICLE_CHARS} chars"
    )


def speed(pipeline: filters.Pipeline, corpus: Path, rounds: int) -> None:
    pages = [p.read_text(encoding="utf-8") for p in sorted((corpus / "pages").glob("*.txt"))]
    _report("dev pages as captured", pages, _stage_times(pipeline, pages, rounds))
    truth = corpus.parent / "html" / "ground-truth.json"
    if truth.exists():
        bodies = [v["articleBody"] for v in json.loads(truth.read_text(encoding="utf-8")).values()]
        news = [b[:ARTICLE_CHARS] for b in bodies if len(b) >= ARTICLE_CHARS]
        _report(
            f"real news article bodies cut to {ARTICLE_CHARS} chars (html/ground-truth.json)",
            news,
            _stage_times(pipeline, news, rounds),
        )
    repeated = []
    for t in pages:
        reps = ARTICLE_CHARS // max(1, len(t)) + 1
        repeated.append(("\n\n".join([t] * reps))[:ARTICLE_CHARS])
    _report(
        f"stress: each dev page repeated to {ARTICLE_CHARS} chars (its credits repeated too)",
        repeated,
        _stage_times(pipeline, repeated, rounds),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared/corpus/pages")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-speed", action="store_true")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    if not (args.corpus / "labels.jsonl").exists():
        sys.exit(f"{args.corpus}/labels.jsonl not found")
    pipeline = filters.Pipeline()
    accuracy(pipeline, args.corpus, args.verbose)
    if not args.no_speed:
        speed(pipeline, args.corpus, args.rounds)


if __name__ == "__main__":
    main()
