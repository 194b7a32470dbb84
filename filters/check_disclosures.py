"""Disclaimer and attribution: is the approved wording in the clean text, and who is credited.

Disclaimers are matched against the approved registry (``[[disclaimer]]`` in ``rules/``)
word by word, so case, whitespace, line breaks, quotes, punctuation, bullets and markup do
not matter. The full wording is *present*; a partial copy (truncated or reworded) is
*altered*, a finding of its own and never a pass. Generic "not financial advice"
statements are recognised and recorded but do not satisfy the requirement.

Attribution comes from phrasing rules (``kind = "attribution"``, a named group
``source``), the list of known sources and their aliases (``rules/sources.toml``) and
HTML "view original" links. Credits are looked for in the whole document, so one that
only survives in stripped chrome ("Write to X at") still counts; it is cross-checked
against the ``source`` and ``url`` the caller declared.

Speed: the document is scanned once (the chrome stage asks for protected spans first,
the check reuses that scan). Disclaimer matching only starts where distinctive words of
a wording occur, and an attribution rule only runs when one of its trigger words does.
"""

from __future__ import annotations

import bisect
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal, TypeVar
from urllib.parse import urlsplit

from filters.context import Context
from filters.models import (
    AttributionStatus,
    DisclaimerStatus,
    Disclosures,
    Signal,
    SourceCredit,
    Span,
)
from filters.rulepack import (
    AttributionRule,
    DisclaimerEntry,
    GenericDisclaimerRule,
    RuleSet,
    SiteProfile,
    SourceEntry,
    TriggerFields,
)
from filters.textnorm import iter_lines, normalise_plain

Placement = Literal["end", "body", "chrome", "inserted"]
ALTERED_MIN = 0.5  # share of the approved wording that must be there to call a copy "altered"
_MIN_BLOCK_CHARS = 6  # matching runs shorter than this are coincidence, not a copy
_BODY_LINE_MIN_LETTERS = 60  # a line this long after the disclaimer means it sits mid-article
_MAX_ANCHORS = 4
_CACHE_SIZE = 8
_CREDIT_LINE_MAX = 160  # a credit on a line up to this long is a credit line: protected
NON_CREDIT_KINDS = frozenset({"data", "platform"})

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+")
_CJK_RUN = re.compile(rf"[{_CJK}]{{3,}}")
_NAME_TOKEN = re.compile(rf"[{_CJK}\uac00-\ud7af]|[^\W_{_CJK}\uac00-\ud7af]+")
_CJK_CHAR = re.compile(rf"[{_CJK}]")
_MARKUP = re.compile(r"<[^<>\n]{1,300}>|&(?:[a-zA-Z]{2,8}|#\d{1,6}|#x[0-9a-fA-F]{1,6});")
_FOOTER_LINE = re.compile(
    r"©|ⓒ|\(c\)|copyright|all\s+rights|reserves?\s+all|repost|reprint|republish|"
    r"转载|轉載|版权|版權|著作权|著作權|無断|무단|disclaimer|免责|免責|면책|отказ от ответственности",
    re.I,
)
_DOMAIN = re.compile(r"^(?:https?://)?(?:www\.)?[a-z0-9][a-z0-9.-]*\.[a-z]{2,12}(?:/\S*)?$", re.I)
_STRIP_CHARS = " \t\r\n\"'“”‘’«».,:;!?()[]（）【】「」『』《》<>*_|｜-–—·•"
_LEADING_THE = re.compile(r"^(?:the|a|an)\s+", re.I)
_TITLE_TAIL = re.compile(
    r"(?:联合创始人|聯合創始人|创始人|創始人|合伙人|合夥人|首席执行官|首席執行官|首席经济学家|"
    r"首席經濟學家|董事长|董事長|总裁|總裁|主席|教授|研究员|研究員|分析师|分析師|总监|總監|"
    r"负责人|負責人|CEO|CTO|COO|CFO)\s*"
)
_PERSON_TAIL = re.compile(r"[\u4e00-\u9fff·]{2,4}(?<![室组組队隊院部所会會司处處])")
_NOT_NAME_PREFIX = re.compile(
    r"^(?:网络|網絡|互联网|互聯網|网友|網友|未知|本站|本网|本網|原创|原創|佚名|匿名|综合|綜合|"
    r"整理|编辑|編輯|作者|小编|小編|官方|官网|官網|自媒体|自媒體|公众号|公眾號|网上|網上)"
)
_NOT_NAMES = frozenset(
    {
        "the", "this", "that", "these", "those", "it", "he", "she", "they", "we", "i", "you",
        "our", "his", "her", "their", "its", "analysts", "investors", "officials", "sources",
        "people", "traders", "experts", "researchers", "reports", "data", "company", "staff",
        "here", "there", "today", "yesterday", "media", "news", "source", "unknown", "n/a",
        "internet", "network", "web", "online", "original", "author", "internal", "official",
        "anonymous", "admin", "editor", "wikipedia", "google", "unsplash", "pixabay",
    }
)  # fmt: skip
_EMAILISH = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+|\+\d[\d\s().-]{6,}\d")
# Traditional-only characters and their Simplified forms: which script a Chinese text uses.
_TRADITIONAL = set("們這來個為時說對會過還發與從後開關實現點專機國區際經變應當頭樣體讓認華萬幣價")
_SIMPLIFIED = set("们这来个为时说对会过还发与从后开关实现点专机国区际经变应当头样体让认华万币价")


