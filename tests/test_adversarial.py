"""Adversarial input: no shipped rule pattern and no stage takes super-linear time.

Two sweeps, each in one subprocess (so a runaway match is killed, never hangs the suite)
with a per-case alarm (``signal.setitimer``: ``re`` checks for signals while it matches):

* every regex and phrase list of every shipped rule against near-miss strings built from
  its own parse tree: each unbounded repeat pumped to :data:`PUMP` characters with the
  rest of the pattern as a prefix and a breaking character at the end, and runs of each
  character class it accepts;
* the whole pipeline against pathological documents: floods of blank lines, megabyte
  runs of one character class, huge lines, many tiny lines, deep and broken HTML.

A case passes when it *completes* within a generous budget (linear work takes
milliseconds; the budget is seconds): nothing here asserts a duration.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
PUMP = 20_000  # length of a pumped repeat in a regex attack
RUN = 20_000  # length of a run of one character class
# Per attack. Linear matching of 20k characters takes milliseconds; a quadratic pattern
# takes tens of seconds on the same string (ATT-010 on 25k capitals: 50 s).
BUDGET_S = 0.5
DOC_BUDGET_S = 3.0  # per pathological document; linear ones take a fraction of a second
BREAKERS = "!§\x01"  # appended to a near-miss so the match fails at the very end


# -- attack strings from a pattern's parse tree ---------------------------------------


def _class_char(walker: Any, item: Any, avoid: str = "") -> str:
    """A printable character the single-character item accepts."""
    from filters.regex_safety import _BIT, _PROBE

    mask = walker.leaf(item)
    for ch in "aA0 .,-_:/中é\n" + _PROBE:
        if ch in avoid or not ch.isprintable() and ch not in " \n":
            continue
        if mask & _BIT.get(ch, 0):
            return ch
    return "a"


def _witness(walker: Any, items: list[Any], pump: int | None, counter: list[int]) -> str:
    """A string shaped like a match of ``items``; repeat number ``pump`` is pumped."""
    import re._constants as c  # type: ignore[import-not-found]

    out = []
    for item in items:
        op, arg = item
        if walker.leaf(item) is not None:
            out.append(_class_char(walker, item))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            lo, hi, sub = arg
            index = counter[0]
            counter[0] += 1
            body = _witness(walker, sub.data, pump, counter)
            if index == pump and body:
                times = max(PUMP // len(body), 1)
                if hi != c.MAXREPEAT:
                    times = min(times, hi)
            else:
                times = min(max(lo, 1), hi)
            out.append(body * times)
        elif op is c.SUBPATTERN:
            saved = walker.flags
            walker.flags = (walker.flags | arg[1]) & ~arg[2]
            out.append(_witness(walker, arg[3].data, pump, counter))
            walker.flags = saved
        elif op is c.BRANCH:
            out.append(_witness(walker, arg[1][0].data, pump, counter))
        elif op is c.ATOMIC_GROUP:
            out.append(_witness(walker, arg.data, pump, counter))
    return "".join(out)


def attacks(pattern: str, flags: int) -> Iterator[tuple[str, str]]:
    """``(description, text)`` near-misses for one pattern."""
    import re._constants as c  # type: ignore[import-not-found]
    import re._parser as p  # type: ignore[import-not-found]

    from filters.regex_safety import _Walker

    tree = p.parse(pattern, flags)
    walker = _Walker(tree.state.flags, False)

    repeats = 0
    classes: dict[int, str] = {}  # mask -> a character of it, for runs

    def survey(items: list[Any]) -> None:
        nonlocal repeats
        for item in items:
            op, arg = item
            mask = walker.leaf(item)
            if mask is not None:
                if op is not c.LITERAL:  # runs of one literal character prove nothing
                    classes.setdefault(mask, _class_char(walker, item))
            elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
                repeats += 1
                survey(arg[2].data)
            elif op is c.SUBPATTERN:
                saved = walker.flags
                walker.flags = (walker.flags | arg[1]) & ~arg[2]
                survey(arg[3].data)
                walker.flags = saved
            elif op is c.BRANCH:
                for branch in arg[1]:
                    survey(branch.data)
            elif op in (c.ASSERT, c.ASSERT_NOT):
                survey(arg[1].data)
            elif op is c.ATOMIC_GROUP:
                survey(arg.data)

    survey(tree.data)
    for k in range(repeats):
        text = _witness(walker, tree.data, k, [0])
        if len(text) < PUMP:
            continue  # a bounded repeat: nothing to pump
        yield f"repeat {k} pumped, last char cut", text[:-1]
        for breaker in BREAKERS:
            yield f"repeat {k} pumped + {breaker!r}", text + breaker
    minimal = _witness(walker, tree.data, None, [0])
    if minimal:
        yield "minimal match repeated", (minimal[:-1] + " ") * max(PUMP // len(minimal), 1)
    for ch in classes.values():
        yield f"run of {ch!r}", ch * RUN + "!"
        yield f"run of {ch!r} and spaces", (ch + " ") * (RUN // 2) + "!"
        yield f"run of {ch!r} and line breaks", (ch + "\n") * (RUN // 2) + "!"


# -- the worker (runs in a subprocess) -------------------------------------------------


class _Slow(BaseException):  # not an Exception: the pipeline must not catch it
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise _Slow()


def _timed(fn: Any, *args: Any) -> bool:
    """Whether ``fn(*args)`` completes within the budget."""
    signal.setitimer(signal.ITIMER_REAL, BUDGET_S)
    try:
        fn(*args)
        return True
    except _Slow:
        return False
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def _count_matches(pattern: re.Pattern[str], text: str) -> int:
    return sum(1 for _ in pattern.finditer(text))


def regex_worker() -> dict[str, list[str]]:
    """Every shipped rule's patterns against their attack strings: rule id -> slow cases."""
    import filters
    from filters.rulepack import REGEX_FLAGS

    signal.signal(signal.SIGALRM, _alarm)
    slow: dict[str, list[str]] = {}
    cases = 0
    for rule in filters.load_rule_packs().rules:
        slow[rule.id] = []
        if not hasattr(rule, "regex"):
            continue  # document and entity rules have no patterns of their own
        # A rule whose patterns only ever see short texts is attacked with texts that long.
        bound = type(rule).input_bound(dict(rule))
        if rule.kind == "strip":  # each pattern is matched against one line, as the rule does
            compiled = rule.line_patterns
        else:  # each pattern searches the text, as PatternFields.find does
            compiled = rule.compiled
        for pattern in compiled:
            for what, text in attacks(pattern.pattern, REGEX_FLAGS):
                cases += 1
                text = text[:bound] if bound else text
                if rule.kind == "strip":
                    ok = _timed(pattern.fullmatch, text)
                else:
                    ok = _timed(_count_matches, pattern, text)
                if not ok:
                    slow[rule.id].append(f"{pattern.pattern[:60]!r}: {what}")
                    break  # one slow case per pattern is enough to report it
    slow["__cases__"] = [str(cases)]
    return slow


