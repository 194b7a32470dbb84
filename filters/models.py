"""The data prepub returns: findings, edits, disclosures, the audit record and the result.

All models are pydantic v2, frozen, and reject unknown keys, so a record read back from
an audit log is validated exactly like one the pipeline produced.

Offsets: ``original_span`` indexes the *document text* (the decoded input for text, the
extracted block text for HTML; see :func:`filters.load.load_document`), ``span``
indexes ``Result.clean_text``. Both are half-open ``[start, end)`` character offsets.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Category = Literal["chrome", "disclaimer", "attribution", "advice", "pii", "language", "input"]
Severity = Literal["info", "warning", "error"]
Decision = Literal["publish", "review", "block"]
EditKind = Literal["remove", "insert", "redact"]

SEVERITY_RANK: dict[str, int] = {"info": 0, "warning": 1, "error": 2}

SCHEMA_VERSION = 1


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Span(_Model):
    """A half-open character range ``[start, end)``."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)


class Signal(_Model):
    """One piece of evidence behind a finding (a cue that fired, a context word, a score)."""

    name: str
    text: str | None = None
    weight: float | None = None


class Finding(_Model):
    """One thing a check noticed. Findings never change text."""

    rule: str = Field(description="Stable rule code, e.g. ADV-EN-001.")
    name: str
    category: Category
    severity: Severity
    message: str
    span: Span | None = Field(
        default=None, description="Offsets in clean_text; None for document-level findings."
    )
    original_span: Span | None = Field(
        default=None, description="Offsets in the document text; None for document-level."
    )
    excerpt: str | None = Field(default=None, description="Matched text; masked for PII.")
    explanation: str = ""
    citations: list[str] = Field(default_factory=list)
    signals: list[Signal] = Field(default_factory=list)
    speaker: str | None = Field(default=None, description="Who says it; None = the publisher.")
    status: Literal["active", "trial"] = "active"
    fixed: bool = Field(default=False, description="True when a --fix edit resolved it.")


class Edit(_Model):
    """One change a transform made, in document-text coordinates.

    Applying every edit of a result to the document text gives ``clean_text``
    (see :func:`filters.edits.apply_edits`). For ``redact`` edits ``text`` is masked and
    ``replacement`` holds what was written instead.
    """

    kind: EditKind
    rule: str
    original_span: Span
    text: str
    replacement: str = ""
    reason: str


class DisclaimerStatus(_Model):
    """Whether an approved disclaimer is in the clean text, and which one."""

    present: bool = False
    matched: str | None = Field(default=None, description="Registry id@version, or None.")
    similarity: float | None = None
    placement: Literal["end", "body", "chrome", "inserted"] | None = None
    altered: bool = False
    language: str | None = Field(default=None, description="Language of the matched wording.")
    certainty: Literal["confirmed", "unconfirmed"] | None = Field(
        default=None, description="How certain the registry is of the matched wording."
    )
    generic: list[str] = Field(
        default_factory=list,
        description="Generic not-advice statements found; recognised, not sufficient.",
    )


class SourceCredit(_Model):
    """One credit to an original source, as found in the document text."""

    name: str = Field(description="Canonical name of a known source, else the name as written.")
    known: bool = Field(description="True when the name is in the known-sources list.")
    kind: str | None = Field(default=None, description="Known source's kind (wire, crypto ...).")
    rule: str = Field(description="Attribution rule whose phrasing credited it.")
    evidence: str = Field(description="The crediting phrase as written.")
    original_span: Span = Field(description="Offsets of the phrase in the document text.")
    in_chrome: bool = Field(
        default=False, description="True when the phrase sits in page chrome that was removed."
    )


class AttributionStatus(_Model):
    """Whether the original source is credited, and by which name."""

    present: bool = False
    source: str | None = None
    sources: list[str] = Field(default_factory=list)
    evidence: list[str] = Field(default_factory=list)
    credits: list[SourceCredit] = Field(
        default_factory=list, description="Every credit found, strongest first."
    )
    links: list[str] = Field(default_factory=list, description="View-original / canonical URLs.")
    declared: str | None = None
    declared_matches: bool | None = None
    url_source: str | None = Field(
        default=None, description="Known source whose domain serves the declared url."
    )
    url_matches: bool | None = Field(
        default=None, description="Whether the text credits the url's source (None: not known)."
    )


class Disclosures(_Model):
    """What the disclosures stage found, for pipelines that act without parsing messages."""

    disclaimer: DisclaimerStatus = Field(default_factory=DisclaimerStatus)
    attribution: AttributionStatus = Field(default_factory=AttributionStatus)


class RulePackRef(_Model):
    """A rule pack as recorded in the audit: name, version and content hash."""

    name: str
    version: str
    sha256: str


class StageRecord(_Model):
    """How long one stage took and what it produced."""

    name: str
    duration_ms: float
    findings: int = 0
    edits: int = 0


class InputRecord(_Model):
    """What came in: hashes and declared metadata, never the content itself."""

    sha256: str
    bytes: int
    content_type: Literal["text", "html"]
    encoding: str
    source: str | None = None
    url: str | None = None
    id: str | None = None


class AuditRecord(_Model):
    """One record per article per run; appended to a chained JSONL log.

    ``seq``, ``prev_hash`` and ``record_hash`` are filled in by
    :func:`filters.audit.append_record` when the record joins a log.
    """

    schema_version: int = SCHEMA_VERSION
    tool_version: str
    created_at: str
    input: InputRecord
    output_sha256: str
    language: str
    language_probability: float | None = None
    rule_packs: list[RulePackRef]
    settings: dict[str, Any] = Field(default_factory=dict)
    findings: list[Finding]
    edits: list[Edit]
    disclosures: Disclosures
    decision: Decision
    decision_reasons: list[str]
    stages: list[StageRecord]
    errors: list[str] = Field(default_factory=list)
    seq: int | None = None
    prev_hash: str | None = None
    record_hash: str | None = None


class Result(_Model):
    """What :func:`filters.check` returns."""

    decision: Decision
    clean_text: str
    language: str
    findings: list[Finding]
    edits: list[Edit]
    disclosures: Disclosures
    audit: AuditRecord