# -- tokens ---------------------------------------------------------------------------------


def _tokens(text: str, lo: int, hi: int) -> tuple[list[str], list[int], list[int]]:
    """Lower-cased word tokens of ``text[lo:hi]`` (CJK one character each) with offsets."""
    window = _MARKUP.sub(lambda m: " " * len(m.group()), text[lo:hi])
    toks: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for m in _TOKEN.finditer(window):
        toks.append(m.group().lower())
        starts.append(lo + m.start())
        ends.append(lo + m.end())
    return toks, starts, ends


def _lowered(text: str) -> str:
    """``text.lower()`` with the same length (a few characters grow when lower-cased)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


# -- disclaimers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DisclaimerMatch:
    """Where an approved disclaimer (or a damaged copy of it) sits in a text."""

    entry: DisclaimerEntry
    start: int
    end: int
    similarity: float
    truncated: bool = False

    @property
    def exact(self) -> bool:
        """True when the full approved wording is there."""
        return self.similarity >= 0.999

    @property
    def ref(self) -> str:
        """``id@version`` as the result reports it."""
        return f"{self.entry.id}@{self.entry.version}"


@dataclass(frozen=True)
class _Wording:
    """One registry entry prepared for matching."""

    entry: DisclaimerEntry
    tokens: tuple[str, ...]
    key: str
    weights: tuple[int, ...]
    total: int
    anchors: tuple[str, ...]
    reach: int


def _spread(items: list[str], k: int) -> list[str]:
    """Up to ``k`` items taken evenly across ``items``."""
    if len(items) <= k:
        return items
    step = len(items) / k
    return [items[int(i * step)] for i in range(k)]


def _anchors(text: str, tokens: tuple[str, ...]) -> tuple[str, ...]:
    """Distinctive lower-case substrings spread over a wording, for the cheap pre-check.

    Latin script: the longest word of each quarter of the wording; CJK: three-character
    pieces taken evenly. Two of them must meet for the wording to be looked for.
    """
    words = [t for t in tokens if not _CJK_CHAR.match(t)]
    found: list[str] = []
    if len(words) >= _MAX_ANCHORS:
        size = len(words) / _MAX_ANCHORS
        for k in range(_MAX_ANCHORS):
            part = words[int(k * size) : int((k + 1) * size)]
            best = max(part, key=len)
            if len(best) >= 5 and best not in found:
                found.append(best)
    pieces: list[str] = []
    for run in _CJK_RUN.findall(text.lower()):
        pieces.extend(run[i : i + 3] for i in range(0, len(run) - 2, 3))
    found += [p for p in _spread(pieces, _MAX_ANCHORS) if p not in found]
    return tuple(found) or tokens[:3]


class DisclaimerRegistry:
    """The approved wordings, tokenised once, and the search for them in a text."""

    def __init__(self, entries: list[DisclaimerEntry]) -> None:
        self.entries = entries
        self.wordings: list[_Wording] = []
        for entry in entries:
            toks, _s, _e = _tokens(entry.text, 0, len(entry.text))
            tokens = tuple(toks)
            weights = tuple(len(t) for t in tokens)
            self.wordings.append(
                _Wording(
                    entry=entry,
                    tokens=tokens,
                    key="\x1f" + "\x1f".join(tokens) + "\x1f",
                    weights=weights,
                    total=sum(weights),
                    anchors=_anchors(entry.text, tokens),
                    reach=int(len(entry.text) * 1.3) + 80,
                )
            )

    @property
    def needles(self) -> list[str]:
        """The anchors of every wording, for the shared one-pass search."""
        return [a for w in self.wordings for a in w.anchors]

    def find(self, text: str, view: TextView | None = None) -> list[DisclaimerMatch]:
        """Every approved disclaimer in ``text``: exact matches and damaged copies."""
        view = view if view is not None else TextView.of(text, Needles(self.needles))
        found: list[DisclaimerMatch] = []
        for w in self.wordings:
            need = min(2, len(w.anchors))
            if sum(1 for a in w.anchors if a in view.hits) < need:
                continue  # cheap pre-check: not enough of the wording's distinctive words
            for lo, hi in self._windows(view, w, need):
                match = self._match(text, lo, hi, w)
                if match is not None:
                    found.append(match)
        # One match per place: the exact one, else the closest.
        found.sort(key=lambda m: (-m.similarity, m.start))
        kept: list[DisclaimerMatch] = []
        for m in found:
            if all(m.end <= k.start or m.start >= k.end for k in kept):
                kept.append(m)
        return sorted(kept, key=lambda m: m.start)

    @staticmethod
    def _windows(view: TextView, w: _Wording, need: int) -> list[tuple[int, int]]:
        """Windows around anchor occurrences where at least ``need`` distinct anchors meet."""
        hits = sorted((pos, a) for a in w.anchors for pos in view.hits.get(a, ()))
        windows: list[tuple[int, int, set[str]]] = []
        end = len(view.low)
        for pos, anchor in hits:
            lo, hi = max(0, pos - w.reach), min(end, pos + w.reach)
            if windows and lo <= windows[-1][1]:
                windows[-1][2].add(anchor)
                windows[-1] = (windows[-1][0], max(windows[-1][1], hi), windows[-1][2])
            else:
                windows.append((lo, hi, {anchor}))
        return [(lo, hi) for lo, hi, seen in windows if len(seen) >= need]

    @staticmethod
    def _match(text: str, lo: int, hi: int, w: _Wording) -> DisclaimerMatch | None:
        toks, starts, ends = _tokens(text, lo, hi)
        if not toks:
            return None
        key = "\x1f" + "\x1f".join(toks) + "\x1f"
        idx = key.find(w.key)
        if idx >= 0:
            first = key.count("\x1f", 0, idx)
            last = first + len(w.tokens) - 1
            return DisclaimerMatch(w.entry, starts[first], ends[last], 1.0)
        sm = SequenceMatcher(None, toks, list(w.tokens), autojunk=False)
        blocks = [
            b
            for b in sm.get_matching_blocks()
            if b.size and sum(w.weights[b.b : b.b + b.size]) >= _MIN_BLOCK_CHARS
        ]
        if not blocks:
            return None
        covered = sum(sum(w.weights[b.b : b.b + b.size]) for b in blocks)
        similarity = covered / w.total
        if similarity < ALTERED_MIN:
            return None
        contiguous = blocks[0].b == 0 and all(
            nxt.b == prev.b + prev.size and nxt.a == prev.a + prev.size
            for prev, nxt in zip(blocks, blocks[1:], strict=False)
        )
        return DisclaimerMatch(
            w.entry,
            starts[blocks[0].a],
            ends[blocks[-1].a + blocks[-1].size - 1],
            round(min(similarity, 0.998), 3),
            truncated=contiguous,
        )


def expected_disclaimer(
    entries: list[DisclaimerEntry], profile: SiteProfile | None, language: str, text: str
) -> DisclaimerEntry | None:
    """The approved wording an article needs: the platform's, in the article's language.

    Chinese picks the Traditional wording when the text is written in Traditional
    characters; a language without a registered wording falls back to English.
    """
    usable = [e for e in entries if e.satisfies_requirement]
    if profile is not None and profile.disclaimers:
        usable = [e for e in usable if e.id in profile.disclaimers] or usable
    wanted = [language]
    if language.startswith("zh"):
        trad = sum(ch in _TRADITIONAL for ch in text)
        simp = sum(ch in _SIMPLIFIED for ch in text)
        wanted = ["zh-Hant", "zh"] if trad > simp else ["zh", "zh-Hans"]
    for lang in (*wanted, "en"):
        for entry in usable:
            if entry.language == lang:
                return entry
    return usable[0] if usable else None


# -- sources --------------------------------------------------------------------------------


class SourceIndex:
    """Known sources by every normalised alias and domain, and a fuzzy index for CJK names."""

    def __init__(self, sources: list[SourceEntry]) -> None:
        self.by_alias: dict[str, SourceEntry] = {}
        self.by_domain: dict[str, SourceEntry] = {}
        self.fuzzy_index: dict[tuple[int, int, str], list[tuple[str, SourceEntry]]] = {}
        self.fuzzy_lengths: list[int] = []
        # Known names by their first word (CJK and Hangul: first character), longest first.
        self.by_first: dict[str, list[tuple[tuple[str, ...], bool, SourceEntry]]] = {}
        for src in sources:
            for alias in (src.name, *src.aliases):
                norm = normalise_plain(alias)
                self.by_alias.setdefault(norm, src)
                toks = tuple(t.lower() for t in _NAME_TOKEN.findall(alias))
                if toks:
                    self.by_first.setdefault(toks[0], []).append((toks, alias[:1].islower(), src))
                if len(alias) >= 4 and all(_CJK_CHAR.match(ch) for ch in alias):
                    # One wrong character (曰 for 日, a spun synonym) still names the source.
                    self.fuzzy_index.setdefault((len(alias), 0, alias[0]), []).append((alias, src))
                    self.fuzzy_index.setdefault((len(alias), 1, alias[-1]), []).append((alias, src))
                    if len(alias) not in self.fuzzy_lengths:
                        self.fuzzy_lengths.append(len(alias))
            for domain in src.domains:
                self.by_domain[domain.lower().removeprefix("www.")] = src
        for candidates in self.by_first.values():
            candidates.sort(key=lambda c: -len(c[0]))

    def lookup(self, name: str, *, exact: bool = False) -> SourceEntry | None:
        """The known source a name refers to: the whole name, its domain, or a name inside it.

        Inside a longer name, known names match on whole words (CJK and Hangul on any
        character), leftmost and longest first; a Latin name must start capitalised there
        ("the block explorer" is not The Block) unless it is written in lower case.
        """
        compact = name.replace(" ", "")
        norm = compact.lower() if compact.isalnum() else normalise_plain(name)
        if norm in self.by_alias:
            return self.by_alias[norm]
        stripped = name.strip()
        if "." in stripped and _DOMAIN.match(stripped):
            return self.for_url(stripped)
        if exact:
            return None
        raw = _NAME_TOKEN.findall(name)
        tokens = [t.lower() for t in raw]
        for i, tok in enumerate(tokens):
            for cand, lower_ok, src in self.by_first.get(tok, ()):
                if tokens[i : i + len(cand)] != list(cand):
                    continue
                if not lower_ok and raw[i][0].islower():
                    continue
                if i and _part_of_longer_name(raw[i - 1]):
                    continue  # "Harbor Crypto News" is not "Crypto News"
                return src
        return None

    def fuzzy(self, name: str) -> SourceEntry | None:
        """A known CJK name ending ``name`` with one character wrong."""
        for length in self.fuzzy_lengths:
            if len(name) < length:
                continue
            tail = name[-length:]
            # One wrong character leaves the first or the last one right.
            candidates: list[tuple[str, SourceEntry]] = [
                *self.fuzzy_index.get((length, 0, tail[0]), ()),
                *self.fuzzy_index.get((length, 1, tail[-1]), ()),
            ]
            for alias, src in candidates:
                if sum(a != b for a, b in zip(alias, tail, strict=True)) <= 1:
                    return src
        return None

    def for_url(self, url: str) -> SourceEntry | None:
        """The known source whose domain serves ``url``."""
        host = _domain(url)
        while host:
            if host in self.by_domain:
                return self.by_domain[host]
            host = host.partition(".")[2]
        return None


_LEAD_WORDS = frozenset(
    {
        "on", "in", "the", "but", "and", "or", "meanwhile", "separately", "earlier", "also",
        "last", "this", "however", "as", "while", "when", "after", "before", "since", "citing",
        "per", "via", "by", "from", "with", "at", "to", "then", "now", "today", "yesterday",
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        "january", "february", "march", "april", "may", "june", "july", "august",
        "september", "october", "november", "december", "jan", "feb", "mar", "apr", "jun",
        "jul", "aug", "sep", "sept", "oct", "nov", "dec", "us", "u", "s", "uk", "eu",
    }
)  # fmt: skip


def _part_of_longer_name(previous: str) -> bool:
    """Whether the word before a known name makes it part of another, longer name."""
    first = previous[0]
    if not first.isalpha() or not first.isupper() or _CJK_CHAR.match(first):
        return False
    return previous.lower() not in _LEAD_WORDS


def _domain(url: str) -> str:
    return (
        (urlsplit(url if "//" in url else f"//{url}").hostname or "").lower().removeprefix("www.")
    )


# -- attribution ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceMention:
    """A credit to an original publisher found in the text."""

    name: str
    rule: AttributionRule
    start: int
    end: int
    evidence: str
    source: SourceEntry | None

    @property
    def known(self) -> bool:
        """Whether the name is on the known-sources list."""
        return self.source is not None

    @property
    def strength(self) -> str:
        """The phrasing rule's strength (kept for callers of the first version)."""
        return self.rule.strength

    @property
    def rank(self) -> tuple[int, int]:
        """Publishers before authors before copyright owners; known names first."""
        return ({"publisher": 0, "author": 1, "owner": 2}[self.rule.role], not self.known)


