"""Disclaimer and attribution accuracy and speed on the development pages.

Run by hand (not in CI), from the project root:

    .venv/bin/python benchmarks/bench_disclosures.py [--corpus ../shared/corpus/pages] [-v]

Accuracy: for every page in ``labels.jsonl``, ``disclosures.disclaimer.present`` against
``disclaimer_present`` and ``disclosures.attribution.present`` against
``attribution_present``; credited names against ``attribution_source`` (a name counts as
right when the labelled name, or one of its ``;``-separated parts, is among the names found
or their aliases).

Speed: the ``check_disclosures`` stage and ``CheckDisclosures.protected`` (called by the
chrome stage) timed with ``time.perf_counter`` on every page, and on 5,000-character
articles built by repeating each page's text, best of a few rounds.
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
    stage = next(s for s in pipeline.stages if s.name == "check_disclosures")
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
    dis_ok = att_ok = names_total = names_ok = 0
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
    print(f"labelled source names found: {names_ok}/{names_total}")


def speed(pipeline: filters.Pipeline, corpus: Path, rounds: int) -> None:
    stage = next(s for s in pipeline.stages if s.name == "check_disclosures")
    texts = [p.read_text(encoding="utf-8") for p in sorted((corpus / "pages").glob("*.txt"))]
    long_texts = []
    for t in texts:
        reps = ARTICLE_CHARS // max(1, len(t)) + 1
        long_texts.append(("\n\n".join([t] * reps))[:ARTICLE_CHARS])

    def time_stage(batch: list[str]) -> tuple[list[float], list[float]]:
        ctxs = []
        for t in batch:
            doc = pipeline.load(t)
            ctx = Context(doc=doc, rules=pipeline.rules, options=Options())
            for s in pipeline.stages:
                if s.name == "check_disclosures":
                    break
                s.run(ctx)
            ctxs.append(ctx)
        run_ms, prot_ms = [], []
        for ctx in ctxs:
            best_run = best_prot = float("inf")
            for _ in range(rounds):
                ctx.findings.clear()
                t0 = time.perf_counter()
                stage.run(ctx)
                best_run = min(best_run, time.perf_counter() - t0)
                t0 = time.perf_counter()
                stage.protected(ctx.doc.text)
                best_prot = min(best_prot, time.perf_counter() - t0)
            run_ms.append(best_run * 1000)
            prot_ms.append(best_prot * 1000)
        return run_ms, prot_ms

    for label, batch in (
        ("pages as captured", texts),
        (f"{ARTICLE_CHARS}-char articles", long_texts),
    ):
        run_ms, prot_ms = time_stage(batch)
        mean_chars = statistics.mean(len(t) for t in batch)
        print(
            f"{label} (n={len(batch)}, mean {mean_chars:.0f} chars): "
            f"check_disclosures mean {statistics.mean(run_ms):.3f} ms, "
            f"p95 {sorted(run_ms)[int(0.95 * (len(run_ms) - 1))]:.3f} ms, max {max(run_ms):.3f} ms; "
            f"protected() mean {statistics.mean(prot_ms):.3f} ms"
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
