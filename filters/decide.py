"""The decision policy: one pure function from findings to publish, review or block.

Only active, unfixed findings count: any ``error`` blocks, any ``warning`` sends the article
to review, and ``info`` is recorded without effect. Trial rules are logged, never decisive.
A stage that failed makes the article fail closed (``block``).
"""

from __future__ import annotations

from collections.abc import Sequence

from filters.models import Decision, Finding


def decide(findings: Sequence[Finding], errors: Sequence[str] = ()) -> tuple[Decision, list[str]]:
    """Return the decision and the rule codes that drove it (or the reason it is clean)."""
    if errors:
        return "block", [f"stage error: {e}" for e in errors]
    active = [f for f in findings if f.status == "active" and not f.fixed]
    errors_ = sorted({f.rule for f in active if f.severity == "error"})
    if errors_:
        return "block", errors_
    warnings = sorted({f.rule for f in active if f.severity == "warning"})
    if warnings:
        return "review", warnings
    fixed = sorted({f.rule for f in findings if f.fixed})
    if fixed:
        return "publish", [f"fixed: {code}" for code in fixed]
    return "publish", []
