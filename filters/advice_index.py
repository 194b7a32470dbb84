"""Where advice cues can match, found without scanning the article with every pattern.

Python's regex engine tries every pattern at every position, so ~300 cue patterns run over a
5,000-character article cost tens of milliseconds. A reviewer's reading does not need that:
a pattern can only match where the words it is made of appear. This module reads each
compiled cue pattern once (its parse tree) and derives

* the words one of which every match contains (``required_literals``): whole words for
  spaced scripts, substrings for Chinese;
* the words every match begins with (``prefix_literals``), so the pattern is tried with one
  ``match`` call at those positions instead of a scan.

An article is then read line by line: the words of a line are a set (one C-speed
translate + split of a "flat" copy of the text), a pattern runs only where its words are,
and only a line where a cue matched is split into sentences. A test checks that this finds
exactly what a full scan of every pattern finds.
"""

from __future__ import annotations

import re
import re._parser as _sre  # type: ignore[import-not-found]  # the literal extraction walks its tree
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from filters.rulepack import AdviceRule

_REPEATS = (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT)
UNSPACED = frozenset({"zh", "ja"})
_I = re.IGNORECASE

# --------------------------------------------------------------------------------------
# Finding cues fast: required literals, one gate pass, patterns only where they can match
# --------------------------------------------------------------------------------------

_COMMON_WORDS = frozenset(
    """the a an and or of to in on at for is are was were be been it its this that you your
    we our i my he she they their will would can could should not no with as by from so but if
    then than there here has have had do does up out all any more most some one now just get
    s t dont ll re ve new year said says""".split()
)
_CJK = re.compile(r"[\u3400-\u9fff]")
_MAX_STRINGS = 400

# Word tokens for the gate: lower case, every punctuation mark (apostrophes, "$" and "%"
# included) replaced by one space, so the "flat" text keeps the original offsets and a
# sentence's words are ``flat[start:end].split()``. Patterns' literals go through the same.
_PUNCTUATION = (
    "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~“”‘’«»‹›–—…•·、，。！？：；（）【】《》「」『』\t\r\n\u00a0"
)
_TOKEN_TABLE = str.maketrans({ch: " " for ch in _PUNCTUATION})


_FLAT_BYTES = bytes(32 if chr(i) in _PUNCTUATION else i for i in range(256))


def flatten(text: str) -> str:
    """Lower-cased text with punctuation as spaces, same length as ``text``.

    Encoded as Latin-1 (other characters become "?", then a space) so one C-speed bytes
    translation does the work; the advice gate only needs the words of spaced scripts.
    """
    lowered = text.lower()
    if len(lowered) != len(text):
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return lowered.encode("latin-1", "replace").translate(_FLAT_BYTES).decode("latin-1")


def word_tokens(flat: str) -> set[str]:
    """The set of word tokens of flattened text (C-speed split)."""
    return set(flat.split())


def _score(words: frozenset[str]) -> float:
    """How selective a set of literals is: longer and rarer is better (CJK counts double)."""

    def one(w: str) -> float:
        size = len(w) * (2.5 if _CJK.search(w) else 1.0)
        return size - (4 if w in _COMMON_WORDS else 0)

    return min(one(w) for w in words) - 0.01 * len(words)


_ZERO_WIDTH = {_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT}


def _strings(items: Any) -> set[str] | None:
    """Every string a literal-only piece of pattern can match, or None."""
    out = {""}
    for op, av in items:
        if op is _sre.LITERAL:
            out = {x + chr(av) for x in out}
        elif op is _sre.IN and av and all(o is _sre.LITERAL for o, _ in av):
            out = {x + chr(c) for x in out for _, c in av}
        elif op is _sre.SUBPATTERN:
            sub = _strings(av[-1])
            if sub is None:
                return None
            out = {x + y for x in out for y in sub}
        elif op is _sre.BRANCH:
            alts: set[str] = set()
            for branch in av[1]:
                sub = _strings(branch)
                if sub is None:
                    return None
                alts |= sub
            out = {x + y for x in out for y in alts}
        elif op in _REPEATS and av[1] <= 1:
            sub = _strings(av[2])
            if sub is None:
                return None
            out = {x + y for x in out for y in (sub | ({""} if av[0] == 0 else set()))}
        elif op in _ZERO_WIDTH:
            continue
        else:
            return None
        if len(out) > _MAX_STRINGS:
            return None
    return out


