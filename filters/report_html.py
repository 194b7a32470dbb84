"""HTML reports a reviewer reads: one article (``check --format html``) or a batch (``report``).

Safety first, because the article is third-party text and may be hostile. Every page is
self-contained (no external asset, no script of its own), carries a Content-Security-Policy
that allows no script at all and only our own stylesheet (by hash), and every piece of
article text goes through jinja2 with autoescaping on; nothing here concatenates HTML.
Article text only ever appears as element text or in a ``title`` attribute, never as a
link, so a ``javascript:`` URL in an article stays inert text.

Personal data stays masked: findings and edits are masked by the pipeline already, and
the article text shown here masks every unfixed personal-data finding with its masked
excerpt (the clean text itself still holds it when ``fix`` was off).
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from filters import __version__
from filters.edits import replacement_of, sorted_edits
from filters.models import AuditRecord, Disclosures, Edit, Finding, Result, Span
from filters.render import CATEGORY_ORDER, Locate

TEMPLATES = Path(__file__).resolve().parent / "templates"
DECISION_ORDER = {"block": 0, "review": 1, "publish": 2}
_SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


@cache
def _environment() -> Environment:
    """The template environment, built once per process; autoescaping is always on."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    env.globals.update(
        css=Markup(css),  # our own static stylesheet, allowed by its hash below
        csp=(
            "default-src 'none'; script-src 'none'; "
            f"style-src 'sha256-{digest}'; "
            "img-src 'none'; base-uri 'none'; form-action 'none'"
        ),
        tool_version=__version__,
        category_order=CATEGORY_ORDER,
    )
    return env


# --- the article text with findings in place -------------------------------------------


@dataclass(frozen=True)
class Piece:
    """A run of displayed article text and the findings that cover it."""

    text: str
    numbers: tuple[int, ...] = ()
    category: str | None = None
    severity: str | None = None
    title: str = ""
    markers: tuple[int, ...] = ()  # findings that end here: a link to their details
    masked: bool = False


class _Masker:
    """Shows clean text with every unfixed personal-data finding replaced by its mask."""

    def __init__(self, text: str, findings: Iterable[Finding]) -> None:
        self.text = text
        self.masks: list[tuple[int, int, str]] = []
        last_end = -1
        spans = sorted(
            (f.span.start, f.span.end, f.excerpt or "•••")
            for f in findings
            if f.category == "pii"
            and not f.fixed
            and f.span is not None
            and f.span.end > f.span.start
        )
        for start, end, mask in spans:
            if start >= last_end:  # overlapping detections keep the first mask
                self.masks.append((start, end, mask))
                last_end = end

    def pieces(self, a: int, b: int) -> list[tuple[str, bool]]:
        """``(text, masked)`` parts showing ``text[a:b]`` with personal data masked."""
        out: list[tuple[str, bool]] = []
        pos = a
        for start, end, mask in self.masks:
            if end <= pos or start >= b:
                continue
            if start > pos:
                out.append((self.text[pos:start], False))
            if start >= a:  # the mask is shown once, where the personal data starts
                out.append((mask, True))
            pos = min(end, b)
        if pos < b:
            out.append((self.text[pos:b], False))
        return out


def _tooltip(items: Sequence[tuple[int, Finding]]) -> str:
    return "\n".join(f"[{n}] {f.rule} {f.severity}: {f.message}" for n, f in items)


def article_pieces(text: str, findings: Sequence[Finding]) -> list[Piece]:
    """Split the clean text at every finding boundary, masking personal data."""
    masker = _Masker(text, findings)
    spanned = [(n, f, f.span) for n, f in enumerate(findings, 1) if f.span is not None]
    cuts = {0, len(text)}
    for _, _, span in spanned:
        cuts.update((span.start, span.end))
    for start, end, _ in masker.masks:
        cuts.update((start, end))
    bounds = sorted(c for c in cuts if 0 <= c <= len(text))
    pieces: list[Piece] = []
    for i, a in enumerate(bounds):
        empty = [n for n, _, s in spanned if s.start == s.end == a]
        if empty:
            pieces.append(Piece("", markers=tuple(empty)))
        if i + 1 == len(bounds):
            break
        b = bounds[i + 1]
        covering = [
            (n, f) for n, f, s in spanned if s.start <= a and b <= s.end and s.start < s.end
        ]
        ending = tuple(n for n, _, s in spanned if s.end == b and s.start < b)
        top = max(covering, key=lambda nf: _SEVERITY_RANK[nf[1].severity], default=None)
        parts = masker.pieces(a, b)
        for j, (part, masked) in enumerate(parts):
            pieces.append(
                Piece(
                    text=part,
                    numbers=tuple(n for n, _ in covering),
                    category=top[1].category if top else None,
                    severity=top[1].severity if top else None,
                    title=_tooltip(covering),
                    markers=ending if j == len(parts) - 1 else (),
                    masked=masked,
                )
            )
        if not parts and ending:
            pieces.append(Piece("", markers=ending))
    return pieces


