"""Flag wording that reads as investment advice in the publisher's own voice.

The advice rule packs (``kind = "advice"``) hold the cues of the nine taxonomy categories,
one rule per category and language. This module is the reviewer that reads them:

1. **Cues.** Each rule's cue patterns are compiled once per pipeline. ``filters.advice_index``
   knows which words each pattern needs, so a line is only read by the patterns whose words
   it holds, and only a line where a cue matched is split into sentences
   (``filters.segment``); speaker detection runs only on sentences with cues.
2. **Form.** In a question (R5) and after a negation in the same clause (R4) a cue is
   dropped, unless the rule wrote it as ``rhetorical`` ("never a bad time to buy", "what
   are you waiting for?"), the forms that still push the reader to act.
3. **Voice** (R1, R9). A cue inside a quotation, inside reported speech with a named speaker
   ("analysts at X said", "according to the CEO", "据X表示", "X称") or inside a report of
   someone else's promotion ("the app promised 'guaranteed' payouts", "警方通报") is not the
   publisher's: it is recorded at ``info`` with the speaker. The publisher's voice comes
   back when the publisher adopts the view ("...and they're right") or opens a clause of
   its own after the report ("..., so buy now"; R1, R8).
4. **Verdict.** One finding per sentence at the rule's severity (warning or error), under the
   most specific category (R10), listing every signal that fired, who speaks, and the
   regulatory basis from the rule's citations.
5. **Article.** Several publisher-voice advice sentences and no risk wording anywhere in
   the rest of the article is a finding of its own (``advice_no_risk_wording``).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

from filters.advice_index import (
    LanguageIndex,
    flatten,
    lower_same_length,
    opens_clause,
    word_tokens,
)
from filters.advice_model import AdviceModel
from filters.advice_score import Evidence, Scorer
from filters.context import Context
from filters.models import Finding, Signal
from filters.rulepack import ADVICE_CATEGORIES, AdviceRule, DocumentRule, RuleSet
from filters.segment import Sentence, split_sentences

_PRECEDENCE = {c: i for i, c in enumerate(ADVICE_CATEGORIES)}
_UNBALANCED_MIN_SENTENCES = 3
_HAN = re.compile(r"[\u4e00-\u9fff]")
_I = re.IGNORECASE


@dataclass(frozen=True)
class Cue:
    """One rule's pattern firing inside a sentence (offsets relative to the sentence).

    A combination cue first stands for its anchor with the ``pending`` parts still to be
    found in the sentence; once complete, ``spans`` holds where each of its parts is.
    """

    rule: AdviceRule
    role: str  # claim | imperative | rhetorical | score
    start: int
    end: int
    text: str
    pending: tuple[tuple[re.Pattern[str], bool], ...] = ()
    spans: tuple[tuple[int, int], ...] = ()
    label: str = ""
    evidence: tuple[Evidence, ...] = ()
    category: str = ""  # a learned model's category; else the rule's

    @property
    def advice_category(self) -> str:
        """The taxonomy category this cue stands for."""
        return self.category or self.rule.advice_category

    def shifted(self, by: int) -> Cue:
        """The same cue with offsets moved back by ``by`` (line -> sentence)."""
        return replace(
            self,
            start=self.start - by,
            end=self.end - by,
            spans=tuple((s - by, e - by) for s, e in self.spans),
        )


@dataclass
class Reading:
    """How a reviewer reads one sentence: whose cues are whose, and why."""

    own: list[Cue] = field(default_factory=list)
    reported: list[Cue] = field(default_factory=list)
    speaker: str | None = None
    notes: list[Signal] = field(default_factory=list)


@dataclass(frozen=True)
class Frame:
    """A stretch of the sentence that reports someone else: a speaker frame or a quotation."""

    start: int
    end: int
    speaker: str
    kind: str  # reported | quoted | promotion (R9)


# --------------------------------------------------------------------------------------
# English voice grammar
# --------------------------------------------------------------------------------------

_EN_NOT_NAME = (
    r"(?!(?-i:We|I|You|Our|My|Your|It|Its|This|That|These|Those|There|Here|The|A|An|If|So|"
    r"Gonna|Wanna|Gotta|Lemme|Imma|Let|Time|Honestly|Seriously|Look|Listen|Trust|"
    r"And|But|Now|Why|What|How|When|Just|Do|Don|Never|Let|Buy|Sell|Hold|Get|Grab|Load|Stack|"
    r"Forget|Ignore|Trust|Even|Only|Still|Honestly|Everyone|Anyone|Nobody|Smart|Whales)\b)"
)
_EN_NAME = (
    _EN_NOT_NAME
    + r"(?-i:[A-Z][\w&'’.-]*(?:\s+(?:(?:of|at|for|de|van|von|der|da|al|and|&|the)\s+)?[A-Z][\w&'’.-]*){0,4})"
)
_EN_ROLE = (
    r"(?:analysts?|strategists?|economists?|traders?|investors?|executives?|officials?|"
    r"researchers?|experts?|critics?|observers?|commentators?|bulls|bears|skeptics|sceptics|"
    r"proponents|advocates|insiders|sources|people\s+familiar\s+with\s+the\s+matter|"
    r"(?:fund|portfolio|asset|money|investment)\s+managers?|managers?|chief\s+executive|"
    r"ceo|cfo|cio|cto|founder|co-founder|chairman|chairwoman|chair|president|governor|"
    r"spokes(?:person|man|woman)|head\s+of\s+[\w-]+(?:\s+[\w-]+){0,3}?|director|partners?|"
    r"lawmakers?|senators?|regulators?|watchdog|authorities|agency|company|bank|firm|fund|"
    r"exchange|issuer|platform|project|team|protocol|foundation|government|ministry|court|"
    r"judge|commission|report|study|survey|note|filing|statement|poll|paper|research|"
    r"analysis|model|attestation|letter|memo|ad|advert|campaign|marketing|whitepaper|"
    r"prospectus|he|she|they|some|others|many|most|several|few|both)"
)
_EN_VERB = (
    r"(?:said|says|say|told|tells|tell|wrote|writes|write|noted|notes|added|adds|argued|argues|"
    r"argue|warned|warns|warn|cautioned|cautions|caution|predicted|predicts|predict|forecast|"
    r"forecasts|expects|expected|expect|believes|believed|believe|thinks|thought|think|"
    r"reckons?|reckoned|estimated|estimates|estimate|projected|projects|recommended|"
    r"recommends|recommend|advised|advises|urged|urges|urge|suggested|suggests|suggest|"
    r"claimed|claims|claim|stated|states|posted|tweeted|reiterated|maintained|maintains|"
    r"upgraded|downgraded|initiated|rates|rated|rate|gives|gave|assigned|assigns|called|calls|"
    r"described|describes|describe|reported|reports|announced|announces|insisted|insists|"
    r"contended|contends|asserted|asserts|explained|explains|remarked|commented|observed|"
    r"pointed\s+out|emphasi[sz]ed|stressed|acknowledged|conceded|admitted|disclosed|revealed|"
    r"confirmed|indicated|signall?ed|hinted|speculated|boasted|touted|pitched|promised|"
    r"advertised|joked|quipped|mused|asked|wondered|posting|sharing|tweeting|writing|"
    r"arguing|predicting|warning|saying|telling|raised|lowered|cut|lifted|trimmed)"
)
_EN_ADVERBS = (
    r"(?:(?:has|have|had|also|repeatedly|previously|recently|reportedly|publicly|separately|"
    r"then|now|still|once|even|both|all|long|openly|privately|earlier|later|on\s+\w+day|"
    r"this\s+(?:week|month|year)|last\s+(?:week|month|year)|in\s+a\s+[\w-]+(?:\s+[\w-]+)?)\s+){0,3}"
)
# A named subject ("Standard Chartered", "JPMorgan's Jamie Dimon", "Tom Lee, a strategist at
# X,"), and a role phrase ("analysts at X", "the company's chief executive", "some traders").
_EN_NAMED = _EN_NAME + r"(?:\s*,\s*(?:a|an|the)\s[^,]{3,60},)?(?:\s+" + _EN_ROLE + r")?"
_EN_ROLE_PHRASE = (
    r"(?:(?:the|a|an|some|many|most|several|other|its|their|his|her|one|two|three|\d+|"
    + _EN_NAME
    + r")\s+)?(?:[\w-]+\s+){0,2}?"
    + _EN_ROLE
    + r"(?:\s+(?:at|from|of|with|on|for|polled\s+by|surveyed\s+by|led\s+by)\s+(?:"
    + _EN_NAME
    + r"|(?:the|a|an|one)\s+[\w-]+(?:\s+[\w-]+)?))?"
)
# "sees", "views", "sets", "puts", "found" report a view only after a role ("analysts see"), not after
# any capitalised word ("XRP sees double digits" is the publisher's own forecast).
_EN_ROLE_VERB = (
    r"(?:" + _EN_VERB + r"|sees|see|saw|view|views|viewed|set|put|puts|found|find|finds)"
)
_EN_FRAME = re.compile(
    r"\baccording\s+to\s+(?P<a>[^,.;:!?]{2,60})"
    r"|\b(?:per|citing)\s+(?P<b>" + _EN_NAME + r")"
    r"|(?:[,”\"’']\s*)(?:said|says|wrote|writes|noted|added|argued|warned|predicts|predicted|"
    r"told|tweeted|posted)\s+(?P<c>"
    + _EN_NAME
    + r"|(?:the|an?|one|its)\s+[\w-]+(?:\s+[\w-]+){0,2})"
    r"|\b(?P<d>" + _EN_NAMED + r")\s+" + _EN_ADVERBS + _EN_VERB + r"\b"
    r"|\b(?P<e2>" + _EN_ROLE_PHRASE + r")\s+" + _EN_ADVERBS + _EN_ROLE_VERB + r"\b"
    r"|\b(?P<e>(?:[\w-]+\s+){0,3}?(?:data|figures|statistics|filings?|records|surveys?|polls?|"
    r"stud(?:y|ies)|reports?|research|analysis|estimates|charts?|models?))\s+(?:from\s+"
    + _EN_NAME
    + r"\s+)?(?:show(?:s|ed|n)?|suggest(?:s|ed)?|indicate[sd]?|found|finds?|reveal(?:s|ed)?|"
    r"point(?:s|ed)?\s+to|implies|implied)\b"
    r"|\b(?P<f>in\s+a\s+(?:research\s+)?(?:note|report|statement|post|letter|interview|memo|"
    r"filing|tweet|blog\s+post|video|podcast|presentation)|in\s+an\s+interview|"
    r"told\s+(?:reporters|clients|investors|" + _EN_NAME + r"))\b"
    r"|\b(?P<h>"
    + _EN_NAME
    + r")\b[^.;:!?]{0,100}?\bby\s+(?:posting|sharing|tweeting|writing|saying|"
    r"arguing|predicting|warning|claiming|publishing|pointing\s+to)\b"
    r"|\b(?P<g>(?:options|futures|prediction|derivatives|betting)\s+markets?|polymarket|kalshi|"
    r"(?:the\s+)?consensus|odds)\b",
    _I,
)
# Reporting on someone else's promotion or on enforcement (R9).
_EN_PROMOTION = re.compile(
    r"\b(?:promised|promising|advertised|advertising|claimed|claiming|touted|touting|marketed|"
    r"pitched|pitching|lured|luring|boasted|billed\s+as|dubbed|so-called|purported(?:ly)?|"
    r"alleged(?:ly)?|scams?|scammers?|fraud(?:s|ulent|sters?)?|ponzi|pyramid|schemes?|"
    r"victims?|charged|indicted|sued|fined|banned|bans|prohibit(?:s|ed)?|barred|outlawed|"
    r"crack(?:ed|ing)?\s+down|crackdown|warned|warning\s+(?:about|against|that|of)|warns|"
    r"cautioned|alerted|(?:that|which|who)\s+(?:claim|promise|advertise|offer|tout|pitch|"
    r"guarantee)(?:s|d)?|watchdogs?|regulators?|prosecutors|police|investigators|authorities|"
    r"complaints?|ruled|ruling|upheld|the\s+(?:sec|fca|cftc|asa|esma|mas|sfc|asic|finra|ftc|"
    r"doj|fbi)|red\s+flags?|warning\s+signs?|hallmarks?|tell-?tale|watch\s+out\s+for|beware|"
    r"(?:phrases?|words?|wording|claims?|slogans?|promises?|lines?|pitches?|messages?|language|"
    r"terms?|headlines?|posts?|ads?|adverts?)\s+(?:like|such\s+as))\b",
    _I,
)
_EN_QUOTES = re.compile(
    r"“[^”\n]{1,600}”|\"[^\"\n]{1,600}\"|‘[^’\n]{2,300}’(?!\w)"
    r"|(?<![\w'])'(?=\S)(?:[^'\n]|(?<=\w)'(?=\w)){2,300}?(?<=\S)'(?!\w)"
)
_EN_NEGATION = re.compile(
    r"(?:\b(?:not|never|no|nor|neither|nobody|no\s+one|without|hardly|barely|cannot|avoid(?:ing)?|against|"
    r"rather\s+than|instead\s+of|unlikely|doubt(?:s|ful)?|fails?\s+to|failed\s+to|refrain\s+from|"
    r"beware\s+of|wary\s+of|steer\s+clear\s+of|nothing|none)\b|n['’]t\b)"
    r"(?![\s-]+(?:only|just|doubt|wonder|brainer|matter|later|less))",
    _I,
)
_EN_ADOPTION = re.compile(
    r"\b(?:they|he|she|analysts?|the\s+bulls?|(?-i:[A-Z]\w+))\s*(?:['’]re|['’]s|are|is|were|was)"
    r"\s+(?:absolutely\s+|dead\s+|100%\s+|completely\s+|quite\s+|totally\s+|so\s+)?right\b"
    r"|\b(?:we|i)\s+(?:fully\s+|completely\s+|wholeheartedly\s+|totally\s+|strongly\s+)?(?:agree|concur)\b"
    r"|\b(?:we|i)\s+(?:couldn['’]t|could\s+not)\s+agree\s+more\b"
    r"|\b(?:we|i)\s+(?:share|echo|endorse|back|second)\s+(?:that|this|the|their|his|her)\b"
    r"|\bas\s+(?:we|i)\s+(?:have\s+)?(?:said|argued|predicted|called|noted|flagged)\b"
    r"|\b(?:rightly|correctly)\s+(?:so|says?|said|notes?|noted|points?\s+out|predicts?)\b",
    _I,
)
# A clause break after which the publisher may speak again (weak: comma + and/but/so).
_EN_BREAK = re.compile(r",\s*(?:and\s+|but\s+)?so\b|;|:\s|\s[—–-]\s|,\s+(?:and|but)\s+|\.\.\.\s*")
_EN_OWN_START = re.compile(
    r"\s*(?:so\s+|and\s+|but\s+|just\s+|now\s+)?(?:we|i|you|your|our|my|let['’]?s|don['’]t|do\s+not|"
    r"never|get|grab|buy|sell|load|stack|go|move|act|hurry|jump)\b",
    _I,
)
_EN_STRONG_BREAK = re.compile(r";|:\s|\s[—–]\s|,\s*(?:and|but|so)\b|[.!?]\s")

# --------------------------------------------------------------------------------------
# Chinese voice grammar
# --------------------------------------------------------------------------------------

_ZH_OWN = r"(?:我|我们|笔者|本文|小编|作者|本人|咱们|你|你们|大家|本周|今日|今天|现在|目前)"
_ZH_ROLE = (
    r"(?:分析师|研究员|策略师|经济学家|机构|券商|银行|基金|公司|交易所|平台|专家|人士|报告|研报|"
    r"团队|高管|创始人|联合创始人|CEO|首席执行官|首席\w{0,4}|负责人|官员|部门|监管|当局|协会|"
    r"证监会|央行|美联储|媒体|经理|主席|董事长|总裁|行长|总监|投行|大行|研究院|研究所|智库|"
    r"调查|数据|统计|报道|消息|人员|发言人|官方|项目方|警方|法院)"
)
_ZH_VERB = (
    r"(?:表示|称|声称|宣称|指出|认为|预计|预测|预期|估计|分析称|分析认为|分析指出|透露|坦言|"
    r"强调|写道|发文称|发文表示|发文|发帖称|发帖|警告|提醒|提示|说道|说|直言|解释|补充|回应|"
    r"证实|确认|披露|援引|引述|测算|判断|研判|通报|报道|显示|看好|看空|唱多|唱空|喊话)"
)
_ZH_FRAME = re.compile(
    r"据(?P<a>[^，。；：！？“”]{1,25}?)(?:表示|称|报道|消息|透露|介绍|预测|预计|指出|数据|"
    r"统计|调查|显示|了解|获悉|测算|估计|援引|分析)"
    r"|(?:^|(?<=[，。；：！？\s”」』]))(?!"
    + _ZH_OWN
    + r")(?P<b>[^，。；：！？“”\s]{2,25}?)"
    + _ZH_VERB
    + r"|(?P<c>[^，。；：！？“”]{0,20}?"
    + _ZH_ROLE
    + r")(?:[^，。；：！？“”]{0,12}?)(?:建议|推荐|给予|维持|上调|下调|重申|预计|认为)"
)
_ZH_PROMOTION = re.compile(
    r"承诺|宣称|声称|号称|鼓吹|宣传|打着|为名|幌子|诱饵|诱导|所谓|骗局|诈骗|骗子|非法|涉嫌|警方|"
    r"公安|通报|受害|被骗|监管|证监会|处罚|罚款|罚单|被罚|查处|立案|叫停|整治|禁止|严禁|不得|"
    r"警示|谨防|警惕|揭露|曝光|投诉|维权|起诉|判决|违规|违法|整改|约谈|口号|喊出|高呼|刷屏|调侃"
)
_ZH_QUOTES = re.compile(
    r"“[^”\n]{1,600}”|「[^」\n]{1,600}」|『[^』\n]{1,600}』|\"[^\"\n]{1,600}\"|‘[^’\n]{1,300}’"
)
_ZH_NEGATION = re.compile(
    r"(?:不(?![少断仅妨错停管论久到止亚是但过然单同如低])|没(?!错)|没有|并非|并不|非(?!常)|"
    r"未(?!来)|别(?!人|的)|勿|切勿|不要|不得|禁止|严禁|无(?![论疑脑])|难以|谨防|警惕|远离|"
    r"拒绝|杜绝|防范|不会|不能|不可能|并未|莫)"
)
_ZH_ADOPTION = re.compile(
    r"说得(?:很|太|非常)?(?:对|没错|在理)|(?:我们|笔者|我|小编)(?:也|都)?(?:十分|完全|非常)?"
    r"(?:认同|同意|赞同|支持)|确实如此|没错[，,]"
)
_ZH_BREAK = re.compile(r"[，,；;：:]\s*(?=(?:所以|因此|那就|听我的|我们|笔者|小编|赶紧|快)\S)")
_ZH_STRONG_BREAK = re.compile(r"[；;。！？]")
_ZH_RHETORICAL_Q = re.compile(r"[？?]\s*[”’」』）)]*\s*$|[吗呢么嘛][。！!]?\s*$")

_RISK_WORDING = {
    "en": re.compile(
        r"\brisk|\bvolatil|\bspeculative\b|\blos(?:e|ing|s|ses)\b|\bcan\s+(?:go|fall)\s+down|"
        r"\bnot\s+(?:be\s+)?(?:financial|investment)\s+advice|\bnot\s+(?:a\s+)?(?:recommendation|"
        r"guarantee)|\bdo\s+your\s+own\s+research|\bdyor\b|\bnfa\b|\bpast\s+performance|"
        r"\bnot\s+guaranteed|\bcould\s+(?:fall|drop|decline)|\bcaution",
        _I,
    ),
    "zh": re.compile(
        r"风险|波动|亏损|损失|谨慎|不构成.{0,8}建议|仅供参考|不作为.{0,6}依据|过往(?:业绩|表现)|"
        r"入市需|理性投资"
    ),
}


@dataclass(frozen=True)
class _Grammar:
    """Voice grammar of one language: frames, quotations, negation, adoption, breaks."""

    frame: re.Pattern[str]
    promotion: re.Pattern[str]
    quotes: re.Pattern[str]
    negation: re.Pattern[str]
    adoption: re.Pattern[str]
    own_break: re.Pattern[str]
    own_start: re.Pattern[str] | None
    strong_break: re.Pattern[str]
    clause_marks: str
    window: int


_GRAMMAR = {
    "en": _Grammar(
        _EN_FRAME,
        _EN_PROMOTION,
        _EN_QUOTES,
        _EN_NEGATION,
        _EN_ADOPTION,
        _EN_BREAK,
        _EN_OWN_START,
        _EN_STRONG_BREAK,
        ",;:—–()",
        32,
    ),
    "zh": _Grammar(
        _ZH_FRAME,
        _ZH_PROMOTION,
        _ZH_QUOTES,
        _ZH_NEGATION,
        _ZH_ADOPTION,
        _ZH_BREAK,
        None,
        _ZH_STRONG_BREAK,
        "，,；;：:（(",
        10,
    ),
}


def _grammar(language: str, sentence: str) -> _Grammar:
    if language == "zh" or (language not in _GRAMMAR and _HAN.search(sentence)):
        return _GRAMMAR["zh"]
    return _GRAMMAR["en"]


def _is_question(sentence: str) -> bool:
    tail = sentence.rstrip(" \t\"'”’」』)）*_~!！。.")
    if tail.endswith(("?", "？")):
        return True
    return bool(_ZH_RHETORICAL_Q.search(sentence)) and bool(_HAN.search(sentence[-3:]))


def _clean_speaker(name: str) -> str:
    name = re.sub(r"^(?:据|per\s+|according\s+to\s+)", "", name.strip(" ,，:：\"'“”‘’"), flags=_I)
    name = re.sub(r"(?:在[^，。]{1,12}上|在[^，。]{1,12}中)$", "", name)
    return name[:60] or "a reported source"


def _frames(sentence: str, g: _Grammar) -> list[Frame]:
    """Quotations, reported-speech frames and reports of promotion in one sentence."""
    out: list[Frame] = []
    for m in g.frame.finditer(sentence):
        if not _speaks(m, g):
            continue
        who = next((x for x in m.groups() if x), m.group())
        out.append(Frame(m.start(), m.end(), _clean_speaker(who), "reported"))
    for m in g.promotion.finditer(sentence):
        out.append(Frame(m.start(), m.end(), f"reported wording ({m.group()})", "promotion"))
    return out


def _speaks(frame: re.Match[str], g: _Grammar) -> bool:
    """Whether a Chinese frame really reports a speaker.

    "只是没说出来" and "别被那些唱空的吓到" negate or forbid the speech, and in
    "十倍是保守估计" the verb is a noun after a copula: none of them reports anyone.
    """
    if g is not _GRAMMAR["zh"]:
        return True
    if g.negation.search(frame.group()):
        return False
    who = next((x for x in frame.groups() if x), "")
    return "是" not in who[-3:]


_OPENERS_OF = {"”": "“", "」": "「", "』": "『", '"': '"'}


def _quotations(sentence: str, g: _Grammar) -> list[tuple[int, int]]:
    """Quoted passages in the sentence, including one a multi-sentence quotation runs into.

    A quotation of several sentences is split by the segmenter: its first sentence opens a
    quote it never closes, its last closes one it never opened, and the ones between may
    hold no mark at all (those are read as the publisher's, the cautious side).
    """
    spans = [(m.start(), m.end()) for m in g.quotes.finditer(sentence)]
    body = sentence.strip()
    if not body or spans:
        return spans
    lead = len(sentence) - len(sentence.lstrip())
    first, last = body[0], body.rstrip(".!?。！？ ")[-1:]
    if first in _OPENERS_OF.values() and sentence.count(first) == 1:
        return [(lead, len(sentence))]  # opens a quotation that goes on past the sentence
    if last in _OPENERS_OF and sentence.count(_OPENERS_OF[last]) <= (1 if last == '"' else 0):
        return [(0, sentence.rindex(last) + 1)]  # closes one opened in an earlier sentence
    return spans


def _by_sentence(
    line: Sentence, cues: list[Cue], language: str, sentences: list[Sentence] | None = None
) -> Iterator[tuple[Sentence, list[Cue]]]:
    """Split a line's cues over its sentences; a cue that runs across two is dropped."""
    per: dict[Sentence, list[Cue]] = {}
    if sentences is None:
        sentences = list(split_sentences(line.text, base=line.start))
    for cue in cues:
        at = line.start + cue.start
        for sent in sentences:
            if sent.start <= at < sent.end:
                if line.start + cue.end <= sent.end:
                    shift = sent.start - line.start
                    per.setdefault(sent, []).append(cue.shifted(shift))
                break
    for sent in sentences:
        if sent in per:
            cues = complete_combinations(sent.text, per[sent], language)
            if cues:
                yield sent, cues


_SENTENCE_REACH = 300


def _parts_near(text: str, cue: Cue, start: int, end: int) -> bool:
    """Whether every pending part of a combination occurs near its anchor on the line.

    A cheap test before the line is split: a sentence rarely runs past 300 characters
    either side of one of its words, and the exact test is made on the sentence.
    """
    lo = max(start, start + cue.start - _SENTENCE_REACH)
    hi = min(end, start + cue.end + _SENTENCE_REACH)
    return all(part.search(text, lo, hi) for part, _ in cue.pending)


def complete_combinations(sentence: str, cues: list[Cue], language: str) -> list[Cue]:
    """Keep a combination cue only if its other parts are in the sentence too.

    Each part takes its first match in the sentence that does not overlap a part already
    taken (and opens a clause if the part asks for it); the completed cue spans them all.
    """
    out = []
    blocked_by: dict[str, list[tuple[int, int]]] = {}
    for cue in cues:
        if not cue.pending:
            out.append(cue)
            continue
        taken = [(cue.start, cue.end)]
        blocked = blocked_by.get(cue.rule.id)
        if blocked is None:
            blocked = blocked_by[cue.rule.id] = _exception_spans(cue.rule, sentence)
        if any(bs < cue.end and cue.start < be for bs, be in blocked):
            continue
        for part, anchored in cue.pending:
            found = None
            for m in part.finditer(sentence):
                s, e = m.start(), m.end()
                while s < e and sentence[s].isspace():
                    s += 1
                if s == e or any(ts < e and s < te for ts, te in taken + blocked):
                    continue
                if anchored and not opens_clause(sentence, s, language):
                    continue
                found = (s, e)
                break
            if found is None:
                break
            taken.append(found)
        else:
            spans = tuple(sorted(taken))
            out.append(
                Cue(
                    cue.rule,
                    cue.role,
                    spans[0][0],
                    max(e for _, e in spans),
                    " … ".join(sentence[s:e] for s, e in spans),
                    (),
                    spans,
                    cue.label,
                )
            )
    return out


def _exception_spans(rule: AdviceRule, sentence: str) -> list[tuple[int, int]]:
    exc = rule.compiled_exceptions
    return [(m.start(), m.end()) for m in exc.finditer(sentence)] if exc else []


_SCORE_WINDOW = {False: 60, True: 10}  # characters a negation reaches back (en, zh)
_ZH_ENDS = "。！？!?；"


def _stretch(text: str, pos: int, start: int, end: int) -> tuple[int, int]:
    """The stretch of ``text[start:end]`` between the sentence ends around ``pos`` (CJK)."""
    lo = max(text.rfind(ch, start, pos) for ch in _ZH_ENDS) + 1
    lo = max(lo, start)
    his = [i for i in (text.find(ch, pos, end) for ch in _ZH_ENDS) if i >= 0]
    return lo, (min(his) + 1 if his else end)


# Where the publisher takes the word back after a report or a story: "..., so I'm in and
# you should be too", "...; buy now". The clause after it is scored on its own.
_OWN_TAIL = {
    "en": re.compile(
        r"[,;:\u2014\u2013]\s*(?:and\s+)?(?:so|which\s+is\s+why|that['’]s\s+why|therefore)\s+|;\s+"
    ),
    "zh": re.compile(r"[，,；;：:](?:所以|因此|那么|你也|大家也)"),
}


_OWN_PROMISE = {
    "en": re.compile(r"\b(?:we|i)\s+(?:\w+\s+)?$", re.IGNORECASE),
    "zh": re.compile(r"(?:我们|我|本平台|本公司|本人|本群|咱们)[^，。；,;]{0,3}$"),
}


# A promise in a sentence where the publisher speaks ("这款产品承诺年化10%，亏损由我们兜底")
# is the publisher's own; enforcement words ("警方", "fined") always report.
_FIRST_PERSON = {
    "en": re.compile(r"\b(?:we|our|us)\b", re.IGNORECASE),
    "zh": re.compile(r"我们|本平台|本公司|咱们"),
}
_PROMISSORY = {
    "en": re.compile(r"promis\w*|advertis\w*", re.IGNORECASE),
    "zh": re.compile(r"承诺|号称|宣传"),
}


def _reports(g: _Grammar, sentence: str, language: str) -> bool:
    """Whether the sentence reports someone else's words or promotion (R1, R9).

    A frame that does not report a speaker (see ``_speaks``) is none, nor a promise the
    publisher makes itself ("本平台承诺", "we promise", a promise next to "我们"/"our").
    """
    if g.quotes.search(sentence) or any(_speaks(m, g) for m in g.frame.finditer(sentence)):
        return True
    key = "zh" if language == "zh" else "en"
    own = _OWN_PROMISE[key]
    ours = _FIRST_PERSON[key].search(sentence) is not None
    return any(
        not own.search(sentence, 0, m.start())
        and not (ours and _PROMISSORY[key].fullmatch(m.group()))
        for m in g.promotion.finditer(sentence)
    )


def _score_cue(scorer: Scorer, sentence: str, shift: int = 0) -> Cue | None:
    """A cue for a sentence whose signals reach the score's threshold, else None.

    A sentence that reports someone else can still end in the publisher's own call
    ("..., so join now"): when the whole does not score, the clause after such a turn
    is scored alone.
    """
    if _is_question(sentence):
        return None
    cue = _score_part(scorer, sentence, shift)
    if cue is not None:
        return cue
    tail = _OWN_TAIL["zh" if scorer.language == "zh" else "en"].search(sentence)
    if tail is None or len(sentence) - tail.end() < 8:
        return None
    return _score_part(scorer, sentence[tail.end() :], shift + tail.end())


def _score_part(scorer: Scorer, sentence: str, shift: int) -> Cue | None:
    total, evidence = scorer.score(sentence)
    if total < scorer.threshold:
        return None
    g = _grammar(scorer.language, sentence)
    if _reports(g, sentence, scorer.language):
        return None  # someone else speaks here: the cue rules read who (R1, R9)
    positive = [x for x in evidence if x.weight > 0]
    start = min(x.start for x in positive)
    end = max(x.start + len(x.text) for x in positive)
    return Cue(
        scorer.rule,
        "score",
        start + shift,
        end + shift,
        ", ".join(x.text for x in positive[:3]),
        label=f"score {total} >= {scorer.threshold}",
        evidence=tuple(evidence),
    )


def _model_cue(model: AdviceModel, language: str, sentence: str, shift: int = 0) -> Cue | None:
    """A cue for a sentence the learned model reads as advice, else None.

    Only a sentence about an asset or a trade is read, never a question, a quotation or
    reported speech (those are the cue rules' to judge, with the speaker).
    """
    if len(sentence.strip()) < 12 or _is_question(sentence):
        return None
    if not model.about_topic(sentence):
        return None
    verdict = model.read(sentence)
    if verdict.probability < model.threshold:
        return None
    if _reports(_grammar(language, sentence), sentence, language):
        return None
    lead = len(sentence) - len(sentence.lstrip())
    return Cue(
        model.rule,
        "score",
        lead + shift,
        len(sentence.rstrip()) + shift,
        ", ".join(f for f, _ in verdict.top[:3]) or sentence.strip()[:80],
        label=f"p={verdict.probability:.2f} >= {model.threshold}",
        evidence=tuple(Evidence(f"learned '{f}' ({w:+.2f})", 0, f, 0) for f, w in verdict.top),
        category=verdict.category,
    )


class FlagAdvice:
    """Check stage: advice-like wording, speaker-aware."""

    name = "flag_advice"

    def __init__(self, rules: RuleSet) -> None:
        self.ruleset = rules
        self.rules: list[AdviceRule] = rules.of_kind("advice")
        by_language: dict[str, list[AdviceRule]] = {}
        for rule in self.rules:
            for lang in rule.languages:
                by_language.setdefault(lang, []).append(rule)
        self._scorers: dict[str, list[Scorer]] = {}
        for lang, rs in by_language.items():
            g = _GRAMMAR["zh" if lang == "zh" else "en"]
            for rule in rs:
                if rule.score is not None:
                    self._scorers.setdefault(lang, []).append(
                        Scorer(
                            rule,
                            lang,
                            g.negation,
                            g.clause_marks,
                            _SCORE_WINDOW[g is _GRAMMAR["zh"]],
                        )
                    )
        self._index = {
            lang: LanguageIndex(
                rs, lang, frozenset().union(*(sc.literals for sc in self._scorers.get(lang, ())))
            )
            for lang, rs in by_language.items()
        }
        self._marks: dict[tuple[str, str], bool] = {}
        # learned-wording rules (read after the cue and score rules, see ``_model_cue``)
        self._models: dict[str, list[AdviceModel]] = {}
        for lang, rs in by_language.items():
            for rule in rs:
                if rule.model is not None:
                    self._models.setdefault(lang, []).append(AdviceModel(rule))
        self._document_rules: dict[str, DocumentRule] = {}
        for rule in rules.of_kind("document"):
            if rule.check == "advice_no_risk_wording":
                for lang in rule.languages:
                    self._document_rules.setdefault(lang, rule)

    # -- cues ----------------------------------------------------------------------------

    def _index_for(self, language: str) -> LanguageIndex | None:
        return self._index.get(language) or self._index.get("*")

    def _cues_in(
        self,
        text: str,
        sentence: Sentence,
        plan: dict[int, list[int] | None],
        index: LanguageIndex,
        language: str,
        only: set[str] | None = None,
    ) -> list[Cue]:
        """Run the planned patterns on one sentence; offsets relative to the sentence."""
        out: list[Cue] = []
        blocked: dict[str, list[tuple[int, int]]] = {}
        for i in sorted(plan):
            cuer = index.cuers[i]
            rule = cuer.rule
            if only is not None and rule.id not in only:
                continue
            positions = plan[i]
            if positions is None:
                matches: Iterable[re.Match[str]] = cuer.pattern.finditer(
                    text, sentence.start, sentence.end
                )
            else:
                found = []
                reach = -1
                for pos in sorted(set(positions)):
                    if pos < reach:
                        continue
                    m = cuer.pattern.match(text, pos, sentence.end)
                    if m is not None and (
                        not cuer.clause_start
                        or opens_clause(sentence.text, m.start() - sentence.start, language)
                    ):
                        found.append(m)
                        reach = m.end()
                matches = found
            for m in matches:
                s, e = m.start(), m.end()
                while s < e and text[s].isspace():
                    s += 1
                if s == e:
                    continue
                rel = s - sentence.start
                if (
                    positions is None
                    and cuer.clause_start
                    and not opens_clause(sentence.text, rel, language)
                ):
                    continue
                if not cuer.others and rule.id not in blocked:
                    exc = rule.compiled_exceptions
                    blocked[rule.id] = (
                        [
                            (x.start(), x.end())
                            for x in exc.finditer(text, sentence.start, sentence.end)
                        ]
                        if exc
                        else []
                    )
                if not cuer.others and any(bs < e and s < be for bs, be in blocked[rule.id]):
                    continue  # (a combination's parts are checked when it is completed)
                out.append(
                    Cue(
                        rule,
                        cuer.role,
                        rel,
                        e - sentence.start,
                        text[s:e],
                        cuer.others,
                        (),
                        cuer.label,
                    )
                )
        return out

    def _sentences_with_cues(
        self, text: str, index: LanguageIndex, language: str
    ) -> Iterator[tuple[Sentence, list[Cue]]]:
        """Sentences that hold cues, with their cues (offsets relative to the sentence).

        Patterns run per line (a sentence never crosses a line break); only a line where a
        cue matched is split into sentences, so most of an article is never segmented.
        """
        lowered = flatten(text) if index.spaced else lower_same_length(text)
        hits = None if index.spaced else index.hits(lowered)
        hit_pos = [h[0] for h in hits] if hits is not None else []
        scoring = bool(self._scorers.get(language))
        models = self._models.get(language, [])
        start = 0
        size = len(text)
        while start < size:
            end = text.find("\n", start)
            end = size if end < 0 else end
            own = None
            if hits is not None:
                own = hits[bisect.bisect_left(hit_pos, start) : bisect.bisect_left(hit_pos, end)]
            if end - start > 1 and (own is None or own or index.always or scoring or models):
                line = Sentence(start, end, text[start:end])
                words = word_tokens(lowered[start:end]) if index.spaced else None
                plan = index.plan(lowered, start, end, own, line.text, words)
                cues = self._cues_in(text, line, plan, index, language) if plan else []
                # a combination whose parts are not all on the line cannot complete:
                # drop it before the line is split into sentences
                cues = [c for c in cues if not c.pending or _parts_near(text, c, start, end)]
                sentences = None
                # the score's own gate: a line whose words cannot reach the threshold, or
                # (unspaced scripts) with no marker word among the gate's literals
                marks = None
                if own is not None and scoring:
                    marks = [p for p, longest in own if self._marked(index, longest)]
                scorers = [
                    sc
                    for sc in self._scorers.get(language, ())
                    if (sc.could_reach(text, start, end, words=words) if marks is None else marks)
                ]
                if scorers and marks is not None:
                    # unspaced scripts: score the stretch between sentence ends around each
                    # marker word, without segmenting the whole paragraph
                    done: set[int] = set()
                    for p in marks:
                        lo, hi = _stretch(text, p, start, end)
                        if lo in done:
                            continue
                        done.add(lo)
                        for sc in scorers:
                            cue = _score_cue(sc, text[lo:hi], lo - start)
                            if cue is not None:
                                cues.append(cue)
                elif scorers:
                    sentences = list(split_sentences(line.text, base=start))
                    several = len(sentences) > 1
                    for sent in sentences:
                        # the gate again, per sentence: a paragraph may reach the threshold
                        # only by adding up signals from different sentences
                        sent_words = (
                            word_tokens(lowered[sent.start : sent.end]) if several else words
                        )
                        for sc in scorers:
                            if several and not sc.could_reach(
                                text, sent.start, sent.end, words=sent_words
                            ):
                                continue
                            cue = _score_cue(sc, sent.text, sent.start - start)
                            if cue is not None:
                                cues.append(cue)
                if (
                    models
                    and (marks is None or marks)
                    and any(m.about_topic(line.text) for m in models)
                ):
                    # the learned wording, for the sentences about an asset or a trade that
                    # no cue or score has claimed
                    if sentences is None:
                        sentences = list(split_sentences(line.text, base=start))
                    taken = {line.start + c.start for c in cues}
                    for sent in sentences:
                        if any(sent.start <= t < sent.end for t in taken):
                            continue
                        if marks is not None and not any(sent.start <= p < sent.end for p in marks):
                            continue  # unspaced scripts: as for the score, a marker word first
                        for model in models:
                            cue = _model_cue(model, language, sent.text, sent.start - start)
                            if cue is not None:
                                cues.append(cue)
                if cues:
                    yield from _by_sentence(line, cues, language, sentences)
            start = end + 1

    def _marked(self, index: LanguageIndex, longest: str) -> bool:
        """Whether a gate literal (or a literal it begins with) marks promotion for a score."""
        key = (index.language, longest)
        got = self._marks.get(key)
        if got is None:
            lits = set(index._literals_at(longest))
            got = self._marks[key] = any(
                sc.marked(lits) for sc in self._scorers.get(index.language, ())
            )
        return got

    def cues(
        self, sentence: str, language: str, rules: list[AdviceRule] | None = None
    ) -> list[Cue]:
        """Cues of every applicable rule in one sentence, before voice and form are read."""
        index = self._index_for(language)
        if index is None:
            return []
        only = {r.id for r in rules} if rules is not None else None
        whole = Sentence(0, len(sentence), sentence)
        lowered = flatten(sentence) if index.spaced else lower_same_length(sentence)
        plan = index.plan(lowered, 0, len(sentence), None, sentence)
        found = self._cues_in(sentence, whole, plan, index, language, only)
        for sc in self._scorers.get(language, ()):
            if only is None or sc.rule.id in only:
                cue = _score_cue(sc, sentence)
                if cue is not None:
                    found.append(cue)
        for model in self._models.get(language, ()):
            if (only is None or model.rule.id in only) and not found:
                cue = _model_cue(model, language, sentence)
                if cue is not None:
                    found.append(cue)
        return complete_combinations(sentence, found, language)

    # -- reading one sentence --------------------------------------------------------------

    def read(self, sentence: str, language: str, cues: list[Cue]) -> Reading:
        """Sort a sentence's cues into the publisher's and other people's, with the reasons."""
        reading = Reading()
        if not cues:
            return reading
        g = _grammar(language, sentence)
        question = _is_question(sentence)
        kept: list[Cue] = []
        for cue in cues:
            if cue.role in ("rhetorical", "score"):
                kept.append(cue)  # (a score read negation and questions signal by signal)
                continue
            if question:
                reading.notes.append(Signal(name="question (R5)", text=cue.text))
                continue
            neg = None
            for start, _ in cue.spans or ((cue.start, cue.end),):
                neg = g.negation.search(self._clause_before(sentence, start, g))
                if neg:
                    break
            if neg:
                reading.notes.append(
                    Signal(name="negated (R4)", text=f"{neg.group()} … {cue.text}")
                )
                continue
            kept.append(cue)
        if not kept:
            return reading
        adoption = g.adoption.search(sentence)
        if adoption:
            reading.own = kept
            reading.notes.append(Signal(name="adopted (R1)", text=adoption.group()))
            return reading
        frames = _frames(sentence, g)
        quotes = _quotations(sentence, g)
        for cue in kept:
            who = self._speaker_of(sentence, cue, frames, quotes, g)
            if who is None:
                reading.own.append(cue)
            else:
                reading.reported.append(cue)
                reading.speaker = reading.speaker or who
        if reading.own:
            reading.speaker = None
        return reading

    @staticmethod
    def _clause_before(sentence: str, start: int, g: _Grammar) -> str:
        window = sentence[max(0, start - g.window) : start]
        cut = max(window.rfind(ch) for ch in g.clause_marks)
        return window[cut + 1 :] if cut >= 0 else window

    def _speaker_of(
        self,
        sentence: str,
        cue: Cue,
        frames: list[Frame],
        quotes: list[tuple[int, int]],
        g: _Grammar,
    ) -> str | None:
        """Who speaks the cue: None for the publisher, else the speaker or source."""
        for qs, qe in quotes:
            if qs <= cue.start and cue.end <= qe:
                named = next((f for f in frames if f.end <= qs or f.start >= qe), None)
                # a quotation with a speaker or a report of wording anywhere in the
                # sentence is someone else's; a long one without is a quoted source
                # Chinese news puts quotation marks round a term to mention it ("抄底")
                words = len(sentence[qs:qe].split()) if g is _GRAMMAR["en"] else 4
                if named is not None:
                    return named.speaker
                if words >= 4:
                    return "a quoted source"
        for frame in frames:
            if frame.kind == "promotion" and frame.end > cue.start and g is not _GRAMMAR["zh"]:
                continue  # in English only a report *before* the words makes them someone else's
            if frame.start <= cue.start < frame.end:
                return frame.speaker
            if cue.start >= frame.end:
                if not self._own_clause_between(sentence, frame.end, cue, g):
                    return frame.speaker
            elif frame.kind == "reported" and cue.end <= frame.start:
                # a frame after the cue ("..., analysts said") covers it unless a clause
                # break of the publisher's own comes between
                if not g.strong_break.search(sentence, cue.end, frame.start):
                    return frame.speaker
        return None

    @staticmethod
    def _own_clause_between(sentence: str, after: int, cue: Cue, g: _Grammar) -> bool:
        """Whether the publisher opens a clause of its own between a frame and a cue."""
        for br in g.own_break.finditer(sentence, after, cue.start + 1):
            if br.end() > cue.start + 1:
                break
            if br.group().startswith(":") and br.start() - after <= 2:
                continue  # "X said: buy the dip" introduces the speaker's words
            if cue.role == "imperative" and cue.start - br.end() <= 12:
                return True
            if g.own_start is not None and g.own_start.match(sentence, br.end()):
                return True
            if g.own_start is None:  # Chinese breaks already require an own-voice marker
                return True
        return False

    def judge(
        self, sentence: str, language: str, rules: list[AdviceRule] | None = None
    ) -> tuple[list[Cue], str | None]:
        """Cues in the sentence and who speaks them (None = the publisher).

        Returns the publisher-voice cues with ``None``, or, when every cue belongs to a
        third party, those cues with the speaker; ``([], None)`` when nothing counts.
        """
        reading = self.read(sentence, language, self.cues(sentence, language, rules))
        if reading.own:
            return reading.own, None
        if reading.reported:
            return reading.reported, reading.speaker
        return [], None

    # -- the stage -----------------------------------------------------------------------

    def run(self, ctx: Context) -> None:
        """Judge every sentence that holds a cue, then the article as a whole."""
        language = ctx.language
        text = ctx.text
        if language == "und":  # too short to detect: read by writing system
            language = "zh" if len(_HAN.findall(text)) * 3 > len(text.strip()) else "en"
        index = self._index_for(language)
        if index is None:
            return
        own_sentences: list[Sentence] = []
        for sent, cues in self._sentences_with_cues(text, index, language):
            finding = self._report(ctx, sent, language, cues)
            if finding is not None and finding.speaker is None:
                own_sentences.append(sent)
        self._check_balance(ctx, language, text, own_sentences)

    def _report(
        self, ctx: Context, sentence: Sentence, language: str, cues: list[Cue]
    ) -> Finding | None:
        reading = self.read(sentence.text, language, cues)
        chosen = reading.own or reading.reported
        if not chosen:
            return None
        seen: set[tuple[str, int, int]] = set()
        unique = []
        for c in sorted(chosen, key=lambda c: (_PRECEDENCE[c.advice_category], c.start)):
            # two patterns of one rule may find the same words; overlapping cues count once
            key = (c.rule.id, c.start, c.end)
            if key in seen or any(r == c.rule.id and s <= c.start < e for r, s, e in seen):
                continue
            seen.add(key)
            unique.append(c)
        chosen = unique
        primary = chosen[0]
        category = primary.advice_category
        categories = sorted({c.advice_category for c in chosen}, key=_PRECEDENCE.__getitem__)
        signals = [
            Signal(
                name=f"{c.rule.id}:{c.advice_category}:{c.role}"
                + (f" ({c.label})" if c.label else ""),
                text=c.text,
            )
            for c in chosen
        ]
        for c in chosen:
            signals += [
                Signal(
                    name=f"{c.rule.id}:signal {x.name}" + (f" ({x.weight:+d})" if x.weight else ""),
                    text=x.text,
                )
                for x in c.evidence
            ]
        signals += reading.notes
        basis = "; ".join(primary.rule.citations[:3])
        fired = ", ".join(f"'{c.text}'" for c in chosen)
        if reading.own:
            speaker = None
            severity = None
            explanation = (
                f"Publisher's own voice; category {category} (R10 precedence). Signals: {fired}."
                f" Basis: {basis}."
            )
        else:
            speaker = reading.speaker or "a reported source"
            severity = "info"
            explanation = (
                f"Reported speech attributed to {speaker}; not the publisher's advice (R1, R9)."
                f" Category {category}. Signals: {fired}."
            )
        also = "" if len(categories) == 1 else f" [also: {', '.join(categories[1:])}]"
        return ctx.add(
            primary.rule,
            span=(sentence.start, sentence.end),
            excerpt=sentence.text[:300],
            message=primary.rule.message.replace("{match}", primary.text) + also,
            explanation=explanation,
            signals=signals,
            speaker=speaker,
            severity=severity,
        )

    def _check_balance(self, ctx: Context, language: str, text: str, own: list[Sentence]) -> None:
        """Advice-heavy article with no risk wording outside the advice itself."""
        rule = self._document_rules.get(language)
        if rule is None or len(own) < _UNBALANCED_MIN_SENTENCES:
            return
        risk = _RISK_WORDING.get(language, _RISK_WORDING["en"])
        rest = []
        pos = 0
        for s in own:
            rest.append(text[pos : s.start])
            pos = s.end
        rest.append(text[pos:])
        if risk.search(" ".join(rest)):
            return
        ctx.add(
            rule,
            message=f"{len(own)} sentences of advice-like wording and no risk statement anywhere in the article",
            signals=[Signal(name="own-voice advice sentence", text=s.text[:80]) for s in own[:10]],
        )