def _is_word_char(ch: str) -> bool:
    return ch.isalnum()  # apostrophes split words for the gate, like punctuation


def _zero_width(item: Any) -> bool:
    """Assertions, and groups made only of assertions, consume nothing."""
    op, av = item
    if op in _ZERO_WIDTH:
        return True
    if op is _sre.SUBPATTERN:
        sub = list(av[-1])
        return bool(sub) and all(_zero_width(x) for x in sub)
    if op is _sre.BRANCH:
        return all(list(b) and all(_zero_width(x) for x in b) for b in av[1])
    return False


def _first_safe(item: Any) -> bool:
    """Whether a pattern item can only begin with a non-word character (or a boundary)."""
    op, av = item
    if op is _sre.AT:
        return True
    if op is _sre.LITERAL:
        return not _is_word_char(chr(av))
    if op is _sre.IN:
        return all(
            (o is _sre.LITERAL and not _is_word_char(chr(c)))
            or (o is _sre.CATEGORY and c in (_sre.CATEGORY_SPACE, _sre.CATEGORY_UNI_SPACE))
            for o, c in av
        )
    if op in _REPEATS:
        sub = list(av[2])
        return av[0] >= 1 and bool(sub) and _first_safe(sub[0])
    if op is _sre.SUBPATTERN:
        sub = list(av[-1])
        return bool(sub) and _first_safe(sub[0])
    if op is _sre.BRANCH:
        return all(bool(list(b)) and _first_safe(list(b)[0]) for b in av[1])
    return False


def _last_safe(item: Any) -> bool:
    """Whether a pattern item can only end with a non-word character (or a boundary)."""
    op, av = item
    if op in (_sre.AT, _sre.LITERAL, _sre.IN):
        return _first_safe(item)
    if op in _REPEATS:
        sub = list(av[2])
        return av[0] >= 1 and bool(sub) and _last_safe(sub[-1])
    if op is _sre.SUBPATTERN:
        sub = list(av[-1])
        return bool(sub) and _last_safe(sub[-1])
    if op is _sre.BRANCH:
        return all(bool(list(b)) and _last_safe(list(b)[-1]) for b in av[1])
    return False


def _optional(item: Any) -> bool:
    op, av = item
    return op in _REPEATS and av[0] == 0


def _safe_after(items: list[Any], j: int, outer: bool) -> bool:
    """Whether what follows position ``j`` (skipping optional items) starts with a non-word."""
    while j < len(items):
        op, av = items[j]
        if op is _sre.ASSERT and av[0] == 1 and list(av[1]) and _first_safe(list(av[1])[0]):
            return True  # a lookahead for a space or punctuation, e.g. (?=\s)
        if _zero_width(items[j]) and op is not _sre.AT:
            j += 1
            continue
        if _optional(items[j]):
            sub = list(items[j][1][2])
            if not sub or not _first_safe(sub[0]):
                return False
            j += 1
            continue
        return _first_safe(items[j])
    return outer


def _safe_before(items: list[Any], i: int, outer: bool) -> bool:
    """Whether what precedes position ``i`` (skipping optional items) ends with a non-word."""
    while i >= 0:
        if _zero_width(items[i]) and items[i][0] is not _sre.AT:
            i -= 1
            continue
        if _optional(items[i]):
            sub = list(items[i][1][2])
            if not sub or not _last_safe(sub[-1]):
                return False
            i -= 1
            continue
        return _last_safe(items[i])
    return outer