# --- original against clean ------------------------------------------------------------


@dataclass(frozen=True)
class DiffPiece:
    """A run of the original-against-clean view: kept, removed or inserted text."""

    kind: str  # "same" | "removed" | "inserted"
    text: str
    rule: str = ""
    reason: str = ""
    masked: bool = False


def diff_pieces(text: str, edits: Sequence[Edit], findings: Sequence[Finding]) -> list[DiffPiece]:
    """Rebuild the original around the clean text from the edits' recorded (masked) text.

    The walk mirrors :func:`filters.edits.apply_edits`: edits in document order, inserts
    after removals at the same position, each shifting the clean offsets that follow.
    """
    masker = _Masker(text, findings)
    out: list[DiffPiece] = []
    shift = 0
    pos = 0
    for edit in sorted_edits(edits):
        start, end = edit.original_span.start, edit.original_span.end
        at = max(pos, min(len(text), start + shift))
        out.extend(DiffPiece("same", t, masked=m) for t, m in masker.pieces(pos, at))
        pos = at
        if edit.kind in ("remove", "redact") and edit.text:
            out.append(DiffPiece("removed", edit.text, edit.rule, edit.reason))
        added = replacement_of(edit)
        if added:
            out.append(DiffPiece("inserted", added, edit.rule, edit.reason))
        pos = min(len(text), pos + len(added))
        shift += len(added) - (end - start)
    out.extend(DiffPiece("same", t, masked=m) for t, m in masker.pieces(pos, len(text)))
    return out


# --- the checklist ---------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One line of the checklist: what was checked, its state and the detail behind it."""

    name: str
    state: str  # "ok" | "warn" | "bad"
    summary: str
    details: list[str] = field(default_factory=list)


def checklist(
    disclosures: Disclosures,
    findings: Sequence[Finding],
    language: str,
    probability: float | None,
    errors: Sequence[str] = (),
) -> list[Check]:
    """Disclaimer, attribution, language and personal data, as a reviewer asks about them."""
    d, a = disclosures.disclaimer, disclosures.attribution
    rows: list[Check] = []
    if d.present:
        detail = [f"matched {d.matched}" if d.matched else "matched"]
        if d.placement:
            detail.append(f"placement: {d.placement}")
        if d.similarity is not None:
            detail.append(f"similarity {d.similarity:.2f}")
        rows.append(Check("Disclaimer", "ok", f"present ({d.matched or 'approved text'})", detail))
    else:
        state, summary = ("warn", "altered") if d.altered else ("bad", "missing")
        detail = [f"closest approved text: {d.matched}"] if d.matched else []
        detail += [f"generic statement found: {g}" for g in d.generic]
        rows.append(Check("Disclaimer", state, summary, detail))
    if a.present:
        names = ", ".join(a.sources) or a.source or "a source"
        detail = [f"evidence: {e}" for e in a.evidence[:5]]
        detail += [f"link: {link}" for link in a.links[:5]]
        state = "ok"
        if a.declared:
            matches = {True: "matches", False: "does not match", None: "not compared"}
            detail.insert(0, f"declared source {a.declared}: {matches[a.declared_matches]}")
            if a.declared_matches is False:
                state = "warn"
        rows.append(Check("Attribution", state, f"credits {names}", detail))
    else:
        detail = [f"declared source {a.declared} not credited in the text"] if a.declared else []
        rows.append(Check("Attribution", "bad", "no source credited", detail))
    lang_findings = [f for f in findings if f.category == "language"]
    lang_state = (
        "warn" if any(f.severity != "info" and not f.fixed for f in lang_findings) else "ok"
    )
    prob = f" (p={probability:.2f})" if probability is not None else ""
    rows.append(
        Check("Language", lang_state, f"{language}{prob}", [f.message for f in lang_findings])
    )
    pii = [f for f in findings if f.category == "pii"]
    if not pii:
        rows.append(Check("Personal data", "ok", "none found"))
    else:
        open_ = [f for f in pii if not f.fixed]
        state = "warn" if open_ else "ok"
        summary = f"{len(pii)} found" + (
            f", {len(pii) - len(open_)} redacted" if len(open_) < len(pii) else ""
        )
        rows.append(Check("Personal data", state, summary, [f.message for f in pii]))
    if errors:
        rows.append(Check("Processing", "bad", f"{len(errors)} stage error(s)", list(errors)))
    return rows