def _clean_name(raw: str) -> str:
    raw = raw.replace("**", "").replace("\\", "").strip(_STRIP_CHARS)
    return re.sub(r"\s+", " ", raw)


def _tidy_name(raw: str) -> str:
    """The credited name as a reader would write it."""
    name = raw
    for sep in ("|", "｜"):
        if sep in name:  # "Title | Site" or "description｜Site": the site comes last
            name = name.rsplit(sep, 1)[1]
    name = _LEADING_THE.sub("", name.strip(_STRIP_CHARS))
    name = re.sub(r"['’]s$", "", name)
    titles = list(_TITLE_TAIL.finditer(name))
    if titles and _PERSON_TAIL.fullmatch(name[titles[-1].end() :]):
        name = name[titles[-1].end() :]  # "X Network创始人刘毅" -> "刘毅"
    return name.strip(_STRIP_CHARS)[:80]


def _plausible(name: str) -> bool:
    """Whether a captured string can be a publisher's or author's name."""
    if len(name) < 2 or not any(ch.isalpha() for ch in name):
        return False
    if name.lower() in _NOT_NAMES or _NOT_NAME_PREFIX.match(name):
        return False
    first = name[0]
    caseless_letter = first.isalpha() and not first.islower() and not first.isupper()
    handle = " " not in name and len(name) >= 3  # "blockpunk", "coindesk.com"
    return first.isupper() or first.isdigit() or caseless_letter or handle