def _required_words(
    items: Any, left_safe: bool, right_safe: bool, found_sets: list[frozenset[str]] | None = None
) -> frozenset[str] | None:
    """Whole word tokens one of which every match contains (lower case), or None.

    ``found_sets`` collects every such set of the top-level sequence (each is necessary).
    """
    items = list(items)
    candidates: list[frozenset[str]] = []
    i = 0
    while i < len(items):
        j = i
        while j < len(items) and not _zero_width(items[j]) and _strings([items[j]]) is not None:
            j += 1
        if j > i:  # a run of required literal-only items
            strings = _strings(items[i:j])
            lsafe = _safe_before(items, i - 1, left_safe)
            rsafe = _safe_after(items, j, right_safe)
            if strings and "" not in strings:
                best: set[str] = set()
                for text in strings:
                    toks = text.lower().translate(_TOKEN_TABLE).split()
                    if toks and not lsafe and _is_word_char(text[:1]):
                        toks = toks[1:]
                    if toks and not rsafe and _is_word_char(text[-1:]):
                        toks = toks[:-1]
                    if not toks:
                        best = set()
                        break
                    best.add(max(toks, key=lambda t: _score(frozenset([t]))))
                if best:
                    candidates.append(frozenset(best))
            i = j
            continue
        op, av = items[i]
        lsafe = _safe_before(items, i - 1, left_safe)
        rsafe = _safe_after(items, i + 1, right_safe)
        found: frozenset[str] | None = None
        if op is _sre.SUBPATTERN:
            found = _required_words(av[-1], lsafe, rsafe)
        elif op is _sre.BRANCH:
            parts = [_required_words(b, lsafe, rsafe) for b in av[1]]
            if all(x is not None for x in parts):
                found = frozenset().union(*[x for x in parts if x is not None])
        elif op in _REPEATS and av[0] >= 1:
            found = _required_words(av[2], lsafe and av[1] == 1, rsafe and av[1] == 1)
        if found:
            candidates.append(found)
        i += 1
    if found_sets is not None:
        found_sets.extend(candidates)
    return max(candidates, key=_score) if candidates else None


def _required_literals(items: Any) -> frozenset[str] | None:
    """Substrings (lower case) one of which every match contains: for unspaced scripts."""
    candidates: list[frozenset[str]] = []
    items = list(items)
    i = 0
    while i < len(items):
        j = i
        while j < len(items) and items[j][0] in (_sre.LITERAL, _sre.IN) and _strings([items[j]]):
            j += 1
        if j > i:
            strings = _strings(items[i:j])
            if strings and "" not in strings:
                candidates.append(frozenset(x.lower() for x in strings))
            i = j
            continue
        op, av = items[i]
        found: frozenset[str] | None = None
        if op is _sre.SUBPATTERN:
            found = _required_literals(av[-1])
        elif op is _sre.BRANCH:
            parts = [_required_literals(b) for b in av[1]]
            if all(x is not None for x in parts):
                found = frozenset().union(*[x for x in parts if x is not None])
        elif op in _REPEATS and av[0] >= 1:
            found = _required_literals(av[2])
        if found:
            candidates.append(found)
        i += 1
    return max(candidates, key=_score) if candidates else None


def _prefixes(items: Any, right_safe: bool, spaced: bool) -> frozenset[str] | None:
    """What every match begins with: its first whole word (spaced) or literal string, or None.

    A pattern with known prefixes is only tried where one of them occurs in the text, with
    one ``match`` call at that position instead of a scan of the sentence.
    """
    items = list(items)
    acc: set[str] = set()
    i = 0
    while i < len(items):
        op, av = items[i]
        if _zero_width(items[i]):
            i += 1
            continue
        j = i
        while j < len(items) and not _zero_width(items[j]) and _strings([items[j]]) is not None:
            j += 1
        if j > i:
            strings = _strings(items[i:j])
            if not strings:
                return None
            rsafe = _safe_after(items, j, right_safe)
            for text in strings:
                if not text:
                    continue
                if not spaced:
                    acc.add(text.lower())
                    continue
                if not text[0].isalnum():
                    return None
                toks = text.lower().translate(_TOKEN_TABLE).split()
                if len(toks) == 1 and _is_word_char(text[-1]) and not rsafe:
                    return None  # the word may go on ("buy" + "ing")
                acc.add(toks[0])
            if "" in strings:  # the run may match nothing: the match may begin later
                i = j
                continue
            return frozenset(acc)
        rsafe = _safe_after(items, i + 1, right_safe)
        if _optional(items[i]):
            sub = _prefixes(av[2], rsafe, spaced)
            if sub is None:
                return None
            acc |= sub
            i += 1
            continue
        if op is _sre.SUBPATTERN:
            sub = _prefixes(av[-1], rsafe, spaced)
            return None if sub is None else frozenset(acc | sub)
        if op is _sre.BRANCH:
            parts = [_prefixes(branch, rsafe, spaced) for branch in av[1]]
            if any(x is None for x in parts):
                return None
            return frozenset(acc.union(*[x for x in parts if x is not None]))
        if op in _REPEATS and av[0] >= 1:
            sub = _prefixes(av[2], rsafe and av[1] == 1, spaced)
            return None if sub is None else frozenset(acc | sub)
        return None
    return None


