"""Rendering results for people and machines: the terminal text report and JSON.

The terminal report groups findings by category with line and column in the clean text,
so an editor can jump to the problem; colour is used only when writing to a terminal.
"""

from __future__ import annotations

from collections import defaultdict

from filters.models import Finding, Result

_CATEGORY_ORDER = ("input", "language", "disclaimer", "attribution", "advice", "pii", "chrome")
_COLOURS = {
    "error": "\033[31m",
    "warning": "\033[33m",
    "info": "\033[36m",
    "publish": "\033[32m",
    "review": "\033[33m",
    "block": "\033[31m",
}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset`` in ``text``."""
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


def render_json(result: Result) -> str:
    """The result model exactly as DESIGN.md specifies, one JSON object."""
    return result.model_dump_json()


def render_text(result: Result, label: str, *, colour: bool = False) -> str:
    """A report for a person at a terminal: decision, disclosures, findings by category."""

    def c(code: str, s: str) -> str:
        return f"{code}{s}{_RESET}" if colour else s

    out: list[str] = []
    decision = result.decision.upper()
    reasons = ", ".join(result.audit.decision_reasons) or "no active findings"
    out.append(f"{c(_BOLD, label)}: {c(_COLOURS[result.decision], decision)} ({reasons})")
    d, a = result.disclosures.disclaimer, result.disclosures.attribution
    disclaimer = (
        f"present ({d.matched}, {d.placement})"
        if d.present
        else ("altered" if d.altered else "missing")
    )
    attribution = f"{', '.join(a.sources)}" if a.present else "missing"
    out.append(
        f"  language {result.language} · disclaimer {disclaimer} · attribution {attribution} · "
        f"{sum(1 for e in result.edits if e.kind == 'remove')} chrome edits"
    )
    groups: dict[str, list[Finding]] = defaultdict(list)
    for f in result.findings:
        groups[f.category].append(f)
    for category in _CATEGORY_ORDER:
        items = groups.get(category)
        if not items:
            continue
        out.append(f"  {c(_BOLD, category)}")
        for f in items:
            where = "document"
            if f.span is not None:
                line, col = line_col(result.clean_text, f.span.start)
                where = f"{line}:{col}"
            sev = c(_COLOURS[f.severity], f.severity)
            fixed = " (fixed)" if f.fixed else ""
            out.append(f"    {where:>8} {f.rule:<11} {sev:<7} {f.message}{fixed}")
            if f.speaker:
                out.append(f"    {'':>8} {c(_DIM, 'speaker: ' + f.speaker)}")
    return "\n".join(out)