def _evidence(text: str) -> str:
    """The crediting phrase, without contact details that a contact line may carry."""
    return _EMAILISH.sub("***", text.strip())[:200]


def credit_from_match(
    rule: AttributionRule, match: re.Match[str], index: SourceIndex
) -> SourceMention | None:
    """The credit a rule's match names, or None when it names no publisher."""
    raw = _clean_name(match.groupdict().get("source") or "")
    if not raw:
        return None
    known = index.lookup(raw, exact=rule.exact_name)
    if known is None and rule.strength == "weak":
        if rule.exact_name:
            return None
        known = index.fuzzy(raw)
        if known is None:
            return None
    if known is not None:
        if known.kind in NON_CREDIT_KINDS:
            return None
        name = known.name
    else:
        name = _tidy_name(raw)
        if not _plausible(name):
            return None
    return SourceMention(name, rule, match.start(), match.end(), _evidence(match.group()), known)


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
        low = _lowered(text)
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


_COMBINED: dict[int, list[re.Pattern[str]]] = {}


def _patterns(rule: AttributionRule | GenericDisclaimerRule) -> list[re.Pattern[str]]:
    """A generic rule's patterns as one alternation (one pass per window); others as they are.

    Attribution patterns all name their capture ``source``, so they cannot be joined.
    """
    if isinstance(rule, AttributionRule) or len(rule.compiled) < 2:
        return rule.compiled
    key = id(rule)
    if key not in _COMBINED:
        try:
            joined = "|".join(f"(?:{p.pattern})" for p in rule.compiled)
            _COMBINED[key] = [re.compile(joined, rule.compiled[0].flags)]
        except re.error:  # a pattern with global flags cannot be nested
            _COMBINED[key] = rule.compiled
    return _COMBINED[key]


