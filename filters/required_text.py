r"""Text a regex cannot match without: a cheap test that lets most lines skip most patterns.

A whole-line chrome pattern such as ``[^\n]{0,150}\bsent\s+to\s+your\s+inbox\b`` costs
microseconds per line even when the line says nothing about an inbox: the engine tries
every split of the leading repeat. Every match of it contains ``inbox``, though, and a
substring test says in a fraction of that time that the pattern cannot match.

:func:`required_strings` reads the parsed pattern (``re._parser``, as
:mod:`filters.regex_safety` does) and returns strings one of which every match contains,
or None when it cannot tell. Both sides are compared in :func:`fold` form, the case
folding ``re.IGNORECASE`` itself applies (simple lower case plus the few characters the
regex engine treats as equal, like ``ſ`` and ``s``), so the test never rules out a line
the pattern would match: it is a necessary condition, never a different matcher.
:func:`first_chars` and :func:`last_chars` do the same for a match's first and last
character: a line that starts or ends otherwise cannot be matched whole.
"""

from __future__ import annotations

import _sre  # type: ignore[import-not-found]
import re
import re._constants as _c  # type: ignore[import-not-found]
import re._parser as _p  # type: ignore[import-not-found]
from typing import Any

_MAX_CLASS = 4  # a character class of at most this many literals counts as a requirement


def _equal_under_ignorecase() -> dict[int, int]:
    """Characters the regex engine treats as equal beyond lower case, to one of each class.

    ``i``/``ı``, ``s``/``ſ``, ``σ``/``ς`` and a few more (``re._casefix``).
    """
    try:
        from re._casefix import _EXTRA_CASES  # type: ignore[import-not-found]
    except ImportError:  # pragma: no cover - other Pythons: no shortcut is ever wrong
        return {}
    parent: dict[int, int] = {}

    def root(cp: int) -> int:
        while parent.get(cp, cp) != cp:
            cp = parent[cp]
        return cp

    for cp, others in _EXTRA_CASES.items():
        for other in others:
            a, b = root(cp), root(other)
            if a != b:
                parent[max(a, b)] = min(a, b)
    return {cp: root(cp) for cp in {*_EXTRA_CASES, *parent} if root(cp) != cp}


_CANONICAL = _equal_under_ignorecase()
_CANON_TABLE = {cp: chr(to) for cp, to in _CANONICAL.items()}
_SPECIAL = re.compile("[" + "".join(re.escape(chr(cp)) for cp in sorted(_CANONICAL)) + "]")


class _FoldTable(dict[int, int]):
    """``str.translate`` table filled on demand: each character's folded form."""

    def __missing__(self, cp: int) -> int:
        lower = int(_sre.unicode_tolower(cp))
        folded = _CANONICAL.get(lower, lower)
        self[cp] = folded
        return folded


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """``text`` as the case-insensitive regex engine compares it, one character for one.

    That is the simple lower case of each character (``str.lower`` but for ``İ``, which
    it turns into two) with the engine's extra equivalences made one character.
    """
    low = text.lower()
    if low.isascii():
        return low
    if len(low) != len(text):
        return text.translate(_FOLD)
    if _SPECIAL.search(low) is None:
        return low
    return low.translate(_CANON_TABLE)


def required_strings(pattern: str, flags: int = 0) -> frozenset[str] | None:
    """Folded strings one of which every match of ``pattern`` contains; None if unknown."""
    try:
        parsed = _p.parse(pattern, flags)
    except Exception:  # noqa: BLE001 - an unparsable pattern just gets no shortcut
        return None
    found = _sequence(list(parsed))
    if not found or any(not s or len(s) == 1 and s.isalnum() for s in found):
        return None  # a single letter or digit is in nearly every line: no use as a test
    return frozenset(fold(s) for s in found)


def _sequence(items: list[tuple[Any, Any]]) -> set[str] | None:
    """The most selective requirement among the items of a concatenation.

    A run of literals joins the literal openings of the group after it (``s`` then
    ``ubscribe|ign`` is ``subscribe|sign``), as the parser factors common prefixes out.
    """
    candidates: list[set[str]] = []
    run = ""
    for op, av in items:
        if op is _c.LITERAL:
            run += chr(av)
            continue
        if run:
            openings = _openings(op, av)
            candidates.append({run + o for o in openings} if openings else {run})
            run = ""
        need = _item(op, av)
        if need:
            candidates.append(need)
    if run:
        candidates.append({run})
    if not candidates:
        return None
    return max(candidates, key=lambda c: (min(len(s) for s in c), -len(c)))


def _openings(op: Any, av: Any) -> set[str] | None:
    """The literal text each way through a group starts with, if every way starts with some."""
    if op is _c.SUBPATTERN:
        items = list(av[-1])
        return _openings(*items[0]) if items else None
    if op is _c.LITERAL:
        return {chr(av)}
    if op is _c.BRANCH:
        out: set[str] = set()
        for branch in av[1]:
            head = ""
            for item_op, item_av in branch:
                if item_op is not _c.LITERAL:
                    break
                head += chr(item_av)
            if not head or len(out) >= 64:
                return None
            out.add(head)
        return out
    return None


