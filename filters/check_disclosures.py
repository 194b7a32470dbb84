"""Disclaimer and attribution: is the approved wording in the clean text, and who is credited.

Disclaimers are matched against the approved registry (``[[disclaimer]]`` in ``rules/``)
word by word, so case, whitespace, line breaks, quotes, punctuation, bullets and markup do
not matter. The full wording is *present*; a partial copy (truncated or reworded) is
*altered*, a finding of its own and never a pass. Generic "not financial advice"
statements are recognised and recorded but do not satisfy the requirement.

Attribution comes from phrasing rules (``kind = "attribution"``, a named group
``source``), the list of known sources and their aliases (``rules/sources.toml``) and
HTML "view original" links (see :mod:`filters.credits`). Credits are looked for in the
whole document, so one that only survives in stripped chrome ("Write to X at") still
counts; they are cross-checked against the ``source`` and ``url`` the caller declared.

Speed: the document is scanned once (the chrome stage asks for protected spans first,
the check reuses that scan). Disclaimer matching only starts where distinctive words of
a wording meet, and a rule's patterns only run around its trigger words
(:mod:`filters.triggers`).
"""

from __future__ import annotations

import bisect
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

from filters.context import Context
from filters.credits import (
    CJK,
    CJK_CHAR,
    NON_CREDIT_KINDS,
    ROLE_ORDER,
    SourceIndex,
    SourceMention,
    domain_of,
    evidence_text,
    find_attribution,
)
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
)
from filters.textnorm import iter_lines, normalise_plain
from filters.triggers import Needles, TextView, combined_patterns, rule_matches, triggered

__all__ = [
    "CheckDisclosures",
    "DisclaimerMatch",
    "DisclaimerRegistry",
    "SourceIndex",
    "expected_disclaimer",
    "find_attribution",
]

Placement = Literal["end", "body", "chrome", "inserted"]
ALTERED_MIN = 0.5  # share of the approved wording that must be there to call a copy "altered"
_MIN_BLOCK_CHARS = 6  # matching runs shorter than this are coincidence, not a copy
_BODY_LINE_MIN_LETTERS = 60  # a line this long after the disclaimer means it sits mid-article
_MAX_ANCHORS = 4
_CACHE_SIZE = 8
_CREDIT_LINE_MAX = 160  # a credit on a line up to this long is a credit line: protected

_TOKEN = re.compile(rf"[{CJK}]|[^\W_{CJK}]+")
_CJK_RUN = re.compile(rf"[{CJK}]{{3,}}")
_MARKUP = re.compile(r"<[^<>\n]{1,300}>|&(?:[a-zA-Z]{2,8}|#\d{1,6}|#x[0-9a-fA-F]{1,6});")
_FOOTER_LINE = re.compile(
    r"©|ⓒ|\(c\)|copyright|all\s+rights|reserves?\s+all|repost|reprint|republish|"
    r"转载|轉載|版权|版權|著作权|著作權|無断|무단|disclaimer|免责|免責|면책|отказ от ответственности",
    re.I,
)
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
    words = [t for t in tokens if not CJK_CHAR.match(t)]
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
        self.generic_patterns = {r.id: combined_patterns(r) for r in self.generic_rules}
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
        for rule in triggered(self.generic_rules, view):
            for m in rule_matches(rule, view, self.generic_patterns[rule.id]):
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
        names = list(dict.fromkeys(c.name for c in credits))
        evidence = list(dict.fromkeys(c.evidence for c in credits))
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
                domain = domain_of(ctx.options.url)
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
        return (ROLE_ORDER.get(role, 0), not c.known)

    def _link_credits(self, ctx: Context, have: set[str]) -> list[SourceCredit]:
        """HTML "view original" links to a known publisher's domain."""
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
                    rule="ATT-024",
                    evidence=evidence_text(f"{label} <{href}>"),
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