def rule_matches(
    rule: AttributionRule | GenericDisclaimerRule, view: TextView
) -> Iterator[re.Match[str]]:
    """Every match of a rule's patterns in its windows, minus its exceptions."""
    if rule.triggers and view.hits.keys().isdisjoint(rule.triggers):
        return
    exc = rule.compiled_exceptions
    text = view.text
    patterns = _patterns(rule)
    for s, e in rule_windows(rule, view):
        blocked = [(m.start(), m.end()) for m in exc.finditer(text, s, e)] if exc else []
        for pattern in patterns:
            for m in pattern.finditer(text, s, e):
                if blocked and any(bs < m.end() and m.start() < be for bs, be in blocked):
                    continue
                yield m


_R = TypeVar("_R", AttributionRule, GenericDisclaimerRule)


def _triggered(rules: list[_R], view: TextView) -> list[_R]:
    """The rules whose triggers occur in the text (and those without triggers), in order."""
    if not view.hits:
        return [r for r in rules if not r.triggers]
    return [r for r in rules if not r.triggers or not view.hits.keys().isdisjoint(r.triggers)]


def find_attribution(
    text: str,
    rules: list[AttributionRule],
    index: SourceIndex,
    language: str = "und",
    view: TextView | None = None,
) -> list[SourceMention]:
    """Every credit to a source in ``text``, best-ranked first, one per place and name."""
    if view is None:
        view = TextView.of(text, Needles(t for r in rules for t in r.triggers))
    mentions: list[SourceMention] = []
    for rule in _triggered(rules, view):
        if language != "und" and not rule.applies_to(language):
            continue
        for match in rule_matches(rule, view):
            mention = credit_from_match(rule, match, index)
            if mention is not None:
                mentions.append(mention)
    mentions.sort(key=lambda x: (x.rank, x.start, x.rule.strength != "strong"))
    kept: list[SourceMention] = []
    for mention in mentions:
        if not any(
            k.name == mention.name and k.start < mention.end and mention.start < k.end for k in kept
        ):
            kept.append(mention)
    return kept


