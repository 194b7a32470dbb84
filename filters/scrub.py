"""Masking personal data in everything prepub writes about an article.

Findings of other stages quote the article (an advice sentence, a removed chrome line,
attribution evidence) and may carry an e-mail address or a phone number with them. Every
string that leaves the pipeline in a finding, edit or disclosure passes through
:class:`Scrubber`, which masks what the PII stage would find, so neither results nor audit
logs become a second copy of personal data. The article's own clean text is not masked
unless the caller asks for redaction (``fix=True``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from filters.models import Disclosures, Edit, Finding

if TYPE_CHECKING:
    from filters.detect_pii import DetectPii


class Scrubber:
    """Masks personal data inside strings, using the PII stage's own detector."""

    def __init__(self, pii: DetectPii) -> None:
        self.pii = pii

    def text(self, value: str | None) -> str | None:
        """``value`` with every personal-data hit replaced by its masked form."""
        if not value:
            return value
        from filters.detect_pii import candidate_windows, mask

        if not candidate_windows(value):
            return value
        out = []
        pos = 0
        # Permissive: a quoted sentence has lost the context words that made a hit count,
        # and masking a doubtful value costs nothing.
        for hit in self.pii.analyze(value, permissive=True):
            out.append(value[pos : hit.start])
            out.append(mask(hit.entity, value[hit.start : hit.end]))
            pos = hit.end
        out.append(value[pos:])
        return "".join(out)

    def finding(self, finding: Finding) -> Finding:
        """A finding whose quoted strings are masked (PII findings are masked already)."""
        if finding.category == "pii":
            return finding
        update = {
            "excerpt": self.text(finding.excerpt),
            "message": self.text(finding.message) or "",
            "explanation": self.text(finding.explanation) or "",
            "signals": [
                s.model_copy(update={"text": self.text(s.text)}) if s.text else s
                for s in finding.signals
            ],
        }
        return finding.model_copy(update=update)

    def edit(self, edit: Edit) -> Edit:
        """An edit whose recorded text and reason are masked; spans are unchanged, so replay works."""
        if edit.kind != "remove":
            return edit
        return edit.model_copy(
            update={"text": self.text(edit.text) or "", "reason": self.text(edit.reason) or ""}
        )

    def disclosures(self, disclosures: Disclosures) -> Disclosures:
        """Attribution evidence (the list and each credit's phrase) with personal data masked."""
        att = disclosures.attribution
        evidence = [self.text(e) or "" for e in att.evidence]
        credits = [
            c.model_copy(update={"evidence": self.text(c.evidence) or ""}) for c in att.credits
        ]
        return disclosures.model_copy(
            update={
                "attribution": att.model_copy(update={"evidence": evidence, "credits": credits})
            }
        )
