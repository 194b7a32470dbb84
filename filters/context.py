"""The state one article carries through the stages.

Checks read ``ctx.text`` (the article after chrome stripping) and report findings with
offsets in it; the context maps those to the document text at once, and the pipeline maps
them to the final clean text at the end, so every finding has both offsets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from filters.edits import OffsetMap, apply_edits
from filters.load import Document
from filters.models import Disclosures, Edit, Finding, Signal, Span
from filters.rulepack import RuleBase, RuleSet, SiteProfile


@dataclass(frozen=True)
class Options:
    """What the caller asked for."""

    source: str | None = None
    url: str | None = None
    language: str | None = None
    fix: bool = False
    record_id: str | None = None


@dataclass
class Context:
    """Mutable per-article state; owned by one :meth:`Pipeline.check` call."""

    doc: Document
    rules: RuleSet
    options: Options
    language: str = "und"
    language_probability: float | None = None
    block_languages: list[tuple[int, int, str]] = field(default_factory=list)
    profile: SiteProfile | None = None
    protected: list[Span] = field(default_factory=list)
    edits: list[Edit] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    disclosures: Disclosures = field(default_factory=Disclosures)
    errors: list[str] = field(default_factory=list)
    scratch: dict[str, Any] = field(default_factory=dict)
    _text: str | None = None
    _map: OffsetMap | None = None
    _frozen_edits: tuple[Edit, ...] = ()

    def set_stripped(self) -> None:
        """Freeze the text the checks read: the document with the chrome edits applied."""
        self._text = apply_edits(self.doc.text, self.edits)
        self._map = OffsetMap(self.edits)
        self._frozen_edits = tuple(self.edits)

    def stripped_is_final(self) -> bool:
        """Whether no edit was made since :meth:`set_stripped` (the clean text is ``text``)."""
        return (
            self._text is not None
            and len(self.edits) == len(self._frozen_edits)
            and all(a is b for a, b in zip(self.edits, self._frozen_edits, strict=True))
        )

    @property
    def text(self) -> str:
        """The article after chrome stripping (the document text before that stage)."""
        return self._text if self._text is not None else self.doc.text

    def to_original(self, start: int, end: int) -> Span:
        """Document span for a span in :attr:`text`."""
        span = Span(start=start, end=end)
        return self._map.span_to_original(span) if self._map is not None else span

    def add(
        self,
        rule: RuleBase,
        *,
        span: tuple[int, int] | None = None,
        original_span: Span | None = None,
        message: str | None = None,
        excerpt: str | None = None,
        explanation: str = "",
        signals: list[Signal] | None = None,
        speaker: str | None = None,
        severity: str | None = None,
    ) -> Finding:
        """Record a finding of ``rule``; ``span`` is in :attr:`text` coordinates."""
        if span is not None and original_span is None:
            original_span = self.to_original(*span)
        match = excerpt if excerpt is not None else ""
        finding = Finding(
            rule=rule.id,
            name=rule.name,
            category=rule.category,
            severity=severity or rule.severity,
            message=message if message is not None else rule.message.replace("{match}", match),
            original_span=original_span,
            excerpt=excerpt,
            explanation=explanation or rule.rationale,
            citations=list(rule.citations),
            signals=signals or [],
            speaker=speaker,
            status=rule.status,
        )
        self.findings.append(finding)
        return finding
