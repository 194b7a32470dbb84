"""Opt-in fixes (``fix=True`` / ``--fix``): insert the approved disclaimer, redact personal data.

Fixes are a transform: each one is an :class:`~filters.models.Edit` (``insert`` or
``redact``), and the finding it resolves is marked ``fixed`` so the decision can say so.
Advice wording is never rewritten: a reviewer decides on it.
"""

from __future__ import annotations

from filters.context import Context
from filters.models import DisclaimerStatus, Edit, Span
from filters.rulepack import DisclaimerEntry, RuleSet

_FIXABLE_DISCLAIMER = {"disclaimer_missing", "disclaimer_generic_only"}


class ApplyFixes:
    """Transform stage, run only when the caller asks for fixes."""

    name = "apply_fixes"

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        self.fixable_disclaimer_rules = {
            r.id for r in rules.of_kind("document") if r.check in _FIXABLE_DISCLAIMER
        }

    def disclaimer_for(self, ctx: Context) -> DisclaimerEntry | None:
        """The approved disclaimer for the article's platform and language."""
        entries = [e for e in self.rules.disclaimers if e.satisfies_requirement]
        if ctx.profile and ctx.profile.disclaimers:
            preferred = [e for e in entries if e.id in ctx.profile.disclaimers]
            entries = preferred or entries
        for lang in (ctx.language, "en"):
            for entry in entries:
                if entry.language == lang:
                    return entry
        return entries[0] if entries else None

    def run(self, ctx: Context) -> None:
        """Apply every fix the findings allow, marking the findings fixed."""
        if not ctx.options.fix:
            return
        fixed_rules: set[int] = set()
        for i, finding in enumerate(ctx.findings):
            if finding.rule in self.fixable_disclaimer_rules:
                entry = self.disclaimer_for(ctx)
                if entry is None:
                    continue
                end = len(ctx.doc.text)
                sep = (
                    ""
                    if ctx.doc.text.endswith("\n\n")
                    else ("\n" if ctx.doc.text.endswith("\n") else "\n\n")
                )
                ctx.edits.append(
                    Edit(
                        kind="insert",
                        rule=finding.rule,
                        original_span=Span(start=end, end=end),
                        text=f"{sep}{entry.text}\n",
                        reason=f"inserted approved disclaimer {entry.id}@{entry.version}",
                    )
                )
                fixed_rules.add(i)
                ctx.disclosures = ctx.disclosures.model_copy(
                    update={
                        "disclaimer": DisclaimerStatus(
                            present=True,
                            matched=f"{entry.id}@{entry.version}",
                            similarity=1.0,
                            placement="inserted",
                            generic=ctx.disclosures.disclaimer.generic,
                        )
                    }
                )
        for hit, rule, masked in ctx.scratch.get("pii", []):
            if not hit.redact:  # the policy says flag, or it is an organisation's contact
                continue
            span = ctx.to_original(hit.start, hit.end)
            if any(  # a value split by removed chrome: leave it to the reviewer, never overlap
                e.original_span.start < span.end and span.start < e.original_span.end
                for e in ctx.edits
            ):
                continue
            ctx.edits.append(
                Edit(
                    kind="redact",
                    rule=rule.id,
                    original_span=span,
                    text=masked,
                    replacement=f"[{hit.entity}]",
                    reason=f"redacted {hit.entity} by policy",
                )
            )
            for i, finding in enumerate(ctx.findings):
                if finding.rule == rule.id and finding.original_span == span:
                    fixed_rules.add(i)
        for i in fixed_rules:
            ctx.findings[i] = ctx.findings[i].model_copy(update={"fixed": True})
