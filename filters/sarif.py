"""SARIF 2.1.0 output, so code-review tools annotate article files in a content repository.

One run per invocation: ``tool.driver`` lists every rule of the loaded packs (name, message,
rationale, citations), and each finding becomes a result with its level and a region in
the input file. For text inputs the region is the finding's ``original_span`` as line and
column of the file. For HTML inputs it is where the finding's text sits in the HTML
source (see :mod:`filters.locate`); a finding whose text cannot be placed there, and a
document-level finding (a missing disclaimer), points at the file as a whole. Columns
count Unicode code points (``columnKind``). Inputs that could not be read are reported
as tool execution notifications, so no input is lost silently.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from filters import __version__
from filters.locate import SourceLocator
from filters.models import Finding, Result
from filters.rulepack import RuleSet

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}


@dataclass(frozen=True)
class SarifInput:
    """One checked input: its path as given (``-`` for stdin), its result and its locator."""

    path: str
    result: Result
    locator: SourceLocator | None = None


@dataclass(frozen=True)
class SarifError:
    """An input that could not be checked, and why."""

    path: str
    message: str


def artifact_uri(path: str) -> str | None:
    """The artifact URI for a path: relative paths stay relative (as review tools expect)."""
    if path == "-":
        return None
    p = Path(path)
    if p.is_absolute():
        return p.as_uri()
    return quote(p.as_posix(), safe="/")


def _artifact_location(path: str, index: int | None = None) -> dict[str, Any]:
    uri = artifact_uri(path)
    loc: dict[str, Any] = (
        {"uri": uri} if uri is not None else {"description": {"text": "standard input"}}
    )
    if index is not None:
        loc["index"] = index
    return loc


def _rule_descriptor(rule: Any) -> dict[str, Any]:
    short = rule.message.replace("{match}", "…").replace(": '…'", "").strip()
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": short},
        "fullDescription": {"text": rule.rationale},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {
            "category": rule.category,
            "kind": rule.kind,
            "status": rule.status,
            "citations": list(rule.citations),
            "languages": list(rule.languages),
            "tags": ["prepub", rule.category],
        },
    }


def _unknown_rule(finding: Finding) -> dict[str, Any]:
    """A descriptor for a finding whose rule is not in the loaded packs (never expected)."""
    return {
        "id": finding.rule,
        "name": finding.name,
        "shortDescription": {"text": finding.name},
        "fullDescription": {"text": finding.explanation or finding.message},
        "defaultConfiguration": {"level": LEVELS[finding.severity]},
        "properties": {"category": finding.category, "citations": list(finding.citations)},
    }


def _result(finding: Finding, item: SarifInput, artifact: int, rule_index: int) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": _artifact_location(item.path, artifact)}
    region = item.locator.region(finding.original_span) if item.locator else None
    if region is not None:
        physical["region"] = {
            "startLine": region.start_line,
            "startColumn": region.start_column,
            "endLine": region.end_line,
            "endColumn": region.end_column,
        }
    text = finding.message
    if finding.speaker:
        text += f" (speaker: {finding.speaker})"
    out: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": text},
        "locations": [{"physicalLocation": physical}],
        "properties": {
            "category": finding.category,
            "severity": finding.severity,
            "explanation": finding.explanation,
            "citations": list(finding.citations),
            "speaker": finding.speaker,
            "status": finding.status,
            "fixed": finding.fixed,
            "excerpt": finding.excerpt,
            "documentSpan": (
                [finding.original_span.start, finding.original_span.end]
                if finding.original_span
                else None
            ),
        },
    }
    return out


def build_sarif(
    inputs: list[SarifInput], rules: RuleSet, errors: list[SarifError] | None = None
) -> dict[str, Any]:
    """The SARIF log as a dict: one run, the driver's rules, one result per finding."""
    descriptors = [_rule_descriptor(r) for r in sorted(rules.rules, key=lambda r: r.id)]
    index = {d["id"]: i for i, d in enumerate(descriptors)}
    artifacts: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    for item in inputs:
        audit = item.result.audit
        artifacts.append(
            {
                "location": _artifact_location(item.path),
                "length": audit.input.bytes,
                "mimeType": "text/html" if audit.input.content_type == "html" else "text/plain",
                "hashes": {"sha-256": audit.input.sha256},
                "properties": {
                    "decision": item.result.decision,
                    "decisionReasons": list(audit.decision_reasons),
                    "language": item.result.language,
                    "mapping": (
                        "html-source-text" if audit.input.content_type == "html" else "text"
                    ),
                },
            }
        )
        for finding in item.result.findings:
            if finding.rule not in index:
                index[finding.rule] = len(descriptors)
                descriptors.append(_unknown_rule(finding))
            results.append(_result(finding, item, len(artifacts) - 1, index[finding.rule]))
    notifications = [
        {
            "level": "error",
            "message": {"text": e.message},
            "locations": [{"physicalLocation": {"artifactLocation": _artifact_location(e.path)}}],
        }
        for e in errors or []
    ]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "prepub",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": descriptors,
                "properties": {
                    "rulePacks": [ref.model_dump() for ref in rules.refs],
                },
            }
        },
        "invocations": [
            {
                "executionSuccessful": not errors,
                "toolExecutionNotifications": notifications,
            }
        ],
        "columnKind": "unicodeCodePoints",
        "artifacts": artifacts,
        "results": results,
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render_sarif(
    inputs: list[SarifInput], rules: RuleSet, errors: list[SarifError] | None = None
) -> str:
    """The SARIF log as JSON text."""
    return json.dumps(build_sarif(inputs, rules, errors), ensure_ascii=False, indent=2)
