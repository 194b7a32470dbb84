"""Rendering results for people and machines: the terminal text report and JSON.

The terminal report groups findings by category with a line and column, so an editor can
jump to the problem. Given a locator the positions are in the input file (what an editor
has open); without one they are in the clean text. Colour is the caller's decision: the
command line turns it on only when writing to a terminal (see :func:`use_colour`).
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Callable
from typing import TextIO

from filters.locate import Region
from filters.models import Finding, Result, Span

CATEGORY_ORDER = ("input", "language", "disclaimer", "attribution", "advice", "pii", "chrome")
_COLOURS = {
    "error": "\033[31m",
    "warning": "\033[33m",
    "info": "\033[36m",
    "publish": "\033[32m",
    "review": "\033[33m",
    "block": "\033[31m",
}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"
_MAX_REMOVALS_SHOWN = 8
# C0 and C1 controls (ESC, CSI ...) in article text could drive the reader's terminal.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

Locate = Callable[[Span | None], Region | None]


def use_colour(choice: str, stream: TextIO) -> bool:
    """Colour for ``--colour always|never|auto``: auto means a terminal, unless NO_COLOR is set."""
    if choice in ("always", "never"):
        return choice == "always"
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or replaced stream is not a terminal
        return False


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset`` in ``text``."""
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


def render_json(result: Result) -> str:
    """The result model exactly as DESIGN.md specifies, one JSON object."""
    return result.model_dump_json()


def safe(text: str) -> str:
    """``text`` with terminal control characters shown as escapes, never sent raw."""
    return _CONTROLS.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)


def _short(text: str, limit: int = 60) -> str:
    flat = " ".join(safe(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def render_text(
    result: Result, label: str, *, colour: bool = False, locate: Locate | None = None
) -> str:
    """A report for a person at a terminal: decision, disclosures, findings by category.

    ``locate`` maps a document span to a region of the input file; without it positions
    are line:column in the clean text.
    """

    def c(code: str, s: str) -> str:
        return f"{code}{s}{_RESET}" if colour else s

    def where(span: Span | None, original: Span | None) -> str:
        if locate is not None:
            region = locate(original)
            if region is not None:
                return f"{region.start_line}:{region.start_column}"
        elif span is not None:
            line, col = line_col(result.clean_text, span.start)
            return f"{line}:{col}"
        return "document" if original is None else "-"

    out: list[str] = []
    decision = result.decision.upper()
    reasons = ", ".join(result.audit.decision_reasons) or "no active findings"
    out.append(
        f"{c(_BOLD, safe(label))}: {c(_COLOURS[result.decision], decision)} ({safe(reasons)})"
    )
    d, a = result.disclosures.disclaimer, result.disclosures.attribution
    disclaimer = (
        f"present ({d.matched}, {d.placement})"
        if d.present
        else ("altered" if d.altered else "missing")
    )
    attribution = safe(", ".join(a.sources)) if a.present else "missing"
    removals = sorted(
        (e for e in result.edits if e.kind == "remove"), key=lambda e: e.original_span.start
    )
    out.append(
        f"  language {result.language} · disclaimer {disclaimer} · attribution {attribution} · "
        f"{len(removals)} chrome edits"
    )
    groups: dict[str, list[Finding]] = defaultdict(list)
    for f in result.findings:
        groups[f.category].append(f)
    for category in CATEGORY_ORDER:
        items = groups.get(category)
        if not items:
            continue
        out.append(f"  {c(_BOLD, category)}")
        for f in items:
            sev = c(_COLOURS[f.severity], f"{f.severity:<7}")
            fixed = " (fixed)" if f.fixed else ""
            out.append(
                f"    {where(f.span, f.original_span):>8} {f.rule:<11} {sev} {safe(f.message)}{fixed}"
            )
            if f.speaker:
                out.append(f"    {'':>8} {c(_DIM, 'speaker: ' + safe(f.speaker))}")
    for error in result.audit.errors:
        out.append(f"  {c(_COLOURS['error'], 'error')} {safe(error)}")
    if removals:
        out.append(f"  {c(_BOLD, 'removed')}")
        for e in removals[:_MAX_REMOVALS_SHOWN]:
            pos = where(None, e.original_span)
            shown = repr(_short(e.text)) if e.text.strip() else "(blank lines)"
            out.append(f"    {pos:>8} {e.rule:<11} {c(_DIM, shown)}")
        if len(removals) > _MAX_REMOVALS_SHOWN:
            out.append(f"    {'':>8} … {len(removals) - _MAX_REMOVALS_SHOWN} more")
    return "\n".join(out)
