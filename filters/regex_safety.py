r"""Load-time checks that a rule-pack regex cannot backtrack catastrophically.

Python's ``re`` is a backtracking engine: some pattern shapes take exponential or high
polynomial time on a near-miss, and one article can then stall a worker for hours. Every
pack regex goes through :func:`compile_safe` when the pack loads, which walks the parsed
pattern (``re._parser``) and rejects (raises :class:`UnsafePattern`) or bounds it:

``nested repeats`` (rejected)
    an unbounded repeat inside another, ``(a+)+``, ``(\w+\s?)*``: exponential.
``ambiguous alternatives`` (rejected)
    alternatives of a group under an unbounded repeat that can start with the same
    character (or match nothing), ``(a|a)*``, ``(a|ab)*``, ``(?i)(?:AB|ab)+``: exponential.
``adjacent repeats`` (bounded when that changes nothing, rejected otherwise)
    two unbounded repeats of overlapping characters with only optional items between,
    ``\s*[:,]?\s*``, ``\w+\s?\w+``: every split between them is tried, cubic time when
    searching. When the second repeat may be empty and nothing between or after them can
    start with the first one's characters, the first repeat is compiled possessive
    (``\s*+``): it then never gives characters back, and the pattern matches exactly the
    same text, the same way. Otherwise the pattern is rejected.

Pattern kinds that only ever see short input (``strip`` rules match whole lines of at most
:data:`filters.rulepack.STRIP_LINE_MAX_CHARS` characters) skip the polynomial check: a
polynomial in a bounded length is bounded. Bounded is not always small (four ``\s*`` that
can share a run of 200 spaces try 200**4 splits), so ``tests/test_adversarial.py`` attacks
every shipped pattern at its bound as well. Exponential shapes are rejected everywhere.

The checks are conservative: they may reject a pattern that is in fact harmless, and the
message says how to write it safely: bound the repeat (``{0,40}``), make the repeated
characters disjoint from what follows, or use a possessive quantifier (``*+``, ``++``) or
an atomic group (``(?>...)``), which never give characters back.

Character sets are compared on a probe alphabet (Latin-1, Latin Extended-A and samples of
Greek, Cyrillic, Hebrew, Arabic, CJK, kana, Hangul, fullwidth forms, punctuation, spaces
and digits of other scripts): exact for the ASCII and Latin letters rules use, and a close
approximation elsewhere.
"""

from __future__ import annotations

# Python 3.11+ keeps the regex parser and compiler here (the project needs >= 3.11).
import _sre  # type: ignore[import-not-found]
import bisect
import re
import re._compiler as _compiler  # type: ignore[import-not-found]
import re._constants as _c  # type: ignore[import-not-found]
import re._parser as _p  # type: ignore[import-not-found]
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

# Repeats with a larger upper bound count as unbounded.
UNBOUNDED_ABOVE = 100

_PROBE = "".join(chr(c) for c in range(0x180)) + (
    "ΑΩαωЖжЯяשאعب中文字。，、：；！？「」『』（）【】ー"
    "あアカ한글０９Ａａ١٣०९\u2000\u2002\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
    "\u2010\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026\u20ac\u2122\ufeff"
    "\u200b\u200d\U0001f600\U0001f44d\U00020000"
)
_ALL = (1 << len(_PROBE)) - 1
_BIT = {ch: 1 << i for i, ch in enumerate(_PROBE)}


def _variants(ch: str) -> set[str]:
    return {v for v in (ch, ch.lower(), ch.upper(), ch.casefold()) if len(v) == 1}


# For case-insensitive literals: every probe character whose case variants include c.
_BY_VARIANT: dict[str, int] = {}
for _ch in _PROBE:
    for _v in _variants(_ch):
        _BY_VARIANT[_v] = _BY_VARIANT.get(_v, 0) | _BIT[_ch]


# (code point, probe bit) sorted by code point, for ranges; with case variants too.
_PAIRS = sorted((ord(ch), _BIT[ch]) for ch in _PROBE)
_PAIRS_I = sorted((ord(v), _BIT[ch]) for ch in _PROBE for v in _variants(ch))
_BY_ORD = (_PAIRS, [o for o, _ in _PAIRS])
_BY_ORD_I = (_PAIRS_I, [o for o, _ in _PAIRS_I])


