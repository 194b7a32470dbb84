"""Finding where rules apply: every trigger word of a rule set in one pass, and windows.

Rules declare lower-case ``triggers`` and how far around them their patterns may match
(``before``, ``after``, ``line_max``; see :class:`~filters.rulepack.TriggerFields`). A
:class:`Needles` set finds every trigger once per text, :class:`TextView` keeps what was
found, and :func:`rule_matches` runs a rule's patterns only in its windows, so a text is
read a few times rather than once per rule and pattern.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from filters.rulepack import AttributionRule, GenericDisclaimerRule, TriggerFields


def lowered(text: str) -> str:
    """``text.lower()`` with the same length (a few characters grow when lower-cased)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


class _Lines:
    """Line boundaries of a text, to turn trigger positions into search windows."""

    def __init__(self, text: str) -> None:
        starts = [0]
        pos = text.find("\n")
        while pos >= 0:
            starts.append(pos + 1)
            pos = text.find("\n", pos + 1)
        self.starts = starts
        self.length = len(text)
        self._short: dict[int, list[tuple[int, int]]] = {}

    def bounds(self, pos: int) -> tuple[int, int]:
        """``[start, end)`` of the line holding ``pos``, without its newline."""
        i = bisect.bisect_right(self.starts, pos) - 1
        end = self.starts[i + 1] - 1 if i + 1 < len(self.starts) else self.length
        return self.starts[i], end

    def short(self, most: int) -> list[tuple[int, int]]:
        """Bounds of the lines of at most ``most`` characters."""
        if most not in self._short:
            ends = [s - 1 for s in self.starts[1:]] + [self.length]
            self._short[most] = [
                (s, e) for s, e in zip(self.starts, ends, strict=True) if e - s <= most
            ]
        return self._short[most]


_MAX_TRIGGER_HITS = 200


class Needles:
    """Every trigger word and anchor of a stage, searched in one go per text.

    ASCII needles are found with ``str.find``. The others (CJK, Hangul, Cyrillic ...) are
    found from one pass over the text for their first characters, so a text in another
    script costs one scan rather than one per needle.
    """

    def __init__(self, needles: Iterable[str]) -> None:
        # Needles opening with punctuation (") -", "]\n") are found from that character.
        unique = sorted(set(needles))
        unique += [n[0] for n in unique if n[0].isascii() and not n[0].isalnum() and len(n) > 1]
        unique = sorted(set(unique))
        # A needle holding a shorter one ("reported" holds "report") is not searched on
        # its own: it is checked where the shorter one was found.
        self.derived: dict[str, tuple[str, int]] = {}
        for n in unique:
            inner = [m for m in unique if m != n and m in n and m.isascii() == n.isascii()]
            if inner:
                base = min(inner, key=len)
                self.derived[n] = (base, n.index(base))
        unique = [n for n in unique if n not in self.derived]
        self.ascii = [n for n in unique if n.isascii()]
        # Other needles are keyed by their first non-ASCII character and its offset.
        self.by_first: dict[str, list[tuple[str, int]]] = {}
        for n in unique:
            if not n.isascii():
                k = next(i for i, ch in enumerate(n) if not ch.isascii())
                self.by_first.setdefault(n[k], []).append((n, k))
        chars = "".join(re.escape(c) for c in sorted(self.by_first))
        self.first_chars = re.compile(f"[{chars}]") if chars else None

    def find(self, low: str) -> dict[str, list[int]]:
        """Positions of every needle in the lower-cased text (capped per needle)."""
        out: dict[str, list[int]] = {}
        # One byte per character ("?" for the rest): same offsets, and the fast search.
        narrow = low if low.isascii() else low.encode("ascii", "replace").decode("ascii")
        for needle in self.ascii:
            pos = narrow.find(needle)
            if pos < 0:
                continue
            found = out[needle] = []
            while pos >= 0 and len(found) < _MAX_TRIGGER_HITS:
                found.append(pos)
                pos = narrow.find(needle, pos + 1)
        if self.first_chars is not None and narrow is not low:
            self._find_other(low, narrow, out)
        for needle, (base, offset) in self.derived.items():
            found = [
                p - offset
                for p in out.get(base, ())
                if p >= offset and low.startswith(needle, p - offset)
            ]
            if found:
                out[needle] = found
        return out

    def _find_other(self, low: str, narrow: str, out: dict[str, list[int]]) -> None:
        """Needles in other scripts, from one pass over their first characters."""
        others = narrow.count("?") - low.count("?")
        if others * 8 < len(low):  # mostly Latin: visit the few other characters
            positions: Iterable[int] = (
                i for i in _iter_find(narrow, "?") if low[i] != "?" and low[i] in self.by_first
            )
        elif self.first_chars is not None:
            positions = (m.start() for m in self.first_chars.finditer(low))
        else:
            return
        for pos in positions:
            for needle, k in self.by_first[low[pos]]:
                if pos >= k and low.startswith(needle, pos - k):
                    found = out.setdefault(needle, [])
                    if len(found) < _MAX_TRIGGER_HITS:
                        found.append(pos - k)