@dataclass(frozen=True)
class Reason:
    """A decision reason with the message of the finding behind it, if any."""

    code: str
    severity: str | None
    message: str


def reasons(codes: Sequence[str], findings: Sequence[Finding]) -> list[Reason]:
    """The decision's reasons, each with what it means (``fixed: CODE`` included)."""
    first: dict[str, Finding] = {}
    for f in findings:
        first.setdefault(f.rule, f)
    out = []
    for code in codes:
        behind = first.get(code.removeprefix("fixed: "))
        if behind is None:
            out.append(Reason(code, None, ""))
        elif code.startswith("fixed: "):
            out.append(Reason(code, None, f"{behind.message} (resolved by the fix)"))
        else:
            out.append(Reason(code, behind.severity, behind.message))
    return out


@dataclass(frozen=True)
class Row:
    """A findings-table row."""

    number: int
    finding: Finding
    position: str


@dataclass(frozen=True)
class EditRow:
    """An edits-table row."""

    edit: Edit
    position: str


def _position(span: Span | None, locate: Locate | None) -> str:
    """Line:column in the input file when known, else character offsets in the document."""
    if locate is not None:
        region = locate(span)
        if region is not None:
            return f"{region.start_line}:{region.start_column}"
    if span is None:
        return "document"
    return f"chars {span.start}–{span.end}"


def _edit_rows(edits: Sequence[Edit], locate: Locate | None) -> list[EditRow]:
    ordered = sorted(edits, key=lambda e: (e.original_span.start, e.original_span.end))
    return [EditRow(e, _position(e.original_span, locate)) for e in ordered]


# --- pages -----------------------------------------------------------------------------


def article_context(
    result: Result, label: str, *, locate: Locate | None = None, anchor: str = "a"
) -> dict[str, Any]:
    """Everything the article template shows, computed in Python so the template stays simple."""
    audit = result.audit
    return {
        "anchor": anchor,
        "label": label,
        "decision": result.decision,
        "reasons": reasons(audit.decision_reasons, result.findings),
        "checks": checklist(
            result.disclosures,
            result.findings,
            result.language,
            audit.language_probability,
            audit.errors,
        ),
        "pieces": article_pieces(result.clean_text, result.findings),
        "diff": diff_pieces(result.clean_text, result.edits, result.findings),
        "rows": [
            Row(n, f, _position(f.original_span, locate)) for n, f in enumerate(result.findings, 1)
        ],
        "edits": _edit_rows(result.edits, locate),
        "audit": audit,
        "categories": sorted(
            {f.category for f in result.findings if f.span is not None},
            key=CATEGORY_ORDER.index,
        ),
        "positions_in": "input file" if locate is not None else "document text",
    }


def render_article_html(result: Result, label: str, *, locate: Locate | None = None) -> str:
    """One self-contained page for one checked article."""
    template = _environment().get_template("article.html.j2")
    return template.render(article=article_context(result, label, locate=locate))


@dataclass(frozen=True)
class Bar:
    """One bar of an inline SVG chart, laid out in Python."""

    label: str
    count: int
    y: int
    width: int
    css: str


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart: title, bars, and the SVG's height."""

    title: str
    bars: list[Bar]
    height: int
    total: int


BAR_WIDTH = 240
ROW_HEIGHT = 22


def bar_chart(
    title: str, counts: Counter[str], *, css: str = "", limit: int = 12, keep_order: bool = False
) -> Chart:
    """The ``limit`` largest counts as bars (or all in their order); the rest summed as 'others'."""
    items = list(counts.items()) if keep_order else counts.most_common()
    if len(items) > limit:
        rest = sum(c for _, c in items[limit - 1 :])
        items = items[: limit - 1] + [(f"{len(counts) - limit + 1} others", rest)]
    top = max((c for _, c in items), default=0) or 1
    bars = [
        Bar(
            label=label if len(label) <= 28 else label[:27] + "…",
            count=count,
            y=i * ROW_HEIGHT,
            width=max(2, round(BAR_WIDTH * count / top)),
            css=f"{css}{label}" if css else "bar",
        )
        for i, (label, count) in enumerate(items)
    ]
    return Chart(title, bars, max(1, len(bars)) * ROW_HEIGHT, sum(counts.values()))


