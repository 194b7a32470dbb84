"""Disclaimer and attribution: is the approved wording in the clean text, and who is credited.

Disclaimers are matched against the approved registry (``[[disclaimer]]`` in ``rules/``)
on normalised text, so whitespace, case, quotes, punctuation and bullets do not matter.
An exact normalised match is *present*; a partial one (truncated or reworded) is
*altered*, a finding of its own and never a pass. Generic "not financial advice"
statements are recognised and recorded but do not satisfy the requirement.

Attribution comes from phrasing rules (``kind = "attribution"``, a named group
``source``), the list of known sources and their aliases, and HTML "view original" links.
It is cross-checked against the ``source`` and ``url`` the caller declared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from urllib.parse import urlsplit

from filters.context import Context
from filters.models import AttributionStatus, DisclaimerStatus, Disclosures, Signal, Span
from filters.rulepack import AttributionRule, DisclaimerEntry, RuleSet, SourceEntry
from filters.textnorm import iter_lines, normalise, normalise_plain

ALTERED_MIN = 0.5  # share of the approved wording that must be there to call it "altered"
_SEED_LEN = 24
_BODY_LINE_MIN_LETTERS = 60  # a line this long after the disclaimer means it sits mid-article


@dataclass(frozen=True)
class DisclaimerMatch:
    """Where an approved disclaimer (or a damaged copy of it) sits in a text."""

    entry: DisclaimerEntry
    start: int
    end: int
    similarity: float

    @property
    def exact(self) -> bool:
        """True when the full approved wording is there."""
        return self.similarity >= 0.999


@dataclass(frozen=True)
class SourceMention:
    """A credit to an original publisher found in the text."""

    name: str
    rule: str
    strength: str
    start: int
    end: int
    evidence: str
    known: bool


class SourceIndex:
    """Known sources by every normalised alias and domain."""

    def __init__(self, sources: list[SourceEntry]) -> None:
        self.by_alias: dict[str, SourceEntry] = {}
        self.by_domain: dict[str, SourceEntry] = {}
        names = []
        for src in sources:
            for alias in (src.name, *src.aliases):
                self.by_alias.setdefault(normalise_plain(alias), src)
                names.append(alias)
            for domain in src.domains:
                self.by_domain[domain.lower().removeprefix("www.")] = src
        # Longest names first so "Bloomberg News" wins over "Bloomberg".
        parts = []
        for n in sorted(set(names), key=len, reverse=True):
            body = re.escape(n).replace(r"\ ", r"\s+")
            left = r"(?<![\w])" if n[:1].isascii() else ""
            right = r"(?![\w])" if n[-1:].isascii() else ""
            parts.append(left + body + right)
        self.mention = re.compile("|".join(parts)) if parts else None

    def lookup(self, name: str) -> SourceEntry | None:
        """The known source a name refers to, trying the name and its leading words."""
        norm = normalise_plain(name)
        if norm in self.by_alias:
            return self.by_alias[norm]
        if self.mention is not None:
            m = self.mention.search(name)
            if m:
                return self.by_alias.get(normalise_plain(m.group()))
        return None

    def for_url(self, url: str) -> SourceEntry | None:
        """The known source whose domain serves ``url``."""
        host = (
            (urlsplit(url if "//" in url else f"//{url}").hostname or "")
            .lower()
            .removeprefix("www.")
        )
        while host:
            if host in self.by_domain:
                return self.by_domain[host]
            host = host.partition(".")[2]
        return None


class DisclaimerRegistry:
    """The approved wordings, normalised once."""

    def __init__(self, entries: list[DisclaimerEntry]) -> None:
        self.entries = entries
        self.normalised = [normalise_plain(e.text) for e in entries]

    def find(self, text: str) -> list[DisclaimerMatch]:
        """Every approved disclaimer in ``text``: exact matches, then damaged copies."""
        norm = normalise(text)
        found: list[DisclaimerMatch] = []
        for entry, canon in zip(self.entries, self.normalised, strict=True):
            idx = norm.text.find(canon)
            if idx >= 0:
                s, e = norm.span_to_original(idx, idx + len(canon))
                found.append(DisclaimerMatch(entry, s, e, 1.0))
                continue
            partial = self._partial(norm.text, canon)
            if partial is not None:
                ns, ne, sim = partial
                s, e = norm.span_to_original(ns, ne)
                found.append(DisclaimerMatch(entry, s, e, sim))
        # One match per place: keep the best entry for overlapping matches.
        found.sort(key=lambda m: (-m.similarity, m.start))
        kept: list[DisclaimerMatch] = []
        for m in found:
            if all(m.end <= k.start or m.start >= k.end for k in kept):
                kept.append(m)
        return sorted(kept, key=lambda m: m.start)

    @staticmethod
    def _partial(hay: str, canon: str) -> tuple[int, int, float] | None:
        """Locate a truncated or reworded copy by seeding on fragments of the wording."""
        step = max(_SEED_LEN, len(canon) // 6)
        for offset in range(0, max(1, len(canon) - _SEED_LEN + 1), step):
            seed = canon[offset : offset + _SEED_LEN]
            idx = hay.find(seed)
            if idx < 0:
                continue
            lo = max(0, idx - offset - len(canon) // 4)
            hi = min(len(hay), idx - offset + len(canon) + len(canon) // 4)
            window = hay[lo:hi]
            sm = SequenceMatcher(None, window, canon, autojunk=False)
            blocks = [b for b in sm.get_matching_blocks() if b.size >= 4]
            covered = sum(b.size for b in blocks)
            sim = covered / len(canon)
            if sim >= ALTERED_MIN and blocks:
                return (
                    lo + blocks[0].a,
                    lo + blocks[-1].a + blocks[-1].size,
                    round(min(sim, 0.998), 3),
                )
        return None


def find_attribution(
    text: str, rules: list[AttributionRule], index: SourceIndex, language: str
) -> list[SourceMention]:
    """Every credit to a source in ``text``, strongest phrasing first, de-duplicated by name."""
    mentions: list[SourceMention] = []
    for rule in rules:
        if not rule.applies_to(language) and language != "und":
            continue
        for m in rule.find(text):
            raw = (m.groupdict().get("source") or "").strip(" \t\"'“”‘’.,:;()[]（）【】「」")
            if not raw:
                raw = m.group().strip()
            known = index.lookup(raw)
            if rule.strength == "weak" and known is None:
                continue
            name = known.name if known else _tidy_name(raw)
            if not name:
                continue
            mentions.append(
                SourceMention(
                    name,
                    rule.id,
                    rule.strength,
                    m.start(),
                    m.end(),
                    m.group().strip(),
                    known is not None,
                )
            )
    mentions.sort(key=lambda x: (x.strength != "strong", not x.known, x.start))
    return mentions


def _tidy_name(raw: str) -> str:
    raw = re.sub(r"^(?:the|a|an)\s+", "", raw.strip(), flags=re.I)
    raw = re.sub(r"['’]s$", "", raw)
    return raw[:80].strip()


def protected_spans(
    text: str,
    rules: RuleSet,
    registry: DisclaimerRegistry,
    attribution: list[AttributionRule],
    index: SourceIndex,
) -> list[Span]:
    """Lines holding a disclaimer or a strong attribution: no chrome rule may remove them."""
    spans = [Span(start=m.start, end=m.end) for m in registry.find(text)]
    for mention in find_attribution(text, attribution, index, "und"):
        if mention.strength == "strong":
            spans.append(Span(start=mention.start, end=mention.end))
    return spans


def _domain(url: str) -> str:
    return (
        (urlsplit(url if "//" in url else f"//{url}").hostname or "").lower().removeprefix("www.")
    )


class CheckDisclosures:
    """Check stage: disclaimer registry, generic statements, attribution and cross-checks."""

    name = "check_disclosures"

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        self.registry = DisclaimerRegistry(rules.disclaimers)
        self.attribution_rules: list[AttributionRule] = rules.of_kind("attribution")
        self.generic_rules = rules.of_kind("generic_disclaimer")
        self.sources = SourceIndex(rules.sources)

    def protected(self, text: str) -> list[Span]:
        """Spans the chrome stage must leave alone."""
        return protected_spans(
            text, self.rules, self.registry, self.attribution_rules, self.sources
        )

    def run(self, ctx: Context) -> None:
        """Fill ``ctx.disclosures`` and add disclaimer/attribution findings."""
        disclaimer = self._disclaimer(ctx)
        attribution = self._attribution(ctx)
        ctx.disclosures = Disclosures(disclaimer=disclaimer, attribution=attribution)

    # -- disclaimer -----------------------------------------------------------------

    def _disclaimer(self, ctx: Context) -> DisclaimerStatus:
        text = ctx.text
        matches = self.registry.find(text)
        generic: list[str] = []
        for rule in self.generic_rules:
            for m in rule.find(text):
                if any(d.start <= m.start() and m.end() <= d.end for d in matches):
                    continue  # part of an approved (or damaged approved) disclaimer
                generic.append(m.group().strip())
                ctx.add(rule, span=(m.start(), m.end()), excerpt=m.group().strip())
                break
        exact = [m for m in matches if m.exact and m.entry.satisfies_requirement]
        if exact:
            best = exact[-1]
            placement = self._placement(text, best.end)
            if placement != "end" and best.entry.placement == "end":
                ctx.add(
                    self.rules.document_rule("disclaimer_placement"),
                    span=(best.start, best.end),
                    excerpt=text[best.start : best.end][:120],
                    message=f"Approved disclaimer {best.entry.id}@{best.entry.version} sits inside the article body, not after it",
                )
            return DisclaimerStatus(
                present=True,
                matched=f"{best.entry.id}@{best.entry.version}",
                similarity=1.0,
                placement=placement,
                generic=generic,
            )
        altered = [m for m in matches if not m.exact]
        if altered:
            best = max(altered, key=lambda m: m.similarity)
            ctx.add(
                self.rules.document_rule("disclaimer_altered"),
                span=(best.start, best.end),
                excerpt=text[best.start : best.end][:160],
                message=(
                    f"Disclaimer differs from approved {best.entry.id}@{best.entry.version}: "
                    f"{best.similarity:.0%} of the approved wording present"
                ),
                signals=[Signal(name="similarity", weight=best.similarity)],
            )
            return DisclaimerStatus(
                present=False,
                matched=f"{best.entry.id}@{best.entry.version}",
                similarity=best.similarity,
                placement=self._placement(text, best.end),
                altered=True,
                generic=generic,
            )
        # Removed with the chrome? Look in the document text for a copy the clean text lost.
        lost = [m for m in self.registry.find(ctx.doc.text) if m.exact]
        if lost:
            m = lost[-1]
            ctx.add(
                self.rules.document_rule("disclaimer_placement"),
                original_span=Span(start=m.start, end=m.end),
                excerpt=ctx.doc.text[m.start : m.end][:120],
                message=f"Approved disclaimer {m.entry.id}@{m.entry.version} only appears in removed page chrome",
            )
            return DisclaimerStatus(
                present=False,
                matched=f"{m.entry.id}@{m.entry.version}",
                placement="chrome",
                generic=generic,
            )
        rule = self.rules.document_rule(
            "disclaimer_generic_only" if generic else "disclaimer_missing"
        )
        ctx.add(rule)
        return DisclaimerStatus(present=False, generic=generic)

    @staticmethod
    def _placement(text: str, end: int) -> str:
        """``end`` if no substantial article line follows the disclaimer, else ``body``."""
        for line in iter_lines(text[end:]):
            letters = sum(ch.isalpha() for ch in line.text)
            if letters >= _BODY_LINE_MIN_LETTERS:
                return "body"
        return "end"

    # -- attribution ----------------------------------------------------------------

    def _attribution(self, ctx: Context) -> AttributionStatus:
        text = ctx.text
        mentions = find_attribution(text, self.attribution_rules, self.sources, ctx.language)
        # Credits that only survive in removed chrome (e.g. "Write to X at") still count as evidence.
        if not mentions:
            mentions = find_attribution(
                ctx.doc.text, self.attribution_rules, self.sources, ctx.language
            )
        links = [href for _label, href in ctx.doc.links]
        if ctx.doc.canonical_url:
            links.append(ctx.doc.canonical_url)
        names: list[str] = []
        for m in mentions:
            if m.name not in names:
                names.append(m.name)
        declared = ctx.options.source
        declared_matches: bool | None = None
        if declared:
            want = self.sources.lookup(declared)
            want_name = want.name if want else declared
            declared_matches = any(
                normalise_plain(n) == normalise_plain(want_name)
                or (self.sources.lookup(n) is not None and self.sources.lookup(n) is want)
                for n in names
            )
            if names and not declared_matches:
                ctx.add(
                    self.rules.document_rule("attribution_mismatch"),
                    message=f"Declared source '{declared}' but the text credits {', '.join(repr(n) for n in names[:3])}",
                    signals=[
                        Signal(name="declared", text=declared),
                        Signal(name="credited", text=", ".join(names)),
                    ],
                )
        if ctx.options.url:
            by_url = self.sources.for_url(ctx.options.url)
            if (
                by_url is not None
                and names
                and all(self.sources.lookup(n) is not by_url for n in names)
            ):
                ctx.add(
                    self.rules.document_rule("url_mismatch"),
                    message=f"URL domain '{_domain(ctx.options.url)}' belongs to {by_url.name} but the text credits {', '.join(repr(n) for n in names[:3])}",
                    signals=[
                        Signal(name="url", text=_domain(ctx.options.url)),
                        Signal(name="credited", text=", ".join(names)),
                    ],
                )
        present = bool(names)
        if not present:
            detail = f" (declared source '{declared}' is not named in the text)" if declared else ""
            rule = self.rules.document_rule("attribution_missing")
            ctx.add(rule, message=rule.message.replace("{match}", "") + detail)
        return AttributionStatus(
            present=present,
            source=names[0] if names else None,
            sources=names,
            evidence=[m.evidence[:200] for m in mentions[:10]],
            links=links[:10],
            declared=declared,
            declared_matches=declared_matches,
        )