def _iter_find(text: str, char: str) -> Iterator[int]:
    pos = text.find(char)
    while pos >= 0:
        yield pos
        pos = text.find(char, pos + 1)


@dataclass(frozen=True)
class TextView:
    """A text with what every rule needs to search it cheaply."""

    text: str
    low: str
    lines: _Lines
    hits: dict[str, list[int]]

    @classmethod
    def of(cls, text: str, needles: Needles) -> TextView:
        """Lower-case the text, index its lines and find every needle once."""
        low = lowered(text)
        # A final newline lets "end of line" triggers (")\n") match on the last line too.
        return cls(text, low, _Lines(text), needles.find(low + "\n"))


def rule_windows(rule: TriggerFields, view: TextView) -> list[tuple[int, int]]:
    """The parts of a text a rule must search: around its triggers, on short enough lines."""
    lines = view.lines
    if not rule.triggers:
        if not rule.line_max:
            return [(0, len(view.low))]
        return lines.short(rule.line_max)
    spans: list[tuple[int, int]] = []
    for trigger in rule.triggers:
        last_line = -1
        for pos in view.hits.get(trigger, ()):
            s, e = lines.bounds(pos)
            if rule.line_max and e - s > rule.line_max:
                continue
            if rule.before or rule.after:
                lo = max(s, pos - rule.before) if rule.before else s
                hi = min(e, pos + len(trigger) + rule.after) if rule.after else e
                spans.append((lo, hi))
            elif s != last_line:
                spans.append((s, e))
                last_line = s
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            if e > merged[-1][1]:
                merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


def combined_patterns(rule: GenericDisclaimerRule) -> list[re.Pattern[str]]:
    """A generic rule's patterns as one alternation: one pass per window instead of many.

    (Attribution patterns all name their capture ``source``, so they cannot be joined.)
    """
    if len(rule.compiled) < 2:
        return rule.compiled
    try:
        joined = "|".join(f"(?:{p.pattern})" for p in rule.compiled)
        return [re.compile(joined, rule.compiled[0].flags)]
    except re.error:  # a pattern with global flags cannot be nested
        return rule.compiled


def rule_matches(
    rule: AttributionRule | GenericDisclaimerRule,
    view: TextView,
    patterns: list[re.Pattern[str]] | None = None,
) -> Iterator[re.Match[str]]:
    """Every match of a rule's patterns (or ``patterns``) in its windows, minus exceptions."""
    if rule.triggers and view.hits.keys().isdisjoint(rule.triggers):
        return
    exc = rule.compiled_exceptions
    text = view.text
    patterns = patterns if patterns is not None else rule.compiled
    for s, e in rule_windows(rule, view):
        blocked = [(m.start(), m.end()) for m in exc.finditer(text, s, e)] if exc else []
        for pattern in patterns:
            for m in pattern.finditer(text, s, e):
                if blocked and any(bs < m.end() and m.start() < be for bs, be in blocked):
                    continue
                yield m


_R = TypeVar("_R", AttributionRule, GenericDisclaimerRule)


def triggered(rules: list[_R], view: TextView) -> list[_R]:
    """The rules whose triggers occur in the text (and those without triggers), in order."""
    if not view.hits:
        return [r for r in rules if not r.triggers]
    return [r for r in rules if not r.triggers or not view.hits.keys().isdisjoint(r.triggers)]
