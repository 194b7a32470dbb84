"""Opt-in fixes (``fix=True`` / ``--fix``): insert the approved disclaimer, redact personal data.

Fixes are a transform: each one is an :class:`~filters.models.Edit` (``insert`` or
``redact``), and the finding it resolves is marked ``fixed`` so the decision can say so.
Advice wording is never rewritten: a reviewer decides on it.
"""

from __future__ import annotations

from filters.check_disclosures import expected_disclaimer
from filters.context import Context
from filters.models import DisclaimerStatus, Edit, Span
from filters.rulepack import DisclaimerEntry, RuleSet

_FIXABLE_DISCLAIMER = {"disclaimer_missing", "disclaimer_generic_only", "disclaimer_placement"}


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
        return expected_disclaimer(self.rules.disclaimers, ctx.profile, ctx.language, ctx.text)

    def _fix_disclaimer(self, ctx: Context) -> list[int]:
        """Append the approved disclaimer when it is missing (or only in removed chrome).

        An altered copy or one in the middle of the article is left for a reviewer:
        appending a second copy would not make the damaged one right.
        """
        status = ctx.disclosures.disclaimer
        if status.present or status.altered:
            return []
        todo = [i for i, f in enumerate(ctx.findings) if f.rule in self.fixable_disclaimer_rules]
        entry = self.disclaimer_for(ctx) if todo else None
        if entry is None:
            return []
        end = len(ctx.doc.text)
        tail = ctx.doc.text.rstrip(" \t")
        sep = "" if tail.endswith("\n\n") else ("\n" if tail.endswith("\n") else "\n\n")
        ctx.edits.append(
            Edit(
                kind="insert",
                rule=ctx.findings[todo[0]].rule,
                original_span=Span(start=end, end=end),
                text=f"{sep}{entry.text}\n",
                reason=(
                    f"inserted approved disclaimer {entry.id}@{entry.version} ({entry.language}"
                    + (", wording unconfirmed" if entry.certainty != "confirmed" else "")
                    + ")"
                ),
            )
        )
        ctx.disclosures = ctx.disclosures.model_copy(
            update={
                "disclaimer": DisclaimerStatus(
                    present=True,
                    matched=f"{entry.id}@{entry.version}",
                    similarity=1.0,
                    placement="inserted",
                    language=entry.language,
                    certainty=entry.certainty,
                    generic=status.generic,
                )
            }
        )
        return todo

    def run(self, ctx: Context) -> None:
        """Apply every fix the findings allow, marking the findings fixed."""
        if not ctx.options.fix:
            return
        fixed_rules: set[int] = set(self._fix_disclaimer(ctx))
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