@dataclass(frozen=True)
class BatchEntry:
    """One audit record in the batch report."""

    anchor: str
    label: str
    record: AuditRecord
    reasons: list[Reason]
    checks: list[Check]
    rows: list[Row]
    edits: list[EditRow]


def _label(record: AuditRecord, line: int) -> str:
    return (
        record.input.id
        or record.input.url
        or f"record {record.seq if record.seq is not None else line}"
    )


def _source(record: AuditRecord) -> str:
    return record.input.source or record.disclosures.attribution.source or "(none)"


def batch_context(
    records: Sequence[tuple[int, AuditRecord]],
    *,
    title: str,
    problems: Sequence[str] = (),
    chain: str | None = None,
) -> dict[str, Any]:
    """Counts, charts and per-article entries for a batch of audit records."""
    entries = [
        BatchEntry(
            anchor=f"a{i}",
            label=_label(rec, line),
            record=rec,
            reasons=reasons(rec.decision_reasons, rec.findings),
            checks=checklist(
                rec.disclosures, rec.findings, rec.language, rec.language_probability, rec.errors
            ),
            rows=[
                Row(n, f, _position(f.original_span, None)) for n, f in enumerate(rec.findings, 1)
            ],
            edits=_edit_rows(rec.edits, None),
        )
        for i, (line, rec) in enumerate(records, 1)
    ]
    queue = sorted(entries, key=lambda e: DECISION_ORDER[e.record.decision])  # stable: log order
    decisions: Counter[str] = Counter({d: 0 for d in DECISION_ORDER})
    decisions.update(e.record.decision for e in entries)
    categories: Counter[str] = Counter(f.category for e in entries for f in e.record.findings)
    rules: Counter[str] = Counter(f.rule for e in entries for f in e.record.findings)
    sources: Counter[str] = Counter(_source(e.record) for e in entries)
    languages: Counter[str] = Counter(e.record.language for e in entries)
    return {
        "title": title,
        "total": len(entries),
        "decisions": decisions,
        "charts": [
            bar_chart("Decisions", decisions, css="decision-", keep_order=True),
            bar_chart("Findings by category", categories, css="cat-"),
            bar_chart("Findings by rule", rules),
            bar_chart("Articles by source", sources),
            bar_chart("Articles by language", languages),
        ],
        "queue": queue,
        "problems": list(problems),
        "chain": chain,
    }


def render_batch_html(
    records: Sequence[tuple[int, AuditRecord]],
    *,
    title: str = "prepub batch report",
    problems: Sequence[str] = (),
    chain: str | None = None,
) -> str:
    """One self-contained page summarising a batch of audit records."""
    template = _environment().get_template("batch.html.j2")
    return template.render(
        batch=batch_context(records, title=title, problems=problems, chain=chain)
    )


def read_audit_log(path: str | Path) -> tuple[list[tuple[int, AuditRecord]], list[str]]:
    """Valid records of an audit log with their line numbers, and one note per bad line.

    Raises:
        InputError: the file is missing, a directory, or holds no record at all.
    """
    from pydantic import ValidationError

    from filters.audit import iter_records
    from filters.errors import InputError

    log = Path(path)
    if log.is_dir():
        raise InputError(f"{log}: is a directory")
    if not log.is_file():
        raise InputError(f"{log}: no such audit log")
    records: list[tuple[int, AuditRecord]] = []
    problems: list[str] = []
    try:
        for number, data, _raw in iter_records(log):
            if data is None:
                problems.append(f"line {number}: not a JSON object")
                continue
            try:
                records.append((number, AuditRecord.model_validate(data)))
            except ValidationError as exc:
                problems.append(f"line {number}: not an audit record ({exc.error_count()} errors)")
    except OSError as exc:
        raise InputError(f"{log}: cannot read: {exc.strerror}") from None
    if not records:
        raise InputError(f"{log}: no audit records" + (f" ({problems[0]})" if problems else ""))
    return records, problems
