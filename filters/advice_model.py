"""The learned-wording advice rule: a linear model over a sentence's words, read as data.

Cue and score rules name wording a reviewer can point at, and fresh wording slips past
them. A ``[rule.model]`` table holds a softmax regression over "not advice" and the nine
taxonomy categories, fitted by ``benchmarks/train_advice_model.py`` on the project's own
labelled sentences: every feature (a word, a pair of neighbouring words, the opening
word) with its weight per class. Scoring a sentence is a sum of table lookups, and the
finding names the features that weighed most for the class it chose, so the result is
as explainable as a score rule, only with weights that were fitted rather than written.

The model reads only sentences that name an asset or a market (the table's
``topic_words`` and ``topic_pattern``), so an article about cars or films is never judged
by a model trained on market talk; the advice engine also keeps quoted and reported
speech out of it, as it does for the score.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from filters.rulepack import AdviceRule, compile_pattern

CLASSES = (
    "not_advice",
    "direct_recommendation",
    "price_prediction",
    "guaranteed_returns",
    "performance_promise",
    "risk_minimisation",
    "urgency_fomo",
    "incentive_to_invest",
    "testimonial_endorsement",
    "personalised_advice",
)

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_WORD = re.compile(r"[a-z0-9$%]+(?:['’][a-z]+)?")


def features(sentence: str, language: str = "en") -> set[str]:
    """The features of a sentence: words, word pairs and the opening word, or character n-grams.

    English gives words, neighbouring word pairs and the opening word; Chinese, which has
    no spaces to find words by, gives character 1- to 3-grams.

    Numbers are one token ("0"): the model should learn "a 0% return", not one price.
    """
    if language == "zh":
        flat = "".join(_NUMBER.sub("0", sentence.lower()).split())
        return {flat[i : i + n] for n in (1, 2, 3) for i in range(len(flat) - n + 1)}
    words = _WORD.findall(_NUMBER.sub("0", sentence.lower()).replace("’", "'"))
    out = set(words)
    out.update(f"{a} {b}" for a, b in zip(words, words[1:], strict=False))
    if words:
        out.add("^" + words[0])
    return out


@dataclass(frozen=True)
class Verdict:
    """The model's reading of one sentence."""

    probability: float  # that the sentence is advice (any category)
    category: str
    top: tuple[tuple[str, float], ...]  # the features that weighed most for the category


class AdviceModel:
    """One ``[rule.model]`` table, ready to score sentences."""

    def __init__(self, rule: AdviceRule) -> None:
        assert rule.model is not None
        spec = rule.model
        self.rule = rule
        self.language = "zh" if rule.languages == ["zh"] else "en"
        self.threshold = spec.threshold
        if self.language == "zh":
            topic = [w.lower() for w in spec.topic_words]
        else:
            topic = [" ".join(_WORD.findall(w.lower().replace("’", "'"))) for w in spec.topic_words]
        self.topic_words = frozenset(w for w in topic if " " not in w)
        self.topic_phrases = tuple(f" {w} " for w in topic if " " in w)
        self.topic_pattern = compile_pattern(spec.topic_pattern) if spec.topic_pattern else None
        self._topic_scan = (
            re.compile("|".join(map(re.escape, sorted(topic, key=len, reverse=True))))
            if self.language == "zh"
            else None
        )
        self.classes = tuple(spec.classes)
        width = len(self.classes)
        rows: dict[str, int] = {}
        gate: dict[str, float] = {}
        matrix = np.zeros((len(spec.weights), width))
        for n, row in enumerate(spec.weights):
            cells = row[2:]
            for i in range(0, len(cells), 2):
                matrix[n, int(cells[i])] = float(cells[i + 1])
            rows[str(row[0])] = n
            gate[str(row[0])] = float(row[1])
        self.gate = gate
        self.gate_bias = spec.gate_bias
        self.gate_logit = math.log(spec.gate_threshold / (1 - spec.gate_threshold))
        self.rows = rows
        self.matrix = matrix
        self.bias_vector = np.array(spec.bias)

    def about_topic(self, sentence: str) -> bool:
        """Whether the sentence names an asset or a market (else the model does not read it)."""
        if self._topic_scan is not None:  # no words to split: the topic terms as substrings
            return self._topic_scan.search(sentence.lower()) is not None
        words = _WORD.findall(sentence.lower().replace("’", "'"))
        if not self.topic_words.isdisjoint(words):
            return True
        if self.topic_phrases:
            joined = f" {' '.join(words)} "
            if any(p in joined for p in self.topic_phrases):
                return True
        return self.topic_pattern is not None and self.topic_pattern.search(sentence) is not None

    def read(self, sentence: str) -> Verdict:
        """The probability of advice, the likeliest category and the features behind it.

        A sentence the gate dismisses gets probability 0; the features behind a verdict
        are only listed for a sentence at or over the threshold.
        """
        rows = self.rows
        known = features(sentence, self.language) & rows.keys()
        gate = self.gate
        # fsum is exact, so the gate does not depend on the order of a set: replayable
        if math.fsum([self.gate_bias, *(gate[f] for f in known)]) < self.gate_logit:
            return Verdict(0.0, self.classes[1], ())  # plainly not advice: no class sums
        present = sorted(known)  # one order for the class sums: replayable
        weights = self.matrix[[rows[f] for f in present]]
        z = self.bias_vector + weights.sum(axis=0)
        e = np.exp(z - z.max())
        probability = 1.0 - float(e[0] / e.sum())
        best = int(z[1:].argmax()) + 1
        if probability < self.threshold:
            return Verdict(probability, self.classes[best], ())
        contributions = sorted(
            zip(present, (weights[:, best] - weights[:, 0]).tolist(), strict=True),
            key=lambda fw: (-fw[1], fw[0]),
        )
        top = tuple((f, round(w, 2)) for f, w in contributions[:5] if w > 0)
        return Verdict(probability, self.classes[best], top)
