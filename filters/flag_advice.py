"""Flag wording that reads as investment advice in the publisher's own voice.

Follows the taxonomy in the advice rule packs (``kind = "advice"``): each rule holds the
cues of one category. The engine reads every sentence the way a reviewer would:

1. find the cues of each rule in the sentence (exceptions suppress a cue);
2. decide who is speaking: words inside quotation marks, or a sentence framed as reported
   speech with a named speaker ("analysts at X said", "according to the CEO", "据X表示",
   "X称"), are a third party's, recorded at ``info`` with the speaker (decision rule R1);
3. drop cues cancelled by a negation right before them (R4); the packs write rhetorical
   double negations ("never a bad time to buy") as cues of their own, so they still fire;
4. report publisher-voice cues at the rule's severity, one finding per sentence, choosing
   the category by the taxonomy's precedence (R10) and listing every signal that fired.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from filters.context import Context
from filters.models import Finding, Signal
from filters.rulepack import ADVICE_CATEGORIES, AdviceRule, RuleSet
from filters.segment import Sentence, split_sentences

_PRECEDENCE = {c: i for i, c in enumerate(ADVICE_CATEGORIES)}
_UNBALANCED_MIN_CALLS = 3
_RISK_WORDING = re.compile(
    r"\brisk|\bvolatil|could\s+lose|can\s+go\s+down|lose\s+(?:all|some|part)|not\s+(?:financial|investment)\s+advice|"
    r"do\s+your\s+own\s+research|past\s+performance|风险|波动|不构成.{0,4}建议|谨慎",
    re.IGNORECASE,
)

_QUOTES = re.compile(
    r"“[^”]{1,600}”|\"[^\"\n]{1,600}\"|「[^」]{1,600}」|『[^』]{1,600}』|‘[^’]{8,600}’"
)
_NAME = r"(?-i:(?:[A-Z][\w&.'’-]*)(?:\s+(?:of|at|from|de|&)?\s?[A-Z][\w&.'’-]*){0,5})"
_REPORTING_VERB = (
    r"(?:said|says|say|wrote|writes|noted|notes|told|tells|added|argued|argues|warned|warns|"
    r"expects?|predicted|predicts|forecasts?|believes?|recommended|recommends|advised|advises|"
    r"rates?|rated|sees|saw|reckons?|thinks?|suggested|suggests|claimed|claims|stated|states|"
    r"estimated|estimates|projects?|projected|urged|urges|posted|tweeted|reiterated|maintained|"
    r"upgraded|downgraded|initiated|set|raised|lowered|cut|called)"
)
_REPORTED_EN = re.compile(
    r"\baccording to\b|\bper (?-i:[A-Z])|\bin a (?:research )?(?:note|report|statement|post|letter|interview|memo)\b|"
    r"\b(?:analysts?|strategists?|economists?|traders?|investors?|executives?|officials?|"
    r"researchers?|experts?|the (?:ceo|cfo|cio|founder|chairman|company|bank|firm|fund|team|report|note|survey|analysts?))"
    r"\b[^.;:!?]{0,80}?\b" + _REPORTING_VERB + r"\b|"
    r"\b" + _NAME + r"\s+(?:" + _REPORTING_VERB + r")\b|"
    r"\b" + _REPORTING_VERB + r"\s+" + _NAME + r"|"
    r"\b(?:survey|poll|consensus|odds|polymarket|kalshi|futures market|options market)\b",
    re.IGNORECASE,
)
_REPORTED_ZH = re.compile(
    r"据.{1,20}?(?:表示|称|报道|消息|透露|介绍|预计|预测|分析|指出|认为)|"
    r"[\u4e00-\u9fffA-Za-z]{2,20}(?:表示|称|指出|认为|预计|预测|分析师|说|坦言|强调|建议|写道|发文|提到)|"
    r"(?:分析师|研究员|策略师|经济学家|机构|券商|研报|报告)"
)
_SPEAKER_EN = re.compile(
    r"according to (?P<a>[^,.;]{2,60})|(?P<b>"
    + _NAME
    + r")\s+"
    + _REPORTING_VERB
    + r"\b|"
    + _REPORTING_VERB
    + r"\s+(?P<c>"
    + _NAME
    + r")|"
    r"(?P<d>(?:analysts?|strategists?|economists?) (?:at|from) " + _NAME + r")",
    re.IGNORECASE,
)
_SPEAKER_ZH = re.compile(
    r"据(?P<a>.{1,20}?)(?:表示|称|报道|消息|透露|预计|认为)|(?P<b>[\u4e00-\u9fffA-Za-z]{2,12}?)(?:表示|称|指出|认为|预计|写道)"
)
_NEGATION = re.compile(
    r"(?:\b(?:not|never|no|don'?t|doesn'?t|isn'?t|aren'?t|wasn'?t|won'?t|can'?t|cannot|shouldn'?t|without|nor|neither|hardly|avoid)\b|不|没有|并非|并不|切勿|不要|别|未|无)[\s\w,'’-]{0,12}$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Cue:
    """One rule's pattern firing inside a sentence."""

    rule: AdviceRule
    start: int
    end: int
    text: str
    quoted: bool