def _item(op: Any, av: Any) -> set[str] | None:
    """What one parsed item requires, or None (it may match anything, or nothing)."""
    if op is _c.SUBPATTERN:
        return _sequence(list(av[-1]))
    if op is _c.ATOMIC_GROUP:
        return _sequence(list(av))
    if op is _c.BRANCH:
        out: set[str] = set()
        for branch in av[1]:
            need = _sequence(list(branch))
            if not need:
                return None
            out |= need
        return out
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
        low, _, body = av
        return _sequence(list(body)) if low >= 1 else None
    if op is _c.IN:
        if len(av) <= _MAX_CLASS and all(o is _c.LITERAL for o, _ in av):
            return {chr(a) for _, a in av}
        return None
    return None


# Markers for the character classes a pattern may open with (two characters long, so
# they never clash with a folded character).
DIGIT, WORD, SPACE = "\\d", "\\w", "\\s"
_CATEGORY_MARKERS = {
    _c.CATEGORY_DIGIT: DIGIT,
    _c.CATEGORY_UNI_DIGIT: DIGIT,
    _c.CATEGORY_WORD: WORD,
    _c.CATEGORY_UNI_WORD: WORD,
    _c.CATEGORY_SPACE: SPACE,
    _c.CATEGORY_UNI_SPACE: SPACE,
}
_MAX_RANGE = 128


def first_chars(pattern: str, flags: int = 0) -> frozenset[str] | None:
    """What a match's first character can be: folded characters and class markers.

    None when it can be almost anything. A line whose first character is not admitted
    (see :func:`admits`) cannot be matched whole by the pattern.
    """
    return _edge_chars(pattern, flags, last=False)


def last_chars(pattern: str, flags: int = 0) -> frozenset[str] | None:
    """What a match's last character can be (see :func:`first_chars`)."""
    return _edge_chars(pattern, flags, last=True)


def admits(edge: frozenset[str], ch: str) -> bool:
    """Whether a match can start (or end) with ``ch``, given its edge characters."""
    return (
        fold(ch) in edge
        or DIGIT in edge
        and ch.isdecimal()
        or WORD in edge
        and (ch.isalnum() or ch == "_")
        or SPACE in edge
        and ch.isspace()
    )


def _edge_chars(pattern: str, flags: int, last: bool) -> frozenset[str] | None:
    try:
        items = list(_p.parse(pattern, flags))
    except Exception:  # noqa: BLE001
        return None
    chars, _ = _Edge(last).of(items)
    return frozenset(chars) if chars is not None else None


class _Edge:
    """The characters a match of parsed items can start (or end) with."""

    def __init__(self, last: bool) -> None:
        self.last = last

    def of(self, items: list[tuple[Any, Any]]) -> tuple[set[str] | None, bool]:
        """Edge characters of a concatenation, and whether it can match nothing."""
        out: set[str] = set()
        for op, av in reversed(items) if self.last else items:
            chars, empty = self.item(op, av)
            if chars is None:
                return None, False
            out |= chars
            if not empty:
                return out, False
        return out, True

    def item(self, op: Any, av: Any) -> tuple[set[str] | None, bool]:
        """Edge characters of one item, and whether it can match nothing."""
        if op is _c.LITERAL:
            return {fold(chr(av))}, False
        if op is _c.IN:
            return _class_chars(av), False
        if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
            return set(), True  # zero width: a neighbour consumes the character
        if op is _c.SUBPATTERN:
            return self.of(list(av[-1]))
        if op is _c.ATOMIC_GROUP:
            return self.of(list(av))
        if op is _c.BRANCH:
            out: set[str] = set()
            empty = False
            for branch in av[1]:
                chars, branch_empty = self.of(list(branch))
                if chars is None:
                    return None, False
                out |= chars
                empty = empty or branch_empty
            return out, empty
        if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
            low, _, body = av
            chars, empty = self.of(list(body))
            return chars, empty or low == 0
        return None, False


def _class_chars(items: list[tuple[Any, Any]]) -> set[str] | None:
    """The folded characters of a character class, or None for a broad one."""
    chars: set[str] = set()
    for op, av in items:
        if op is _c.LITERAL:
            chars.add(fold(chr(av)))
        elif op is _c.RANGE and av[1] - av[0] <= _MAX_RANGE:
            chars.update(fold(chr(cp)) for cp in range(av[0], av[1] + 1))
        elif op is _c.CATEGORY and av in _CATEGORY_MARKERS:
            chars.add(_CATEGORY_MARKERS[av])
        else:  # a negated class, a wide range, another category
            return None
    return chars