def prefix_literals(pattern: re.Pattern[str], spaced: bool = True) -> frozenset[str] | None:
    """The words or strings every match of ``pattern`` begins with, or None."""
    return _prefixes(_parsed(pattern), True, spaced)


def _unfactor(items: Any) -> list[Any]:
    """Undo the parser's prefix factoring: ``f(?:or...|ree...)`` -> ``(?:for...|free...)``.

    Word analysis needs whole words, and the parser moves the common first letters of
    alternatives out in front of the branch.
    """
    out: list[Any] = []
    for op, av in items:
        if op is _sre.SUBPATTERN:
            av = (*av[:-1], _SubList(_unfactor(av[-1])))
        elif op is _sre.BRANCH:
            av = (av[0], [_SubList(_unfactor(b)) for b in av[1]])
        elif op in _REPEATS:
            av = (av[0], av[1], _SubList(_unfactor(av[2])))
        if op is _sre.BRANCH:
            run: list[Any] = []
            while out and out[-1][0] is _sre.LITERAL:
                run.insert(0, out.pop())
            if run:
                av = (av[0], [_SubList(run + list(b)) for b in av[1]])
        out.append((op, av))
    return out


class _SubList(list):  # type: ignore[type-arg]
    """A plain list standing in for a parsed sub-pattern."""


def _parsed(pattern: re.Pattern[str]) -> list[Any]:
    return _unfactor(_sre.parse(pattern.pattern, pattern.flags))


def required_literals(pattern: re.Pattern[str], spaced: bool = True) -> frozenset[str] | None:
    """What every match of ``pattern`` contains: whole words (spaced scripts) or substrings."""
    parsed = _parsed(pattern)
    if spaced:
        return _required_words(parsed, True, True)
    return _required_literals(parsed)


def required_word_sets(pattern: re.Pattern[str]) -> list[frozenset[str]]:
    """Every set of words the pattern needs (one word of each), most selective first."""
    sets: list[frozenset[str]] = []
    _required_words(_parsed(pattern), True, True, sets)
    return sorted(set(sets), key=_score, reverse=True)


