"""prepub's library: check republished articles before publication.

    >>> import filters
    >>> result = filters.check(text, source="Bloomberg")
    >>> result.decision, result.disclosures.attribution.source

Build a :class:`Pipeline` once per process and reuse it; :func:`check` uses a shared one
with the shipped rule packs.
"""

from __future__ import annotations

__version__ = "0.1.0"

from filters.audit import append_record, verify_log  # noqa: E402
from filters.edits import apply_edits  # noqa: E402
from filters.errors import (  # noqa: E402
    AuditLogError,
    InputError,
    PrepubError,
    RulePackError,
    StageError,
)
from filters.models import (  # noqa: E402
    AttributionStatus,
    AuditRecord,
    DisclaimerStatus,
    Disclosures,
    Edit,
    Finding,
    Result,
    Signal,
    Span,
)
from filters.pipeline import Pipeline, check  # noqa: E402
from filters.rulepack import RuleSet, load_rule_packs  # noqa: E402

__all__ = [
    "AttributionStatus",
    "AuditLogError",
    "AuditRecord",
    "DisclaimerStatus",
    "Disclosures",
    "Edit",
    "Finding",
    "InputError",
    "Pipeline",
    "PrepubError",
    "Result",
    "RulePackError",
    "RuleSet",
    "Signal",
    "Span",
    "StageError",
    "__version__",
    "append_record",
    "apply_edits",
    "check",
    "load_rule_packs",
    "verify_log",
]