# -- the stage ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocScan:
    """Everything the stage finds in one document text, before chrome is considered."""

    disclaimers: list[DisclaimerMatch]
    generic: list[tuple[int, int, GenericDisclaimerRule]]
    mentions: list[SourceMention]


class _Removed:
    """The document ranges the chrome stage removed, for "is this in the clean text?"."""

    def __init__(self, ctx: Context) -> None:
        spans = sorted(
            (e.original_span.start, e.original_span.end)
            for e in ctx.edits
            if e.kind == "remove" and e.original_span.end > e.original_span.start
        )
        self.starts = [s for s, _ in spans]
        self.spans = spans

    def overlaps(self, start: int, end: int) -> bool:
        """Whether any removed range overlaps ``[start, end)``."""
        i = bisect.bisect_left(self.starts, end)
        return any(s < end and start < e for s, e in self.spans[max(0, i - 8) : i])

    def covers(self, start: int, end: int) -> bool:
        """Whether ``[start, end)`` lies inside one removed range."""
        i = bisect.bisect_right(self.starts, start) - 1
        return i >= 0 and self.spans[i][0] <= start and end <= self.spans[i][1]


class CheckDisclosures:
    """Check stage: disclaimer registry, generic statements, attribution and cross-checks."""

    name = "check_disclosures"

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        self.registry = DisclaimerRegistry(rules.disclaimers)
        self.attribution_rules: list[AttributionRule] = [
            r for r in rules.of_kind("attribution") if r.status == "active"
        ]
        self.generic_rules: list[GenericDisclaimerRule] = rules.of_kind("generic_disclaimer")
        self.sources = SourceIndex(rules.sources)
        triggers = [t for r in self.attribution_rules for t in r.triggers]
        triggers += [t for r in self.generic_rules for t in r.triggers]
        self.needles = Needles(triggers + self.registry.needles)
        self._cache: OrderedDict[str, DocScan] = OrderedDict()
        self._lock = threading.Lock()

    # -- scanning, shared with the chrome stage ----------------------------------------------

    def scan(self, text: str) -> DocScan:
        """Disclaimers, generic statements and credits in ``text`` (cached for a few texts)."""
        with self._lock:
            hit = self._cache.get(text)
            if hit is not None:
                self._cache.move_to_end(text)
                return hit
        view = TextView.of(text, self.needles)
        disclaimers = self.registry.find(text, view)
        generic: list[tuple[int, int, GenericDisclaimerRule]] = []
        for rule in _triggered(self.generic_rules, view):
            for m in rule_matches(rule, view):
                if not any(d.start <= m.start() and m.end() <= d.end for d in disclaimers):
                    generic.append((m.start(), m.end(), rule))
        generic.sort(key=lambda g: (g[0], -g[1]))
        generic = [  # one statement per place: the longest
            g
            for i, g in enumerate(generic)
            if not any(o[1] >= g[1] for o in generic[:i] if o[0] <= g[0])
        ]
        mentions = find_attribution(text, self.attribution_rules, self.sources, "und", view)
        result = DocScan(disclaimers, generic, mentions)
        with self._lock:
            self._cache[text] = result
            while len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
        return result

    def protected(self, text: str) -> list[Span]:
        """Spans the chrome stage must leave alone: disclaimers (intact or not) and credit lines.

        A credit is protected when it makes up a short line of its own ("Source: X",
        "By X", "(Theo X)"); one inside a long block (an auto-summary box, say) is still
        recorded from the document text, but does not stop the block going as chrome.
        """
        scan = self.scan(text)
        spans = [Span(start=m.start, end=m.end) for m in scan.disclaimers]
        for m in scan.mentions:
            if not m.rule.protect:
                continue
            line_start = text.rfind("\n", 0, m.start) + 1
            line_end = text.find("\n", m.end)
            line_end = len(text) if line_end < 0 else line_end
            if line_end - line_start <= _CREDIT_LINE_MAX:
                spans.append(Span(start=m.start, end=m.end))
        return spans

    def run(self, ctx: Context) -> None:
        """Fill ``ctx.disclosures`` and add disclaimer/attribution findings."""
        scan = self.scan(ctx.doc.text)
        removed = _Removed(ctx)
        disclaimer = self._disclaimer(ctx, scan, removed)
        attribution = self._attribution(ctx, scan, removed)
        ctx.disclosures = Disclosures(disclaimer=disclaimer, attribution=attribution)

    # -- disclaimer ---------------------------------------------------------------------

    def _disclaimer(self, ctx: Context, scan: DocScan, removed: _Removed) -> DisclaimerStatus:
        doc = ctx.doc.text
        generic: list[str] = []
        for start, end, rule in scan.generic:
            if removed.overlaps(start, end) or len(generic) >= 5:
                continue
            excerpt = doc[start:end].strip()
            generic.append(excerpt)
            ctx.add(rule, original_span=Span(start=start, end=end), excerpt=excerpt)
        satisfying = [m for m in scan.disclaimers if m.entry.satisfies_requirement]
        kept = [m for m in satisfying if not removed.overlaps(m.start, m.end)]
        exact = [m for m in kept if m.exact]
        if exact:
            best = exact[-1]
            placement = self._placement(doc, best.end, removed, scan)
            if placement == "body" and best.entry.placement == "end":
                ctx.add(
                    self.rules.document_rule("disclaimer_placement"),
                    original_span=Span(start=best.start, end=best.end),
                    excerpt=doc[best.start : best.end][:120],
                    message=f"Approved disclaimer {best.ref} sits inside the article body, not after it",
                )
            return self._status(best, True, placement, generic)
        altered = [m for m in kept if not m.exact]
        if altered:
            best = max(altered, key=lambda m: m.similarity)
            how = (
                f"truncated: only the first {best.similarity:.0%} of the approved wording"
                if best.truncated
                else f"altered: {best.similarity:.0%} of the approved wording present"
            )
            ctx.add(
                self.rules.document_rule("disclaimer_altered"),
                original_span=Span(start=best.start, end=best.end),
                excerpt=doc[best.start : best.end][:160],
                message=f"Disclaimer differs from approved {best.ref} ({best.entry.language}), {how}",
                signals=[Signal(name="similarity", weight=best.similarity)],
            )
            return self._status(
                best, False, self._placement(doc, best.end, removed, scan), generic, altered=True
            )
        lost = [m for m in satisfying if m.exact]
        if lost:  # only in removed page chrome
            m = lost[-1]
            ctx.add(
                self.rules.document_rule("disclaimer_placement"),
                original_span=Span(start=m.start, end=m.end),
                excerpt=doc[m.start : m.end][:120],
                message=f"Approved disclaimer {m.ref} only appears in removed page chrome",
            )
            return self._status(m, False, "chrome", generic)
        missing = self.rules.document_rule(
            "disclaimer_generic_only" if generic else "disclaimer_missing"
        )
        want = expected_disclaimer(self.rules.disclaimers, ctx.profile, ctx.language, ctx.text)
        detail = f" (expected {want.id}@{want.version}, {want.language})" if want else ""
        ctx.add(missing, message=missing.message.replace("{match}", "") + detail)
        return DisclaimerStatus(present=False, generic=generic)

    @staticmethod
    def _status(
        m: DisclaimerMatch,
        present: bool,
        placement: Placement,
        generic: list[str],
        altered: bool = False,
    ) -> DisclaimerStatus:
        return DisclaimerStatus(
            present=present,
            matched=m.ref,
            similarity=1.0 if m.exact else m.similarity,
            placement=placement,
            altered=altered,
            language=m.entry.language,
            certainty=m.entry.certainty,
            generic=generic,
        )

    @staticmethod
    def _placement(doc: str, end: int, removed: _Removed, scan: DocScan) -> Placement:
        """``end`` unless a substantial article line follows in the clean text, else ``body``.

        Footer lines (copyright, reprint notices, other disclaimers, credits) may follow.
        """
        furniture = [(d.start, d.end) for d in scan.disclaimers]
        furniture += [(g[0], g[1]) for g in scan.generic]
        furniture += [(m.start, m.end) for m in scan.mentions]
        for line in iter_lines(doc[end:]):
            s, e = end + line.start, end + line.end
            if e <= s or removed.covers(s, e):
                continue
            if sum(ch.isalpha() for ch in line.text) < _BODY_LINE_MIN_LETTERS:
                continue
            if _FOOTER_LINE.search(line.text) or any(a < e and s < b for a, b in furniture):
                continue
            return "body"
        return "end"

    # -- attribution --------------------------------------------------------------------

    def _attribution(self, ctx: Context, scan: DocScan, removed: _Removed) -> AttributionStatus:
        mentions = [
            m for m in scan.mentions if ctx.language == "und" or m.rule.applies_to(ctx.language)
        ]
        credits = [self._credit(m, removed) for m in mentions]
        credits += self._link_credits(ctx, {c.name for c in credits})
        credits.sort(key=lambda c: (*self._rank(c), c.in_chrome, c.original_span.start))
        names: list[str] = []
        for c in credits:
            if c.name not in names:
                names.append(c.name)
        evidence: list[str] = []
        for c in credits:
            if c.evidence not in evidence:
                evidence.append(c.evidence)
        links = [href for _label, href in ctx.doc.links]
        if ctx.doc.canonical_url:
            links.append(ctx.doc.canonical_url)

        # Cross-checks weigh outlet credits: a byline names a person and a copyright line
        # may be the republisher's own, so neither contradicts a declared source.
        outlets = [c for c in credits if self._rank(c)[0] == 0]
        outlet_names = list(dict.fromkeys(c.name for c in outlets))
        declared = ctx.options.source
        declared_matches: bool | None = None
        want: SourceEntry | None = None
        if declared:
            want = self.sources.lookup(declared)
            declared_matches = any(self._same(declared, want, c) for c in credits)
            if outlets and not declared_matches:
                ctx.add(
                    self.rules.document_rule("attribution_mismatch"),
                    message=(
                        f"Declared source '{declared}' but the text credits "
                        f"{', '.join(repr(n) for n in outlet_names[:3])}"
                    ),
                    signals=[
                        Signal(name="declared", text=declared),
                        Signal(name="credited", text=", ".join(outlet_names)),
                    ],
                )
        url_source: SourceEntry | None = None
        url_matches: bool | None = None
        if ctx.options.url:
            url_source = self.sources.for_url(ctx.options.url)
            if url_source is not None and url_source.kind in NON_CREDIT_KINDS:
                url_source = None
            if url_source is not None:
                domain = _domain(ctx.options.url)
                url_matches = any(self._same(url_source.name, url_source, c) for c in credits)
                if outlets and not url_matches:
                    ctx.add(
                        self.rules.document_rule("url_mismatch"),
                        message=(
                            f"URL domain '{domain}' belongs to {url_source.name} but the text "
                            f"credits {', '.join(repr(n) for n in outlet_names[:3])}"
                        ),
                        signals=[
                            Signal(name="url", text=domain),
                            Signal(name="credited", text=", ".join(outlet_names)),
                        ],
                    )
                elif declared and want is not url_source and not url_matches:
                    ctx.add(
                        self.rules.document_rule("url_mismatch"),
                        message=(
                            f"URL domain '{domain}' belongs to {url_source.name} but the "
                            f"declared source is '{declared}'"
                        ),
                        signals=[
                            Signal(name="url", text=domain),
                            Signal(name="declared", text=declared),
                        ],
                    )
        if not credits:
            rule = self.rules.document_rule("attribution_missing")
            detail = ""
            if declared:
                detail += f" (declared source '{declared}' is not named in the text)"
            if url_source is not None:
                detail += f" (the URL belongs to {url_source.name})"
            ctx.add(rule, message=rule.message.replace("{match}", "") + detail)
        return AttributionStatus(
            present=bool(credits),
            source=names[0] if names else None,
            sources=names,
            evidence=evidence[:10],
            credits=credits[:20],
            links=links[:10],
            declared=declared,
            declared_matches=declared_matches,
            url_source=url_source.name if url_source else None,
            url_matches=url_matches,
        )

    def _credit(self, m: SourceMention, removed: _Removed) -> SourceCredit:
        return SourceCredit(
            name=m.name,
            known=m.known,
            kind=m.source.kind if m.source else None,
            rule=m.rule.id,
            evidence=m.evidence,
            original_span=Span(start=m.start, end=m.end),
            in_chrome=removed.overlaps(m.start, m.end),
        )

    def _rank(self, c: SourceCredit) -> tuple[int, int]:
        rule = self.rules.by_id.get(c.rule)
        role = getattr(rule, "role", "publisher")
        return ({"publisher": 0, "author": 1, "owner": 2}.get(role, 0), not c.known)

    def _link_credits(self, ctx: Context, have: set[str]) -> list[SourceCredit]:
        """HTML "view original" links to a known publisher's domain."""
        rule = next((r for r in self.attribution_rules if r.id == "ATT-024"), None)
        out: list[SourceCredit] = []
        for label, href in ctx.doc.links:
            src = self.sources.for_url(href)
            if src is None or src.kind in NON_CREDIT_KINDS or src.name in have:
                continue
            pos = ctx.doc.text.find(label) if label else -1
            span = Span(start=max(pos, 0), end=max(pos, 0) + (len(label) if pos >= 0 else 0))
            out.append(
                SourceCredit(
                    name=src.name,
                    known=True,
                    kind=src.kind,
                    rule=rule.id if rule else "ATT-024",
                    evidence=_evidence(f"{label} <{href}>"),
                    original_span=span,
                    in_chrome=False,
                )
            )
            have.add(src.name)
        return out

    def _same(self, declared: str, want: SourceEntry | None, credit: SourceCredit) -> bool:
        """Whether a credit names the declared source."""
        if want is not None:
            return self.sources.lookup(credit.name) is want
        a, b = normalise_plain(declared), normalise_plain(credit.name)
        return bool(a) and (a == b or a in b or b in a)