def _trie_gates(words: Iterable[str], parts: int = 6) -> list[tuple[re.Pattern[str], str]]:
    """Alternations of literal strings, factored as tries, split by first character.

    The engine skips positions whose character starts no literal quickly, but where one
    does it tries every alternative of the branch in turn; a few smaller regexes, each
    scanning the text once, cost less than one with a branch of a few hundred characters.
    """
    root: dict[str, Any] = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        branches = [re.escape(ch) + build(node[ch]) for ch in sorted(k for k in node if k)]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return "(?:" + body + ")?" if "" in node else body

    keys = sorted(k for k in root if k)
    size = max(1, -(-len(keys) // parts))
    out = []
    for i in range(0, len(keys), size):
        group = keys[i : i + size]
        body = "|".join(re.escape(ch) + build(root[ch]) for ch in group)
        out.append((re.compile("(?:" + body + ")"), "".join(group)))
    return out


@dataclass(frozen=True)
class Cuer:
    """One cue pattern of one rule, ready to run.

    For a combination, ``pattern`` is its most selective part (the anchor, which the index
    gates on) and ``others`` the parts that must also be found in the anchor's sentence.
    """

    rule: AdviceRule
    role: str
    pattern: re.Pattern[str]
    clause_start: bool
    others: tuple[tuple[re.Pattern[str], bool], ...] = ()
    label: str = ""


class LanguageIndex:
    """All cue patterns of one language, reachable from the words or strings they need.

    A pattern only runs on a sentence that holds one of its required literals (its most
    selective ones): whole words for spaced scripts, found by set intersection of the
    sentence's words with no regex pass; substrings for Chinese, found by one trie-shaped
    regex pass. When every match of a pattern begins with one of a few known words, it is
    tried only where those stand, with one ``match`` call each instead of a scan.
    """

    _MAX_PREFIXES = 60

    def __init__(
        self, rules: list[AdviceRule], language: str, extra: frozenset[str] = frozenset()
    ) -> None:
        """``extra``: more literals the gate should report (the words of a weighted score)."""
        self.language = language
        self.spaced = language not in UNSPACED
        self.cuers: list[Cuer] = []
        self.by_literal: dict[str, list[int]] = {}
        self.prefixes: dict[int, frozenset[str]] = {}
        self.also: dict[int, tuple[frozenset[str], ...]] = {}
        self.always: list[int] = []
        for rule in rules:
            for cp in rule.cue_patterns:
                i = len(self.cuers)
                pattern, anchored = cp.pattern, cp.clause_start
                others: tuple[tuple[re.Pattern[str], bool], ...] = ()
                if cp.parts:
                    # the most selective part is the anchor; within a point of it, the
                    # part the pack lists first (the author knows which word is rarer)
                    best = max(self._selectivity(p) for p, _ in cp.parts)
                    ranked = sorted(
                        cp.parts, key=lambda part: self._selectivity(part[0]) < best - 1.0
                    )
                    (pattern, anchored), others = ranked[0], tuple(ranked[1:])
                self.cuers.append(Cuer(rule, cp.role, pattern, anchored, others, cp.label))
                pre = prefix_literals(pattern, self.spaced)
                if pre and (
                    self.spaced or (len(pre) <= self._MAX_PREFIXES and min(map(len, pre)) >= 2)
                ):
                    self.prefixes[i] = pre
                if not self.spaced and i in self.prefixes:
                    literals = pre  # the gate's hits then give the positions to match at
                else:
                    literals = required_literals(pattern, self.spaced) or pre
                if self.spaced and literals:
                    more = [x for x in required_word_sets(pattern) if x != literals][:3]
                    for part, _ in others:  # a combination's other parts need their words too
                        need = required_literals(part, True)
                        if need:
                            more.append(need)
                    if more:
                        self.also[i] = tuple(more)
                if not literals:
                    self.always.append(i)
                    continue
                for lit in literals:
                    self.by_literal.setdefault(lit, []).append(i)
        self.vocabulary = frozenset(self.by_literal)
        if not self.spaced:
            for word in extra:  # found by the same scan, planned for no pattern
                self.by_literal.setdefault(word.lower(), [])
        gates = [] if self.spaced or not self.by_literal else _trie_gates(self.by_literal)
        self.gates = [g for g, _ in gates]
        self._gate_of = {ch: g for g, chars in gates for ch in chars}
        self._closure: dict[str, tuple[str, ...]] = {}

    def _selectivity(self, pattern: re.Pattern[str]) -> float:
        """How rarely a pattern's required words occur (higher is rarer): picks an anchor."""
        words = required_literals(pattern, self.spaced)
        return _score(words) if words else float("-inf")

    def _literals_at(self, longest: str) -> tuple[str, ...]:
        """The index literals that are prefixes of the longest literal found at a position."""
        found = self._closure.get(longest)
        if found is None:
            found = tuple(
                longest[:k] for k in range(1, len(longest) + 1) if longest[:k] in self.by_literal
            )
            self._closure[longest] = found
        return found

    def _hits_in(self, lowered: str, start: int, end: int) -> list[tuple[int, str]]:
        """``(position, longest literal there)`` for every literal in ``[start, end)``.

        Each scan skips past its matches, so the positions inside a match are tried again:
        a literal may begin inside another ("即可领取" holds "领取").
        """
        out = []
        gate_of = self._gate_of
        for gate in self.gates:
            for m in gate.finditer(lowered, start, end):
                pos = m.start()
                out.append((pos, m.group()))
                for k in range(pos + 1, m.end()):
                    inner_gate = gate_of.get(lowered[k])
                    if inner_gate is not None:
                        inner = inner_gate.match(lowered, k, end)
                        if inner is not None:
                            out.append((k, inner.group()))
        out.sort()
        return out

    def hits(self, lowered: str) -> list[tuple[int, str]]:
        """``(position, literal)`` for every gate literal in the text (unspaced scripts)."""
        return self._hits_in(lowered, 0, len(lowered))

    def plan(
        self,
        lowered: str,
        start: int,
        end: int,
        hits: list[tuple[int, str]] | None = None,
        sentence: str = "",
        words: set[str] | None = None,
    ) -> dict[int, list[int] | None]:
        """Patterns to try in ``[start, end)``: positions to match at, or None to search.

        Spaced scripts read the sentence's words; unspaced ones take the gate ``hits``
        that fall in the range.
        """
        ids: set[int] = set(self.always)
        if self.spaced:
            if words is None:
                words = word_tokens(lowered[start:end])  # ``lowered`` is the flat text here
            for word in self.vocabulary.intersection(words):
                ids.update(self.by_literal[word])
            also = self.also
            ids = {i for i in ids if i not in also or all(not words.isdisjoint(x) for x in also[i])}
        else:
            out_zh: dict[int, list[int] | None] = {i: None for i in self.always}
            for pos, found in hits if hits is not None else self._hits_in(lowered, start, end):
                for lit in self._literals_at(found):
                    for i in self.by_literal[lit]:
                        if i in self.prefixes:
                            got = out_zh.get(i, [])
                            if got is not None:
                                got.append(pos)
                                out_zh[i] = got
                        else:
                            out_zh[i] = None
            return out_zh
        out: dict[int, list[int] | None] = {}
        seen: dict[str, list[int]] = {}
        starts: list[int] | None = None
        for i in ids:
            pre = self.prefixes.get(i)
            anchored = self.cuers[i].clause_start
            if anchored and starts is None:
                starts = [start + x for x in clause_starts(sentence, self.language)]
            if pre is None:
                out[i] = starts if anchored else None
                continue
            positions: list[int] = []
            for lit in pre if words is None else pre.intersection(words):
                got = seen.get(lit)
                if got is None:
                    got = seen[lit] = (
                        list(_word_positions(lowered, lit, start, end))
                        if self.spaced
                        else _positions(lowered, lit, start, end)
                    )
                positions.extend(got)
            if anchored and starts is not None:
                at = set(starts)
                positions = [p for p in positions if p in at]
            if positions:
                out[i] = positions
        return out


def _positions(lowered: str, literal: str, start: int, end: int) -> list[int]:
    out = []
    pos = lowered.find(literal, start, end)
    while pos >= 0:
        out.append(pos)
        pos = lowered.find(literal, pos + 1, end)
    return out


def _word_positions(flat: str, word: str, start: int, end: int) -> Iterator[int]:
    """Where ``word`` stands as a whole token in ``flat[start:end]`` (flattened text)."""
    size = len(word)
    pos = flat.find(word, start, end)
    while pos >= 0:
        after = pos + size
        if (pos == start or flat[pos - 1] == " ") and (after >= end or flat[after] == " "):
            yield pos
        pos = flat.find(word, pos + 1, end)


def lower_same_length(text: str) -> str:
    """Lower case with the same length (a few characters grow when lowered)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


# What may stand between a clause break and a command ("Honestly, buy ..."; "- Buy ...").
_EN_OPENERS = re.compile(
    r"\s*(?:[\"'“‘(\[]\s*)?(?:[-•*·▶►➡👉✅🔥🚀💰📈⚡]+\s*|\d{1,2}[.)]\s+)?"
    r"(?:(?:honestly|seriously|look|listen|guys|folks|friends|fam|frens|anon|people|ok|okay|"
    r"yes|so|now|then|today|tonight|right\s+now|this\s+week|again|instead|bottom\s+line|"
    r"my\s+advice|our\s+advice|the\s+play|pro\s+tip|tip|psa|nfa|dyor|trust\s+me|"
    r"not\s+financial\s+advice|in\s+short|simple|hint|please|just|simply|and|but|or|"
    r"time\s+to|it['’]s\s+time\s+to|now['’]s\s+the\s+time\s+to|now\s+is\s+the\s+time\s+to)"
    r"[,:!.]?\s+(?:but\s+)?){0,3}",
    _I,
)
_COMMA = re.compile(r",\s+")
_EN_SUBORDINATE = re.compile(
    r"\s*(?:if|when|once|whenever|as\s+soon\s+as|before|after|until|unless|should|the\s+moment)\b",
    _I,
)
_EN_CONTINUERS = re.compile(r"(?:\bso|\bthen|,\s*and|,\s*but|,\s*or)\s+(?:just\s+|simply\s+)?$", _I)
# A sentence that opens with a command ("Stop chasing pumps and ...", "Sell the news, then
# ...") goes on commanding after "and" / "then" / "or": "... and just DCA into bitcoin".
_EN_COMMAND_VERBS = (
    r"(?:buy|sell|short|long|fade|grab|get|take|stop|start|keep|go|put|move|hold|stack|load|"
    r"ignore|forget|do|make|trust|follow|join|sign|deposit|stake|add|trim|dump|ditch|rotate|"
    r"accumulate|dca|swap|switch|watch|lock|bank|book|secure|claim|use|try|pick|choose|scoop|"
    r"snap|ape|jump|hop|pile|bet|park|invest|throw|pour|double|cash|exit|avoid|sit|wait|relax|"
    r"quit|skip|drop|set|place|open|close|fund|refer|invite|bid|scale|ride|chase|copy|own|"
    r"mint|farm|bridge|lend|borrow|leverage|hedge|sell|pull|turn|shift|convert|allocate)"
)
_EN_COORDINATED = re.compile(
    r"\s*(?:[-•*·▶►➡👉✅🔥🚀💰📈⚡]+\s*)?(?:(?:just|simply|now|so|please|and)\s+)?"
    + _EN_COMMAND_VERBS
    + r"\b[^,;:]{0,80}?\s(?:and|&|then|or|but)\s+(?:just\s+|simply\s+|also\s+|then\s+)?",
    re.IGNORECASE,
)
# "Don't let it sit in a bank, put it to work": a command, a comma, the next command.
_EN_COMMAND_COMMA = re.compile(
    r"\s*(?:[-•*·▶►➡👉✅🔥🚀💰📈⚡]+\s*)?(?:(?:just|simply|now|so|please)\s+)?"
    r"(?:(?:don['’]t|do\s+not|never)\s+\w+|"
    + _EN_COMMAND_VERBS
    + r")\b[^,;:]{0,80}?,\s+(?:just\s+|simply\s+|instead\s+|then\s+)?",
    re.IGNORECASE,
)
_EN_COMMAND_SET = frozenset(
    _EN_COMMAND_VERBS.strip("(?:)").split("|") + ["just", "simply", "now", "so", "please", "and"]
)
_FIRST_WORD = re.compile(r"[\s\-•*·▶►➡👉✅🔥🚀💰📈⚡]*([a-z]+)")
_EN_COORDINATOR = re.compile(
    r"\s(?:and|&|then|or|but)\s+(?:just\s+|simply\s+|also\s+|then\s+)?", re.I
)
# A short phrase and a comma before a command: "New dads, start stacking", "At these
# prices, grab some", "Retirees, swap ..." (a vocative or a circumstance).
_EN_INTRO = re.compile(r"\s*(?:[-•*·▶►➡👉✅🔥🚀💰📈⚡]+\s*)?(?:[\w'’$&-]+\s+){0,3}[\w'’$&-]+,\s+")
_EN_CLAUSE_BREAKS = '.!?;:…—–()\n"“”'
_ZH_CLAUSE_BREAKS = "，,、。！？!?；;：:（(\n“”「」 "
_ZH_OPENERS = re.compile(
    r"\s*(?:[“‘「『\"'（(]\s*)?(?:[-•*·▶►➡👉✅🔥🚀💰📈⚡]+\s*|\d{1,2}[.)、]\s*)?(?:所以|那就|那么|因此|就|现在|今天)?\s*"
)


_EN_BREAK_AT = re.compile(r"[.!?;:…—–(\"“”]\s*|,\s*(?=(?:so|and|then|but|or)\b)| (?:so|then) +", _I)
_ZH_BREAK_AT = re.compile(r"[，,、。！？!?；;：:（(“”「」]\s*")


def clause_starts(sentence: str, language: str) -> list[int]:
    """Positions where a clause may begin: after a break, then after bullets and openers."""
    zh = language in UNSPACED
    breaks = _ZH_BREAK_AT if zh else _EN_BREAK_AT
    openers = _ZH_OPENERS if zh else _EN_OPENERS
    out = {0}
    for brk in breaks.finditer(sentence):
        out.add(brk.end())
    if not zh:
        if _EN_SUBORDINATE.match(sentence):
            out.update(m.end() for m in _COMMA.finditer(sentence))
        lowered = sentence.lower()
        coordinated = any(w in lowered for w in (" and ", " then ", " or ", " & ", " but "))
        for pos in list(out):
            comma = sentence.find(",", pos, pos + 48)
            if comma >= 0 and sentence.count(" ", pos + 1, comma) <= 4:
                intro = _EN_INTRO.match(sentence, pos)
                if intro is not None:
                    out.add(intro.end())
            lead = _FIRST_WORD.match(lowered, pos)
            if comma >= 0 or "," in sentence[pos : pos + 120]:
                # "Don't let it sit in a bank, put it to work": the command after the comma
                if lead is not None and (
                    lead.group(1) in _EN_COMMAND_SET or lead.group(1) in ("don", "never", "do")
                ):
                    after = _EN_COMMAND_COMMA.match(sentence, pos)
                    if after is not None:
                        out.add(after.end())
            if coordinated:
                if lead is None or lead.group(1) not in _EN_COMMAND_SET:
                    continue
                command = _EN_COORDINATED.match(sentence, pos)
                if command is not None:
                    out.update(
                        m.end() for m in _EN_COORDINATOR.finditer(sentence, pos, command.end() + 1)
                    )
    for pos in list(out):
        opener = openers.match(sentence, pos)
        if opener is not None:
            out.add(opener.end())
    return sorted(p for p in out if p < len(sentence))


def opens_clause(sentence: str, at: int, language: str) -> bool:
    """Whether position ``at`` begins a sentence or clause, allowing bullets and openers."""
    zh = language == "zh" or bool(_CJK.search(sentence[max(0, at - 2) : at + 2]))
    breaks = _ZH_CLAUSE_BREAKS if zh else _EN_CLAUSE_BREAKS
    cut = -1
    for i in range(at - 1, max(-1, at - 80), -1):
        if sentence[i] in breaks:
            cut = i
            break
    else:
        if at >= 80:
            return False
    segment = sentence[cut + 1 : at]
    if zh:
        return _ZH_OPENERS.fullmatch(segment) is not None
    if _EN_OPENERS.fullmatch(segment):
        return True
    # "New dads, start ...": a short phrase and a comma opening the clause
    intro = _EN_INTRO.match(segment)
    if intro is not None and _EN_OPENERS.fullmatch(segment, intro.end()):
        return True
    # "Stop chasing pumps and just DCA ...": a command goes on after "and"
    if _EN_COORDINATED.fullmatch(segment) or _EN_COMMAND_COMMA.fullmatch(segment):
        return True
    # "If it dips below $50k, buy more": the main clause after a leading condition
    if "," in segment and _EN_SUBORDINATE.match(segment):
        if _EN_OPENERS.fullmatch(segment[segment.rindex(",") + 1 :]):
            return True
    # "..., so buy now" / "noise, and keep stacking" / "so ignore it"
    return bool(_EN_CONTINUERS.search(segment))