def _quoted_ranges(sentence: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _QUOTES.finditer(sentence)]


def speaker_of(sentence: str, language: str) -> str | None:
    """The named third party a sentence reports, or None when it is the publisher's voice."""
    if language == "zh" or re.search(r"[\u4e00-\u9fff]", sentence):
        if _REPORTED_ZH.search(sentence):
            m = _SPEAKER_ZH.search(sentence)
            return (m.group("a") or m.group("b")) if m else "a reported source"
        return None
    if not _REPORTED_EN.search(sentence):
        return None
    m = _SPEAKER_EN.search(sentence)
    if m:
        name = next(g for g in m.groups() if g)
        return name.strip()[:60]
    return "a reported source"


class FlagAdvice:
    """Check stage: advice-like wording, speaker-aware."""

    name = "flag_advice"

    def __init__(self, rules: RuleSet) -> None:
        self.rules: list[AdviceRule] = rules.of_kind("advice")
        self.ruleset = rules

    def cues(
        self, sentence: str, language: str, rules: list[AdviceRule] | None = None
    ) -> list[Cue]:
        """Un-negated cues of every applicable rule in one sentence."""
        quoted = _quoted_ranges(sentence)
        out: list[Cue] = []
        for rule in rules if rules is not None else self.rules:
            if not rule.applies_to(language):
                continue
            for m in rule.find(sentence):
                if _NEGATION.search(sentence[max(0, m.start() - 30) : m.start()]):
                    continue
                inside = any(s <= m.start() and m.end() <= e for s, e in quoted)
                out.append(Cue(rule, m.start(), m.end(), m.group(), inside))
        return out

    def judge(
        self, sentence: str, language: str, rules: list[AdviceRule] | None = None
    ) -> tuple[list[Cue], str | None]:
        """Cues in the sentence and who speaks them (None = the publisher)."""
        cues = self.cues(sentence, language, rules)
        if not cues:
            return [], None
        own = [c for c in cues if not c.quoted]
        speaker = speaker_of(sentence, language) if own else None
        if own and speaker is None:
            return own, None
        quoted_speaker = speaker or speaker_of(sentence, language) or "a quoted source"
        return cues, quoted_speaker

    def run(self, ctx: Context) -> None:
        """Judge every sentence of the stripped text, then the article as a whole."""
        language = ctx.language if ctx.language != "und" else "en"
        rules = [r for r in self.rules if r.applies_to(language)]
        if not rules:
            return
        own_calls = 0
        for sentence in split_sentences(ctx.text):
            finding = self._judge_sentence(ctx, sentence, language, rules)
            if finding is not None and finding.speaker is None:
                own_calls += 1
        if own_calls >= _UNBALANCED_MIN_CALLS and not _RISK_WORDING.search(ctx.text):
            rule = self.ruleset.document_rule("advice_no_risk_wording")
            if rule.applies_to(language):
                ctx.add(
                    rule,
                    message=f"{own_calls} sentences of advice-like wording and no risk statement anywhere in the article",
                )

    def _judge_sentence(
        self, ctx: Context, sentence: Sentence, language: str, rules: list[AdviceRule]
    ) -> Finding | None:
        cues, speaker = self.judge(sentence.text, language, rules)
        if not cues:
            return None
        primary = min(cues, key=lambda c: _PRECEDENCE[c.rule.advice_category])
        signals = [Signal(name=f"{c.rule.id}:{c.rule.advice_category}", text=c.text) for c in cues]
        categories = sorted({c.rule.advice_category for c in cues}, key=_PRECEDENCE.__getitem__)
        basis = "; ".join(primary.rule.citations[:3])
        if speaker is None:
            explanation = (
                f"Publisher's own voice; category {primary.rule.advice_category}"
                f" (signals: {', '.join(s.text or '' for s in signals)}). Basis: {basis}."
            )
            severity = None
        else:
            explanation = (
                f"Reported speech attributed to {speaker}; not the publisher's advice (R1)."
            )
            severity = "info"
        return ctx.add(
            primary.rule,
            span=(sentence.start, sentence.end),
            excerpt=sentence.text[:300],
            message=primary.rule.message.replace("{match}", primary.text)
            + ("" if len(categories) == 1 else f" [also: {', '.join(categories[1:])}]"),
            explanation=explanation,
            signals=signals,
            speaker=speaker,
            severity=severity,
        )
