"""Credits to an original source: the known-sources index and the attribution phrasing.

:class:`SourceIndex` resolves a name to a known source: an alias in any of the six
languages, a domain, a known name inside a longer phrase, or a CJK name one character
off. :func:`find_attribution` runs the attribution rules of ``rules/attribution.toml``
and keeps a captured name when the phrasing is *strong* and the name plausible, or when
it is *weak* and the name is a known source; data providers and platforms never count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from filters.rulepack import AttributionRule, SourceEntry
from filters.textnorm import normalise_plain
from filters.triggers import Needles, TextView, rule_matches, triggered

NON_CREDIT_KINDS = frozenset({"data", "platform"})
# credits of these roles, in this order: a publisher is the source, an owner the least
ROLE_ORDER = {"publisher": 0, "author": 1, "owner": 2}
CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_NAME_TOKEN = re.compile(rf"[{CJK}\uac00-\ud7af]|[^\W_{CJK}\uac00-\ud7af]+")
CJK_CHAR = re.compile(rf"[{CJK}]")
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
                if len(alias) >= 4 and all(CJK_CHAR.match(ch) for ch in alias):
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
        host = domain_of(url)
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
    if not first.isalpha() or not first.isupper() or CJK_CHAR.match(first):
        return False
    return previous.lower() not in _LEAD_WORDS


def domain_of(url: str) -> str:
    """The host of a URL or bare domain, lower-cased, without ``www.``."""
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
    def rank(self) -> tuple[int, int]:
        """Publishers before authors before copyright owners; known names first."""
        return (ROLE_ORDER[self.rule.role], not self.known)


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


def evidence_text(text: str) -> str:
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
    return SourceMention(
        name, rule, match.start(), match.end(), evidence_text(match.group()), known
    )


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
    for rule in triggered(rules, view):
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