def _mask_where(pred: Any) -> int:
    return sum(_BIT[ch] for ch in _PROBE if pred(ch))


_CATEGORIES = {
    "DIGIT": _mask_where(str.isdecimal),
    "SPACE": _mask_where(str.isspace),
    "WORD": _mask_where(lambda ch: ch.isalnum() or ch == "_"),
    "LINEBREAK": _BIT["\n"],
}


class UnsafePattern(ValueError):
    """A regex shape that can backtrack catastrophically; the message says how to fix it."""


@dataclass(frozen=True)
class CheckedPattern:
    """A pattern that passed the checks, compiled, with what the analysis learnt."""

    compiled: re.Pattern[str]
    matches_empty: bool  # can match the empty string (it would "fire" everywhere)
    bounded: int  # how many repeats were made possessive


@lru_cache(maxsize=4096)
def analyse(pattern: str, flags: int = 0, *, polynomial: bool = True) -> CheckedPattern:
    """Check ``pattern`` and compile it, bounding adjacent repeats where that is exact.

    ``polynomial=False`` skips the adjacent-repeat check, for patterns that only ever see
    input of bounded length. Results are cached: packs share many patterns, and a pattern
    is checked when its pack validates and compiled again when a stage first uses it.

    Raises:
        UnsafePattern: a catastrophic shape, with the fix in the message.
        re.error: the pattern does not parse or compile.
    """
    try:
        tree = _p.parse(pattern, flags)
        walker = _Walker(tree.state.flags, polynomial)
        empty = walker.first(tree.data)[1]
        walker.sequence(tree.data, inside_unbounded=False, top=True)
    except RecursionError:
        raise UnsafePattern("the pattern nests groups too deeply") from None
    if not walker.rewrites:
        return CheckedPattern(re.compile(pattern, flags), empty, 0)
    code = _compiler._code(tree, flags)
    groupindex = tree.state.groupdict
    indexgroup: list[str | None] = [None] * tree.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    compiled = _sre.compile(
        pattern,  # shown as written; the program runs the possessive form
        flags | tree.state.flags,
        code,
        tree.state.groups - 1,
        groupindex,
        tuple(indexgroup),
    )
    return CheckedPattern(compiled, empty, walker.rewrites)


def compile_safe(pattern: str, flags: int = 0, *, polynomial: bool = True) -> re.Pattern[str]:
    """:func:`analyse` and return the compiled pattern."""
    return analyse(pattern, flags, polynomial=polynomial).compiled


def _bounded(hi: int) -> bool:
    return bool(hi != _c.MAXREPEAT and hi <= UNBOUNDED_ABOVE)