SIZE = 20_000  # characters of a pathological document: linear work takes a fraction of a second

# name -> (content factory, content type). Factories, so collecting the tests is cheap.
DOCUMENTS: dict[str, tuple[Callable[[], str], str]] = {
    "blank-line flood": (lambda: "Start.\n" + "\n" * SIZE + "End.", "text"),
    "blank lines of spaces": (lambda: "Start.\n" + " \n" * (SIZE // 2) + "End.", "text"),
    "one line of spaces": (lambda: "Start " + " " * SIZE + " end.", "text"),
    "capital letters run": (lambda: "A" * SIZE, "text"),
    "lower-case run": (lambda: "a" * SIZE, "text"),
    "digits run": (lambda: "1" * SIZE, "text"),
    "digits and spaces": (lambda: "1 " * (SIZE // 2), "text"),
    "CJK run": (lambda: "比" * SIZE, "text"),
    "capitalised words": (lambda: "Alpha Beta " * (SIZE // 11), "text"),
    "tiny lines": (lambda: "a\n" * (SIZE // 2), "text"),
    "label lines": (lambda: "Share\n" * (SIZE // 6), "text"),
    "source lines": (lambda: "Source: Reuters\n" * (SIZE // 16), "text"),
    "one-word sentences": (lambda: "Buy. " * (SIZE // 5), "text"),
    "no sentence end": (lambda: "investors should be buying " * (SIZE // 27), "text"),
    "at signs": (lambda: "a@b " * (SIZE // 4), "text"),
    "dots": (lambda: "." * 50_000, "text"),  # quadratic, but only 1.7 s at 10k
    "unbalanced quote": (lambda: "“" + "word " * (SIZE // 5), "text"),
    "ansi and controls": (lambda: "\x1b[1mtext\x1b[0m\x00\x07 " * (SIZE // 20), "text"),
    "emoji zwj": (lambda: "👩\u200d👩\u200d👧 " * (SIZE // 6), "text"),
    "combining marks": (lambda: "e" + "\u0301" * SIZE, "text"),
    "rtl and bidi": (lambda: "\u202eمرحبا بالعالم\u202c " * (SIZE // 16), "text"),
    "deep html": (lambda: "<div>" * 5000 + "<p>Deep.</p>" + "</div>" * 5000, "html"),
    "unclosed tags": (lambda: "<html><body>" + "<p><b><i>" * (SIZE // 10) + "text", "html"),
    "many paragraphs": (lambda: "<html><body>" + "<p>Word.</p>" * (SIZE // 12), "html"),
    "unclosed comment": (lambda: "<html><body><p>Text</p><!--" + "x" * SIZE, "html"),
    "huge attribute": (lambda: '<html><body><p title="' + "x" * SIZE + '">Text</p>', "html"),
    "many links": (
        lambda: "<html><body>" + '<a href="/x">view original</a>' * (SIZE // 30),
        "html",
    ),
    "entities": (
        lambda: "<html><body><p>" + "&amp;&#x41;&#99999999;&bogus;" * (SIZE // 30),
        "html",
    ),
    "cdata": (lambda: "<html><body><p>x</p><![CDATA[" + "y" * SIZE, "html"),
    "lt run": (lambda: "<p>x" + "<" * SIZE, "html"),
}


def document_worker() -> dict[str, str]:
    """Every pathological document through the pipeline: name -> how it ended."""
    import filters

    signal.signal(signal.SIGALRM, _alarm)
    pipeline = filters.Pipeline()
    pipeline.check("Warm up: shares rose on Monday, Reuters reported.")
    out = {}
    for name, (make, content_type) in DOCUMENTS.items():
        content = make()
        signal.setitimer(signal.ITIMER_REAL, DOC_BUDGET_S)
        try:
            result = pipeline.check(content, content_type=content_type)  # type: ignore[arg-type]
            out[name] = f"result {result.decision}"
        except filters.InputError as exc:
            out[name] = f"input error: {exc}"
        except _Slow:
            out[name] = f"did not finish within {DOC_BUDGET_S:.0f}s"
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    return out


# -- the tests -------------------------------------------------------------------------


def _run_worker(*args: str, timeout: float) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "tests.test_adversarial", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


@pytest.fixture(scope="module")
def regex_sweep() -> dict[str, list[str]]:
    return dict(json.loads(_run_worker("regex", timeout=900)))


def _shipped_rule_ids() -> list[str]:
    import filters

    return [r.id for r in filters.load_rule_packs().rules]


# Shipped patterns that are super-linear at the regex level (found by this sweep). They
# are listed for the pack owners to fix; strict, so the mark must go once they are fixed.
_LINE_START = (
    "(?m)^\\s* lets every line start of a run of blank lines rescan the rest of the run: "
    "quadratic on ' \\n' * 10_000 (~30 s for 25k). The pipeline is protected (load cuts "
    "runs of blank lines to 3), the pattern is not. Fix: (?m)^[^\\S\\n]*"
)
KNOWN_SLOW: dict[str, str] = {
    "ATT-010": (
        "[A-Z][\\w&.’'-]* can start at every capital of a run and rescan the rest of it: "
        "quadratic on 'A' * 20_000 (50 s for 25k). Fix: start the name after \\b or "
        "bound the repeat, [\\w&.’'-]{0,40}"
    ),
    "ATT-012": _LINE_START,
    "ATT-013": _LINE_START,
    "ATT-020": _LINE_START,
}


@pytest.mark.parametrize(
    "rule_id",
    [
        pytest.param(r, marks=pytest.mark.xfail(strict=True, reason=KNOWN_SLOW[r]))
        if r in KNOWN_SLOW
        else r
        for r in _shipped_rule_ids()
    ],
)
def test_every_shipped_rule_completes_on_near_misses(
    rule_id: str, regex_sweep: dict[str, list[str]]
) -> None:
    assert regex_sweep[rule_id] == [], regex_sweep[rule_id]


def test_the_sweep_generated_many_cases(regex_sweep: dict[str, list[str]]) -> None:
    assert int(regex_sweep["__cases__"][0]) > 500


KNOWN_SLOW_DOCUMENTS: dict[str, str] = {
    "capital letters run": (
        "rules/attribution.toml ATT-010 (see KNOWN_SLOW): quadratic in check_disclosures "
        "and in strip_chrome's protected spans; 4,000 capitals take ~5 s"
    ),
    "dots": (
        "filters/segment.py _BOUNDARY: [.!?…]+[\"'”’)\\]]*(?=\\s) backtracks through a run of "
        "full stops from every position, quadratic in flag_advice (10,000 dots: 1.7 s). "
        "Fix: [.!?…]++"
    ),
}


@pytest.fixture(scope="module")
def document_sweep() -> dict[str, str]:
    return dict(json.loads(_run_worker("documents", timeout=60 + DOC_BUDGET_S * len(DOCUMENTS))))


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=KNOWN_SLOW_DOCUMENTS[n]))
        if n in KNOWN_SLOW_DOCUMENTS
        else n
        for n in DOCUMENTS
    ],
)
def test_pathological_document_completes(name: str, document_sweep: dict[str, str]) -> None:
    assert document_sweep[name].startswith(("result", "input error")), document_sweep[name]


if __name__ == "__main__":
    if sys.argv[1] == "regex":
        print(json.dumps(regex_worker()))
    elif sys.argv[1] == "documents":
        print(json.dumps(document_worker()))


# -- hostile metadata next to the content ----------------------------------------------------

_SURROGATES = (
    "filters/pipeline.py passes source/url through unchecked: a lone surrogate (what Python "
    "makes of a non-UTF-8 byte in argv, e.g. prepub check a.txt --source $'\\xff') reaches "
    "the audit record, and model_dump_json / append_record raise UnicodeEncodeError (a "
    "traceback from the CLI). Fix: reject as InputError, or replace surrogates, in check()"
)


@pytest.mark.xfail(strict=True, reason=_SURROGATES)
@pytest.mark.parametrize("field", ["source", "url"])
def test_surrogates_in_metadata_give_a_result_or_an_input_error(field: str, tmp_path: Path) -> None:
    import filters

    try:
        result = filters.check(
            "Shares rose on Monday, Reuters reported.", **{field: "Reu\udcffters"}
        )
    except filters.InputError:
        return
    json.loads(result.model_dump_json())
    filters.append_record(tmp_path / "audit.jsonl", result.audit)


@pytest.mark.xfail(strict=True, reason=_SURROGATES)
def test_cli_with_a_non_utf8_argument_never_shows_a_traceback(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("Shares rose on Monday, Reuters reported.\n", encoding="utf-8")
    proc = subprocess.run(
        [
            os.fsencode(sys.executable),
            b"-m",
            b"cli",
            b"check",
            os.fsencode(article),
            b"--source",
            b"Reu\xffters",
            b"--format",
            b"json",
        ],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
    )
    assert b"Traceback" not in proc.stderr, proc.stderr[-800:]


@pytest.mark.xfail(
    strict=True,
    reason="filters/pipeline.py: source=42 or url=123 raise pydantic's ValidationError "
    "from check() (after two stages log TypeErrors), not an InputError",
)
@pytest.mark.parametrize("field", ["source", "url"])
def test_metadata_of_the_wrong_type_is_an_input_error(field: str) -> None:
    import filters

    with pytest.raises(filters.InputError):
        filters.check("Shares rose on Monday.", **{field: 42})
