"""Strip page chrome: UI labels, counters and page furniture that leaked into the article.

A text line is chrome only when the *whole* line (bullets and whitespace aside) is a UI
label or counter from a ``strip`` rule: a sentence that merely contains "Comment" or
"Share" stays. For HTML, a block inside navigation, sidebars, share bars, comment
widgets and similar furniture (see :mod:`filters.html`) is removed as well. Lines holding
a disclaimer or a strong attribution are protected and never removed.

Every removal is an :class:`~filters.models.Edit` with the rule code and the removed text,
and the blank lines a removal leaves behind are collapsed by edits of their own
(``CHR-000``), so the clean text is exactly the document text with the edits applied.
"""

from __future__ import annotations

import bisect
from urllib.parse import urlsplit

from filters.check_disclosures import CheckDisclosures
from filters.context import Context
from filters.load import Block
from filters.models import Edit, Span
from filters.rulepack import RuleSet, SiteProfile, StripRule
from filters.textnorm import Line, iter_lines, label_of

_MAX_LABEL_CHARS = 120  # chrome labels are short; longer lines are prose and never matched


class StripChrome:
    """Transform stage: removes chrome lines and blocks, one edit each."""

    name = "strip_chrome"

    def __init__(self, rules: RuleSet, disclosures: CheckDisclosures) -> None:
        self.rules = rules
        self.strip_rules: list[StripRule] = rules.of_kind("strip")
        self.whitespace_rule = next((r for r in self.strip_rules if r.id == "CHR-000"), None)
        self.html_rule = next((r for r in self.strip_rules if r.selectors), None)
        self.disclosures = disclosures
        self.profiles = rules.profiles

    def pick_profile(self, url: str | None, text: str) -> SiteProfile | None:
        """The republishing platform, from the URL's domain or from markers in the content."""
        if url:
            host = (urlsplit(url if "//" in url else f"//{url}").hostname or "").lower()
            for profile in self.profiles:
                if any(host == d or host.endswith("." + d) for d in profile.domains):
                    return profile
        head = text[:20000]
        tail = text[-20000:]
        for profile in self.profiles:
            if any(marker in head or marker in tail for marker in profile.markers):
                return profile
        return None

    def rules_for(self, profile: SiteProfile | None, language: str) -> list[StripRule]:
        """Generic rules plus those of the detected platform."""
        pid = profile.id if profile else None
        return [
            r
            for r in self.strip_rules
            if (not r.profiles or pid in r.profiles)
            and r.status == "active"
            and (r.phrases or r.regex)
        ]

    def line_rule(self, line: str, rules: list[StripRule]) -> StripRule | None:
        """The rule that makes this whole line chrome, if any."""
        label = label_of(line)
        if not label or len(label) > _MAX_LABEL_CHARS:
            return None
        for rule in rules:
            if rule.matches_line(label):
                return rule
        return None

    def run(self, ctx: Context) -> None:
        """Find chrome, record the edits, and freeze the stripped text for the checks."""
        text = ctx.doc.text
        ctx.profile = self.pick_profile(ctx.options.url, text)
        ctx.protected = self.disclosures.protected(text)
        rules = self.rules_for(ctx.profile, ctx.language)
        lines = list(iter_lines(text))
        removed: dict[int, tuple[str, str]] = {}

        # HTML furniture: whole blocks outside the article body, or flagged by the DOM walk.
        if ctx.doc.blocks and self.html_rule is not None:
            starts = [line.start for line in lines]
            for block in ctx.doc.blocks:
                reason = self._block_reason(block, ctx.doc.extractor)
                if reason is None or self._is_protected(ctx, block.start, block.end):
                    continue
                i = bisect.bisect_left(starts, block.start)
                while i < len(lines) and lines[i].end <= block.end:
                    removed[i] = (self.html_rule.id, reason)
                    i += 1

        for i, line in enumerate(lines):
            if i in removed:
                continue
            rule = self.line_rule(line.text, rules)
            if rule is None or self._is_protected(ctx, line.start, line.end):
                continue
            removed[i] = (rule.id, rule.message.replace("{match}", label_of(line.text)))

        ctx.edits.extend(self._edits(text, lines, removed))
        ctx.set_stripped()
        if not any(ch.isalnum() for ch in ctx.text):
            ctx.add(self.rules.document_rule("input_empty"))

    @staticmethod
    def _block_reason(block: Block, extractor: str | None) -> str | None:
        """Why an HTML block is furniture, or None when it is article text."""
        if block.chrome_hint == "hidden":
            return "HTML hidden element"
        if block.main is False:
            return f"HTML {block.tag} outside the article body ({extractor})"
        if block.main is None and block.chrome_hint is not None:
            return f"HTML {block.tag} in {block.chrome_hint}"
        return None

    @staticmethod
    def _is_protected(ctx: Context, start: int, end: int) -> bool:
        return any(p.start < end and start < p.end for p in ctx.protected)

    def _edits(
        self, text: str, lines: list[Line], removed: dict[int, tuple[str, str]]
    ) -> list[Edit]:
        """One removal edit per chrome line, then the blank lines the removals left."""
        edits = [
            Edit(
                kind="remove",
                rule=removed[i][0],
                original_span=Span(start=line.start, end=line.stop),
                text=text[line.start : line.stop],
                reason=removed[i][1],
            )
            for i, line in enumerate(lines)
            if i in removed
        ]
        rule_id = self.whitespace_rule.id if self.whitespace_rule else "CHR-000"
        kept = [line for i, line in enumerate(lines) if i not in removed]
        last_content = max((j for j, line in enumerate(kept) if line.text.strip()), default=-1)
        prev_blank = True  # blank lines at the top go
        for j, line in enumerate(kept):
            blank = not line.text.strip()
            if blank and (prev_blank or j > last_content):
                edits.append(
                    Edit(
                        kind="remove",
                        rule=rule_id,
                        original_span=Span(start=line.start, end=line.stop),
                        text=text[line.start : line.stop],
                        reason="blank line left by removed chrome",
                    )
                )
                continue
            prev_blank = blank
        return edits