class _Walker:
    """One pass over a parsed pattern: raises on unsafe shapes, bounds adjacent repeats."""

    def __init__(self, flags: int, polynomial: bool) -> None:
        self.flags = flags
        self.polynomial = polynomial
        self.rewrites = 0

    def sequence(self, items: list[Any], inside_unbounded: bool, top: bool = False) -> None:
        """Check one sequence of items, then the inside of each item."""
        if self.polynomial:
            self._adjacent_repeats(items, top)
        for i, (op, arg) in enumerate(items):
            if op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
                unbounded = not _bounded(arg[1])
                if unbounded and inside_unbounded:
                    raise UnsafePattern(
                        "nested unbounded repetition can backtrack catastrophically; "
                        "bound the inner or outer repeat (e.g. {0,40}) or make the inner "
                        "one possessive (*+ or ++)"
                    )
                self.sequence(arg[2].data, inside_unbounded or unbounded)
            elif op is _c.SUBPATTERN:
                saved = self.flags
                self.flags = (self.flags | arg[1]) & ~arg[2]
                self.sequence(arg[3].data, inside_unbounded)
                self.flags = saved
            elif op is _c.BRANCH:
                if inside_unbounded:
                    self._ambiguous_alternatives(arg[1], items[i + 1 :])
                for branch in arg[1]:
                    self.sequence(branch.data, inside_unbounded)
            elif op in (_c.ASSERT, _c.ASSERT_NOT):
                self.sequence(arg[1].data, inside_unbounded)
            elif op is _c.GROUPREF_EXISTS:
                self.sequence(arg[1].data, inside_unbounded)
                if arg[2] is not None:
                    self.sequence(arg[2].data, inside_unbounded)
            elif op is _c.POSSESSIVE_REPEAT:  # never gives characters back
                self.sequence(arg[2].data, False)
            elif op is _c.ATOMIC_GROUP:
                self.sequence(arg.data, False)

    def _ambiguous_alternatives(self, branches: list[Any], rest: list[Any]) -> None:
        """Alternatives under an unbounded repeat must start with different characters."""
        starts = []
        for branch in branches:
            first, nullable = self.first(branch.data)
            if nullable:
                raise UnsafePattern(
                    "alternatives inside an unbounded repeat overlap (one is a prefix of "
                    "another, or one can match nothing), which backtracks exponentially; "
                    "make every alternative start with a different character, bound the "
                    "repeat, or make it possessive"
                )
            starts.append(first)
        for a in range(len(starts)):
            for b in range(a + 1, len(starts)):
                common = starts[a] & starts[b]
                if common:
                    raise UnsafePattern(
                        "alternatives inside an unbounded repeat can match the same text "
                        f"(both can start with {_sample(common)}), which backtracks "
                        "exponentially; make the alternatives start differently, bound the "
                        "repeat, or make it possessive"
                    )

    def _adjacent_repeats(self, items: list[Any], top: bool) -> None:
        r"""Two unbounded repeats that can split one run of characters between them.

        Between them may stand optional items, and character classes (bounded repeats
        included) that accept characters of the same run: ``\s*[^\n]{2,60}\s*`` is as
        bad as ``\s*\s*``, every split of a run of spaces is tried.
        """
        flat = self._flatten(items)
        for i, (container, index) in enumerate(flat):
            left = self._repeat_class(container[index])
            if left is None:
                continue
            run = left  # characters a run can be made of, so that every item takes part
            for j in range(i + 1, len(flat)):
                item = flat[j][0][flat[j][1]]
                right = self._repeat_class(item)
                if right is not None and right & run:
                    self._bound_or_reject(flat, i, j, run & right, top)
                    break
                if self.first([item])[1]:
                    continue  # optional: the run can skip it
                cls = self._class_of(item)
                if cls is None or not cls & run:
                    break
                run &= cls

    def _bound_or_reject(self, flat: list[Any], i: int, j: int, common: int, top: bool) -> None:
        """Make the first repeat possessive if that matches the same; else reject."""
        container, index = flat[i]
        op, (lo, hi, sub) = container[index]
        left = self._repeat_class(container[index]) or _ALL
        between = [c[k] for c, k in flat[i + 1 : j]]
        after = [c[k] for c, k in flat[j + 1 :]]
        second_lo = flat[j][0][flat[j][1]][1][0]
        after_first, after_nullable = self.first(after, strict=True)
        exact = (
            op is _c.MAX_REPEAT
            and second_lo == 0
            and not self.first(between, strict=True)[0] & left
            and not after_first & left
            and (top or not after_nullable)
        )
        if not exact:
            raise UnsafePattern(
                f"two unbounded repeats can share one run of {_sample(common)} (nothing "
                "between them stops it), so every split of the run is tried: polynomial "
                "time; merge them, bound one (e.g. {0,40}), make the characters between "
                "them exclude the run's, or make the first repeat possessive (*+ or ++)"
            )
        container[index] = (_c.POSSESSIVE_REPEAT, (lo, hi, sub))
        self.rewrites += 1

    def _flatten(self, items: list[Any]) -> list[tuple[list[Any], int]]:
        """(container, index) of each item, with flag-free groups opened."""
        out: list[tuple[list[Any], int]] = []
        for index, (op, arg) in enumerate(items):
            if op is _c.SUBPATTERN and not arg[1] and not arg[2]:
                out.extend(self._flatten(arg[3].data))
            else:
                out.append((items, index))
        return out

    def _class_of(self, item: Any) -> int | None:
        """The characters of a one-class item or of any repeat of one class, else None."""
        mask = self.leaf(item)
        if mask is not None:
            return mask
        op, arg = item
        if op not in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
            return None
        sub = self._flatten(arg[2].data)
        return self.leaf(sub[0][0][sub[0][1]]) if len(sub) == 1 else None

    def _repeat_class(self, item: Any) -> int | None:
        """The characters of an unbounded repeat of one character class, else None."""
        op, arg = item
        if op not in (_c.MAX_REPEAT, _c.MIN_REPEAT) or _bounded(arg[1]):
            return None
        sub = self._flatten(arg[2].data)
        if len(sub) != 1:
            return None
        return self.leaf(sub[0][0][sub[0][1]])

    def leaf(self, item: Any) -> int | None:
        """Probe characters one single-character item matches; None for other items."""
        op, arg = item
        ignore = bool(self.flags & re.IGNORECASE)
        if op is _c.ANY:
            return _ALL if self.flags & re.DOTALL else _ALL & ~_BIT["\n"]
        if op is _c.LITERAL:
            return _literal(arg, ignore)
        if op is _c.NOT_LITERAL:
            return _ALL & ~_literal(arg, ignore)
        if op is _c.IN:
            key = tuple((str(o), str(a) if hasattr(a, "name") else a) for o, a in arg)
            return _class_mask(key, ignore)
        return None

    def first(self, items: list[Any], strict: bool = False) -> tuple[int, bool]:
        """Characters a match of the items can start with, and whether it can be empty.

        ``strict`` counts a zero-width assertion as "could be anything": whether it holds
        depends on the characters around it.
        """
        out = 0
        for item in items:
            op, arg = item
            mask = self.leaf(item)
            if mask is not None:
                return out | mask, False
            if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
                f, nullable = self.first(arg[2].data, strict)
                out |= f
                if arg[0] > 0 and not nullable:
                    return out, False
            elif op is _c.SUBPATTERN:
                saved = self.flags
                self.flags = (self.flags | arg[1]) & ~arg[2]
                f, nullable = self.first(arg[3].data, strict)
                self.flags = saved
                out |= f
                if not nullable:
                    return out, False
            elif op is _c.ATOMIC_GROUP:
                f, nullable = self.first(arg.data, strict)
                out |= f
                if not nullable:
                    return out, False
            elif op is _c.BRANCH:
                any_nullable = False
                for branch in arg[1]:
                    f, nullable = self.first(branch.data, strict)
                    out |= f
                    any_nullable = any_nullable or nullable
                if not any_nullable:
                    return out, False
            elif op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
                if strict:
                    return _ALL, False
            else:  # back-references, conditionals: could be anything
                return _ALL, False
        return out, True


