"""A transparent weighted score per sentence, for advice worded in ways no cue foresaw.

The cue rules of the advice packs catch the forms a reviewer can name ("guaranteed
returns", "buy the dip"); fresh wording slips past them. What stays constant is the
register: promotion addresses the reader, commands, speaks for itself, names an asset and
promises, hurries or hypes; news and explanation report, date, define and hedge. A pack
rule with a ``[rule.score]`` table lists those signals with integer weights; a sentence
whose signals add up to the threshold reads as advice, and the finding lists every signal
and its weight, so a reviewer sees why.

Signals are read as a reviewer would, not as a bag of words:

* a positive signal after a negation in its own clause does not count ("we would not
  buy this token"), unless the negation belongs to a rhetorical phrase ("don't miss");
* a ``clause_start`` signal counts only where its word opens a clause (a command);
* a signal with ``requires`` counts only next to one of the signals it names.

Speed: words are matched by set intersection on the sentence's words and phrases (spaced
scripts) or one alternation scan (Chinese); a line is only split and scored when the
signals its words could give reach the threshold.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from filters.advice_index import (
    _COMMON_WORDS,
    UNSPACED,
    _trie_gates,
    clause_starts,
    flatten,
    opens_clause,
    required_literals,
)
from filters.rulepack import AdviceRule, ScoreSignal

_TOKEN = re.compile(r"\S+")
_MAX_GRAM = 4


@dataclass(frozen=True)
class Evidence:
    """One signal found in a sentence: its name, weight and the words that gave it."""

    name: str
    weight: int
    text: str
    start: int


def _rarity(word: str) -> tuple[bool, int]:
    return word not in _COMMON_WORDS, len(word)


def _flat_words(text: str) -> str:
    return " ".join(flatten(text).split())


class Scorer:
    """The weighted score of one advice rule in one language."""

    def __init__(
        self,
        rule: AdviceRule,
        language: str,
        negation: re.Pattern[str],
        clause_marks: str,
        window: int,
    ) -> None:
        assert rule.score is not None
        self.rule = rule
        self.language = language
        self.spaced = language not in UNSPACED
        self.threshold = rule.score.threshold
        self.signals: list[ScoreSignal] = list(rule.score.signal)
        self.patterns = rule.score_patterns
        self._negation = negation
        self._clause_marks = clause_marks
        self._window = window
        norm: Callable[[str], str] = _flat_words if self.spaced else str.lower
        # phrase -> names of the signals it belongs to
        self.vocab: dict[str, list[str]] = {}
        self.starters: dict[str, list[str]] = {}
        for s in self.signals:
            for w in s.words:
                self.vocab.setdefault(norm(w), []).append(s.name)
            for w in s.clause_start:
                self.starters.setdefault(norm(w), []).append(s.name)
        self.weights = {s.name: s.weight for s in self.signals}
        # phrases that only ever count against advice
        self._counter_words = frozenset(
            p for p, names in self.vocab.items() if all(self.weights[n] < 0 for n in names)
        )
        self._needs = {s.name: set(s.requires) for s in self.signals if s.requires}
        self.rhetorical = {norm(p) for p in rule.score.rhetorical}
        self.required = set(rule.score.requires)
        # first words of the phrases (spaced): n-grams are only built from these
        self._heads = {p.split()[0] for p in list(self.vocab) + list(self.rhetorical)}
        self._starter_heads = {p.split()[0] for p in self.starters} if self.spaced else set()
        # gate: the most a line's words can add up to (patterns assumed present)
        self._gate_words: dict[str, set[str]] = {}
        for phrase, names in list(self.vocab.items()) + list(self.starters.items()):
            # a phrase can only be present where its rarest word is
            key = max(phrase.split(), key=_rarity) if self.spaced else phrase
            for name in names:
                if self.weights[name] > 0:
                    self._gate_words.setdefault(key, set()).add(name)
        self._gate_keys = frozenset(self._gate_words)
        self._pattern_bonus = sum(
            s.weight for s in self.signals if s.pattern is not None and s.weight > 0
        )
        # what the pattern signals can add to a line's gate: those that count only next to
        # a signal found by its words add only when that signal may be there
        pattern_names = {s.name for s in self.signals if s.pattern is not None}
        positive = [s for s in self.signals if s.pattern is not None and s.weight > 0]
        self._pattern_needs = [
            (s.name, s.weight, set(s.requires))
            for s in positive
            if s.requires and pattern_names.isdisjoint(s.requires)
        ]
        needy = {n for n, _, _ in self._pattern_needs}
        self._pattern_free = [(s.name, s.weight) for s in positive if s.name not in needy]
        required_phrases = [p for p, names in self.vocab.items() if self.required & set(names)]
        self._required_single = {p for p in required_phrases if " " not in p or not self.spaced}
        # multi-word required phrases by their rarest word: only those whose word is in a
        # line are looked for
        self._required_multi: dict[str, list[tuple[str, frozenset[str]]]] = {}
        for p in required_phrases:
            if " " in p and self.spaced:
                key = max(p.split(), key=_rarity)
                self._required_multi.setdefault(key, []).append((p, frozenset(p.split())))
        self._required_keys = frozenset(self._required_multi)
        self._starter_bonus = sum(s.weight for s in self.signals if s.clause_start and s.weight > 0)
        self._positive_patterns = [
            (name, p) for name, p in self.patterns.items() if self.weights[name] > 0
        ]
        # spaced scripts: the words one of which every match of a pattern holds, so a
        # pattern is only searched in a line that has one
        self._pattern_words: dict[str, frozenset[str]] = {}
        # ... or, failing words, the caseless characters it holds ("$" of a cashtag)
        self._pattern_marks: dict[str, frozenset[str]] = {}
        # (and for every script, the strings one of which every match holds)
        self._pattern_subs: dict[str, frozenset[str]] = {}
        for name, pat in self.patterns.items():
            subs = required_literals(pat, False)
            if subs:
                self._pattern_subs[name] = frozenset(c.lower() for c in subs)
        if self.spaced:
            for name, pat in self.patterns.items():
                lits = required_literals(pat, True)
                if lits:
                    self._pattern_words[name] = lits
                    continue
                chars = required_literals(pat, False)
                if chars and all(c.lower() == c.upper() for c in chars):
                    self._pattern_marks[name] = chars
        self.markers = set(rule.score.markers)
        # gate words that can give a marker signal (None: the score has no markers)
        self._marker_keys: frozenset[str] | None = (
            frozenset(k for k, names in self._gate_words.items() if names & self.markers)
            if self.markers
            else None
        )
        marker_words = {
            w
            for w, names in list(self.vocab.items()) + list(self.starters.items())
            if self.markers & set(names)
        }
        # unspaced scripts: the language index's gate reports the marker words, and a
        # sentence with one is scanned for every word of the score
        self.literals = frozenset(marker_words) if not self.spaced else frozenset()
        if not self.spaced:
            words = set(self.vocab) | set(self.starters) | set(self.rhetorical)
            self._scan = _trie_gates(words, parts=1)[0][0]  # one trie-shaped pass

    # -- the gate ------------------------------------------------------------------------

    def could_reach(
        self,
        text: str,
        start: int,
        end: int,
        flat: str | None = None,
        words: set[str] | None = None,
    ) -> bool:
        """Whether the signals present anywhere in ``text[start:end]`` could reach the threshold.

        Spaced scripts pass the words of the range (or they are read here); unspaced ones
        pass the literals the language index's gate found there as ``words``.
        """
        names: set[str] = set()
        if words is None:
            words = set((flat if flat is not None else flatten(text))[start:end].split())
        if self._marker_keys is not None and words.isdisjoint(self._marker_keys):
            return False  # (the markers test below, without building the names first)
        keys = self._gate_keys
        for w in words & keys if len(words) < len(keys) else keys & words:
            names |= self._gate_words[w]
        weights = self.weights
        if self.markers and self.markers.isdisjoint(names):
            return False  # no sign of promotion: assets and prices alone are news
        # what the patterns could add: one that needs a word signal adds only next to it
        bonus = 0
        for name, weight in self._pattern_free:
            if name not in names:
                bonus += weight
        for name, weight, needs in self._pattern_needs:
            if name not in names and not needs.isdisjoint(names):
                bonus += weight
        if sum(weights[n] for n in names) + bonus < self.threshold:
            return False
        # a signal that needs another counts only next to it (a forecast next to a price
        # move); when what it needs is a pattern, it waits for the pattern below
        waiting: dict[str, set[str]] = {}
        for name, needs in self._needs.items():
            if name in names and not (needs & names):
                names.discard(name)
                if needs & self.patterns.keys():
                    waiting[name] = needs & self.patterns.keys()
        total = sum(weights[n] for n in names)
        if total + bonus + sum(weights[n] for n in waiting) < self.threshold:
            return False
        # what the advice would be about, before the costlier pattern searches
        if self.required and not self._about_something(text, start, end, words):
            return False
        for name, pattern in self._positive_patterns:
            if total >= self.threshold:
                break
            lits = self._pattern_words.get(name)
            if lits is not None and words.isdisjoint(lits):
                continue
            if name not in names and pattern.search(text, start, end):
                names.add(name)
                total += weights[name]
                for other, needs in list(waiting.items()):
                    if name in needs:
                        total += weights[other]
                        del waiting[other]
        return total >= self.threshold

    def _about_something(self, text: str, start: int, end: int, words: set[str] | None) -> bool:
        """Whether a required signal (what the advice is about) is really in the text."""
        if self.spaced and words is not None:
            if not words.isdisjoint(self._required_single):
                return True
            keys = self._required_keys
            joined = ""
            for key in words & keys if len(words) < len(keys) else keys & words:
                for phrase, needs in self._required_multi[key]:
                    if not needs <= words:
                        continue  # a word of the phrase is missing: no need to look
                    joined = joined or " " + " ".join(flatten(text[start:end]).split()) + " "
                    if " " + phrase + " " in joined:
                        return True
        elif not self.spaced and words is not None:
            if not words.isdisjoint(self._required_single):
                return True
        # what the sentence is about may only show as a pattern (a cashtag, "our X bots")
        for n in self.required:
            pattern = self.patterns.get(n)
            if pattern is None:
                continue
            lits = self._pattern_words.get(n)
            if words is not None and lits is not None and words.isdisjoint(lits):
                continue
            marks = self._pattern_marks.get(n)
            if marks is not None and all(text.find(c, start, end) < 0 for c in marks):
                continue
            if pattern.search(text, start, end):
                return True
        return False

    # -- one sentence --------------------------------------------------------------------

    def marked(self, words: set[str]) -> bool:
        """Whether any of ``words`` (gate literals of an unspaced text) is a marker word."""
        return not self.literals.isdisjoint(words)

    def score(self, sentence: str) -> tuple[int, list[Evidence]]:
        """The sentence's score and the signals that made it."""
        toks: list[tuple[int, int, str]] = []
        if self.spaced:
            flat = flatten(sentence)
            if not self.could_reach(sentence, 0, len(sentence), words=set(flat.split())):
                return 0, []
            toks = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(flat)]
            hits = self._phrase_hits(sentence, toks)
        else:
            lowered = sentence.lower()
            hits = [(m.group(), m.start(), m.end()) for m in self._scan.finditer(lowered)]
        present = {n for phrase, _, _ in hits for n in self.vocab.get(phrase, ())}
        if (
            sum(self.weights[n] for n in present if self.weights[n] > 0)
            + self._pattern_bonus
            + (self._starter_bonus)
            < self.threshold
        ):
            return 0, []  # even before negation is read, not enough
        if not self.spaced and not self.could_reach(
            sentence, 0, len(sentence), words={h[0] for h in hits}
        ):
            return 0, []
        hits = self._outer_phrases(hits)
        rhet = [(s, e) for phrase, s, e in hits if phrase in self.rhetorical]
        found: dict[str, Evidence] = {}
        for phrase, s, e in hits:
            for name in self.vocab.get(phrase, ()):
                if name in found:
                    continue
                if self.weights[name] > 0 and self._negated(sentence, s, rhet):
                    continue
                found[name] = Evidence(name, self.weights[name], sentence[s:e], s)
        low = sentence.lower()
        for name, pattern in self.patterns.items():
            if name in found:
                continue
            subs = self._pattern_subs.get(name)
            if subs is not None and not any(c in low for c in subs):
                continue  # a string every match holds is not in the sentence
            for m in pattern.finditer(sentence):
                if self.weights[name] < 0 or not self._negated(sentence, m.start(), rhet):
                    found[name] = Evidence(name, self.weights[name], m.group(), m.start())
                    break
        if self.starters:
            for pos in self._starter_positions(sentence, toks):
                for phrase, e in self._starters_at(sentence, pos):
                    for name in self.starters[phrase]:
                        if name not in found and not self._negated(sentence, pos, rhet):
                            found[name] = Evidence(name, self.weights[name], sentence[pos:e], pos)
        for sig in self.signals:
            if sig.requires and sig.name in found and not any(r in found for r in sig.requires):
                del found[sig.name]
        if self.required and not (self.required & found.keys()):
            return 0, []  # nothing to invest in: not advice, whatever the register
        evidence = sorted(found.values(), key=lambda x: (-x.weight, x.start))
        return sum(x.weight for x in evidence), evidence

    def _outer_phrases(self, hits: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
        """Drop a counter-signal word that stands inside a longer phrase of a positive signal.

        "never had a down month" is a promise, not a past event ("had"); "nobody ever lost
        money" dismisses a risk, it reports no loss ("lost").
        """
        counter = self._counter_words
        if not self.spaced or not any(phrase in counter for phrase, _, _ in hits):
            return hits  # (a Chinese scan never returns a phrase inside another)
        positive = [(s, e) for phrase, s, e in hits if phrase not in counter]
        return [
            (phrase, s, e)
            for phrase, s, e in hits
            if phrase not in counter
            or not any(ps <= s and e <= pe and (ps, pe) != (s, e) for ps, pe in positive)
        ]

    def _starter_positions(self, sentence: str, toks: list[tuple[int, int, str]]) -> list[int]:
        """Where a clause-opening signal word stands at the start of a clause."""
        if not self.spaced:
            return clause_starts(sentence, self.language)
        heads = self._starter_heads
        return [s0 for s0, _, w in toks if w in heads and opens_clause(sentence, s0, self.language)]

    def _phrase_hits(
        self, sentence: str, toks: list[tuple[int, int, str]]
    ) -> list[tuple[str, int, int]]:
        """Every vocabulary phrase in the sentence (spaced scripts), with where it stands."""
        out = []
        heads = self._heads
        for i, (s0, _, w0) in enumerate(toks):
            if w0 not in heads:
                continue
            phrase = w0
            for n in range(1, min(_MAX_GRAM, len(toks) - i) + 1):
                if n > 1:
                    phrase += " " + toks[i + n - 1][2]
                if phrase in self.vocab or phrase in self.rhetorical:
                    out.append((phrase, s0, toks[i + n - 1][1]))
        return out

    def _starters_at(self, sentence: str, pos: int) -> list[tuple[str, int]]:
        if self.spaced:
            toks = [
                (m.end(), m.group()) for m in _TOKEN.finditer(flatten(sentence[pos : pos + 40]))
            ]
            out = []
            for n in range(1, min(_MAX_GRAM, len(toks)) + 1):
                phrase = " ".join(t[1] for t in toks[:n])
                if phrase in self.starters:
                    out.append((phrase, pos + toks[n - 1][0]))
            return out
        lowered = sentence.lower()
        return [(w, pos + len(w)) for w in self.starters if lowered.startswith(w, pos)]

    def _negated(self, sentence: str, pos: int, rhetorical: list[tuple[int, int]]) -> bool:
        """Whether a negation stands before ``pos`` in its clause (rhetorical ones aside)."""
        lo = max(0, pos - self._window)
        window = sentence[lo:pos]
        cut = max(window.rfind(ch) for ch in self._clause_marks)
        if cut >= 0:
            lo += cut + 1
        for m in self._negation.finditer(sentence, lo, pos):
            if not any(s <= m.start() < e for s, e in rhetorical):
                return True
        return False