def _literal(code: int, ignore: bool) -> int:
    ch = chr(code)
    if ignore:
        return _BY_VARIANT.get(ch, 0) | _BY_VARIANT.get(ch.lower(), 0)
    return _BIT.get(ch, 0)


@lru_cache(maxsize=4096)
def _class_mask(items: tuple[tuple[str, Any], ...], ignore: bool) -> int:
    """Probe characters a ``[...]`` class (parsed items) matches."""
    mask = 0
    negate = False
    for op, arg in items:
        if op == "NEGATE":
            negate = True
        elif op == "LITERAL":
            mask |= _literal(arg, ignore)
        elif op == "RANGE":
            table, ords = _BY_ORD_I if ignore else _BY_ORD
            lo, hi = arg
            for k in range(bisect.bisect_left(ords, lo), bisect.bisect_right(ords, hi)):
                mask |= table[k][1]
        elif op == "CATEGORY":
            name = arg.removeprefix("CATEGORY_").removeprefix("UNI_").removeprefix("LOC_")
            base = name.removeprefix("NOT_")
            cat = _CATEGORIES.get(base, _ALL)
            mask |= _ALL & ~cat if name.startswith("NOT_") else cat
        else:  # only compiled patterns hold other opcodes: assume anything
            mask |= _ALL
    return _ALL & ~mask if negate else mask


def _sample(mask: int) -> str:
    """A few of the characters in ``mask``, for a message."""
    chars = sorted(
        (ch for ch in _PROBE if mask & _BIT[ch]),
        key=lambda ch: not (ch.isprintable() or ch == "\n"),  # readable ones first
    )
    shown = ", ".join(repr(c) for c in chars[:3])
    return shown + (" ..." if len(chars) > 3 else "")
