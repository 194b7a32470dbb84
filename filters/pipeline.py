"""The pipeline: the stage order in one place, and the public ``check`` entry points.

    load -> detect_language -> strip_chrome -> check_disclosures -> flag_advice
         -> detect_pii -> apply_fixes (opt-in) -> decide -> Result + AuditRecord

A :class:`Pipeline` compiles its rule packs and builds its stages once; ``check`` keeps all
per-article state in a fresh :class:`~filters.context.Context`, so one pipeline can serve
many threads. It pickles as its loaded rule packs (about 50 KB, no files needed on the other
side) and rebuilds in the receiving process in milliseconds; :meth:`Pipeline.warm_up` loads
the lazily built parts (presidio, langdetect profiles) before the first article arrives.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import re
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from filters import __version__
from filters.apply_fixes import ApplyFixes
from filters.check_disclosures import CheckDisclosures
from filters.context import Context, Options
from filters.decide import decide
from filters.detect_language import DetectLanguage
from filters.detect_pii import DetectPii
from filters.edits import OffsetMap, apply_edits, check_edits
from filters.errors import InputError, PrepubError
from filters.flag_advice import FlagAdvice
from filters.load import DEFAULT_MAX_BYTES, ContentType, Document, load_document
from filters.models import (
    AuditRecord,
    Disclosures,
    Edit,
    Finding,
    InputRecord,
    Result,
    StageRecord,
)
from filters.rulepack import RuleSet, load_rule_packs
from filters.scrub import Scrubber

log = logging.getLogger(__name__)


class Pipeline:
    """A reusable, thread-safe checker. Build once per process; call :meth:`check` often."""

    def __init__(
        self,
        rules: str | Path | RuleSet | None = None,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        pii_engine: Any | None = None,
        ner_model: str | None = None,
    ) -> None:
        self.rules = rules if isinstance(rules, RuleSet) else load_rule_packs(rules)
        self._custom_pii_engine = pii_engine is not None
        self.ner_model = ner_model
        if ner_model:  # PERSON and LOCATION need the model, so their policy ships apart
            from filters.detect_pii import with_ner_rules

            self.rules = with_ner_rules(self.rules)
        self.max_bytes = max_bytes
        # Compiled stages are shared by every pipeline on the same rule set (RuleSet.shared).
        disclosures = self.rules.shared(CheckDisclosures)
        from filters.strip_chrome import StripChrome

        self.pii = DetectPii(self.rules, engine=pii_engine, ner_model=ner_model)
        # The stage order, read as a sentence.
        self.stages: tuple[Any, ...] = (
            DetectLanguage(self.rules),
            self.rules.shared(StripChrome, disclosures),
            disclosures,
            self.rules.shared(FlagAdvice),
            self.pii,
            ApplyFixes(self.rules),
        )
        self.scrubber = _CachingScrubber(self.pii)
        self._pack_refs = tuple(self.rules.refs)  # frozen models: shared by every record

    def __reduce__(self) -> tuple[Any, ...]:
        if self._custom_pii_engine:
            raise pickle.PicklingError(
                "a Pipeline built with a custom pii_engine cannot be pickled; "
                "build it inside the worker instead"
            )
        return (_rebuild, (type(self), self.rules, self.max_bytes, self.ner_model))

    def warm_up(self) -> Pipeline:
        """Build everything the stages load on first use, so the first article is not slow.

        Runs one small article of prepub's own through every stage (with an e-mail address,
        so the presidio engine is built too). Call it in a worker's initialiser; returns
        the pipeline for chaining.
        """
        self.check(_WARM_UP_ARTICLE, source="prepub", fix=True)
        for stage in self.stages:
            if hasattr(stage, "warm_up"):
                stage.warm_up()  # what the warm-up article did not reach
        return self

    def stage(self, name: str) -> Any:
        """The stage called ``name`` (``strip_chrome``, ``flag_advice``, ...)."""
        for stage in self.stages:
            if stage.name == name:
                return stage
        raise KeyError(name)

    def load(self, content: str | bytes, content_type: ContentType = "auto") -> Document:
        """The document text the offsets and edits of a result refer to."""
        return load_document(content, content_type, self.max_bytes)

    def check(
        self,
        content: str | bytes,
        source: str | None = None,
        url: str | None = None,
        content_type: ContentType = "auto",
        language: str | None = None,
        fix: bool = False,
        *,
        record_id: str | None = None,
    ) -> Result:
        """Run every stage on one article.

        Raises:
            InputError: the content is not a usable article (binary, undecodable, empty,
                over the size limit), or an argument is not usable (see
                :func:`check_arguments`).
        """
        check_arguments(source=source, url=url, language=language, record_id=record_id)
        started = time.perf_counter()
        t0 = time.perf_counter()
        doc = self.load(content, content_type)
        stages = [StageRecord(name="load", duration_ms=round((time.perf_counter() - t0) * 1000, 3))]
        ctx = Context(
            doc=doc, rules=self.rules, options=Options(source, url, language, fix, record_id)
        )
        for stage in self.stages:
            stages.append(self._run_stage(stage, ctx))
        if ctx._text is None:
            ctx.set_stripped()
        return self._finish(ctx, stages, started)

    def _run_stage(self, stage: Any, ctx: Context) -> StageRecord:
        f0, e0 = len(ctx.findings), len(ctx.edits)
        t0 = time.perf_counter()
        try:
            stage.run(ctx)
        except PrepubError:
            raise
        except Exception as exc:  # a crashed stage fails closed, it never passes silently
            log.exception("stage %s failed", stage.name)
            ctx.errors.append(f"{stage.name}: {type(exc).__name__}: {exc}")
        return StageRecord(
            name=stage.name,
            duration_ms=round((time.perf_counter() - t0) * 1000, 3),
            findings=len(ctx.findings) - f0,
            edits=len(ctx.edits) - e0,
        )

    def _finish(self, ctx: Context, stages: list[StageRecord], started: float) -> Result:
        t0 = time.perf_counter()
        check_edits(len(ctx.doc.text), ctx.edits)
        if ctx.stripped_is_final() and ctx._map is not None:  # no fixes: nothing to redo
            clean, final = ctx.text, ctx._map
        else:
            clean, final = apply_edits(ctx.doc.text, ctx.edits), OffsetMap(ctx.edits)
        findings = [self._place(f, final) for f in ctx.findings]
        findings.sort(key=lambda f: (f.span.start if f.span else -1, f.rule))
        decision, reasons = decide(findings, ctx.errors)
        findings = [self.scrubber.finding(f) for f in findings]
        edits = [self.scrubber.edit(e) for e in ctx.edits]
        disclosures = self.scrubber.disclosures(ctx.disclosures)
        stages.append(
            StageRecord(name="decide", duration_ms=round((time.perf_counter() - t0) * 1000, 3))
        )
        audit = AuditRecord(
            tool_version=__version__,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            input=InputRecord(
                sha256=ctx.doc.raw_sha256,
                bytes=ctx.doc.raw_bytes,
                content_type=ctx.doc.content_type,
                encoding=ctx.doc.encoding,
                source=ctx.options.source,
                url=ctx.options.url,
                id=ctx.options.record_id,
            ),
            output_sha256=hashlib.sha256(clean.encode("utf-8", "surrogatepass")).hexdigest(),
            language=ctx.language,
            language_probability=ctx.language_probability,
            rule_packs=list(self._pack_refs),
            settings={
                "fix": ctx.options.fix,
                "language": ctx.options.language,
                "profile": ctx.profile.id if ctx.profile else None,
                "max_bytes": self.max_bytes,
                "total_ms": round((time.perf_counter() - started) * 1000, 3),
            },
            findings=findings,
            edits=edits,
            disclosures=disclosures,
            decision=decision,
            decision_reasons=reasons,
            stages=stages,
            errors=ctx.errors,
        )
        return Result(
            decision=decision,
            clean_text=clean,
            language=ctx.language,
            findings=findings,
            edits=edits,
            disclosures=disclosures,
            audit=audit,
        )

    @staticmethod
    def _place(finding: Finding, final: OffsetMap) -> Finding:
        if finding.original_span is None:
            return finding
        return finding.model_copy(update={"span": final.span_to_clean(finding.original_span)})


# Generous bounds on the metadata next to an article: a publisher's name, a URL, an id.
MAX_SOURCE_CHARS = 1000
MAX_URL_CHARS = 8192
MAX_RECORD_ID_CHARS = 4096
_LANGUAGE_CODE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")
_SURROGATE = re.compile("[\ud800-\udfff]")


def check_arguments(
    *,
    source: object = None,
    url: object = None,
    language: object = None,
    record_id: object = None,
) -> None:
    """Reject metadata the stages and the audit record cannot use, in one line each.

    Each must be a string (or None) of valid Unicode: a lone surrogate, which is what
    Python makes of a non-UTF-8 byte in a command-line argument, cannot be written to the
    JSON output or the audit log. ``url`` must parse as a URL (``http://[::1`` does not)
    and ``language`` must look like a language code (``en``, ``zh-Hant``).

    Raises:
        InputError: naming the argument and what is wrong with it.
    """
    limits = (
        ("source", source, MAX_SOURCE_CHARS),
        ("url", url, MAX_URL_CHARS),
        ("language", language, 35),
        ("record id", record_id, MAX_RECORD_ID_CHARS),
    )
    for name, value, most in limits:
        if value is None:
            continue
        if not isinstance(value, str):
            raise InputError(f"{name} must be a string, not {type(value).__name__}")
        bad = _SURROGATE.search(value)
        if bad:
            raise InputError(
                f"{name} is not valid text: a lone surrogate at character {bad.start()} "
                "(a command-line argument with a byte that is not UTF-8?)"
            )
        if len(value) > most:
            raise InputError(f"{name} is {len(value):,} characters, over the limit of {most:,}")
    if isinstance(url, str) and url:
        try:
            urlsplit(url if "//" in url else f"//{url}").hostname  # noqa: B018 - validates
        except ValueError as exc:
            raise InputError(f"url is not a valid URL: {exc}: {url[:200]!r}") from None
    if isinstance(language, str) and language and not _LANGUAGE_CODE.fullmatch(language):
        raise InputError(f"language must be a language code such as en or zh, not {language!r}")


class _CachingScrubber(Scrubber):
    """The scrubber, remembering strings it found clean.

    Findings quote rule data and registry ids (``views@2021.1``) that trip the PII
    pre-scan and cost a presidio call (~1 ms) each time, article after article. Only strings
    with *no* personal data are remembered, so the cache never holds any; it is bounded.
    """

    MAX_ENTRIES = 4096

    def __init__(self, pii: Any) -> None:
        super().__init__(pii)
        self._clean: dict[str, None] = {}

    def text(self, value: str | None) -> str | None:
        """See :meth:`Scrubber.text`."""
        if not value or value in self._clean:
            return value
        scrubbed = super().text(value)
        if scrubbed == value and len(value) < 2000:
            if len(self._clean) >= self.MAX_ENTRIES:
                self._clean.clear()  # simple and thread-safe under the GIL; refills fast
            self._clean[value] = None
        return scrubbed

    def finding(self, finding: Finding) -> Finding:
        """See :meth:`Scrubber.finding`; a finding with nothing to mask is returned as is."""
        if finding.category != "pii" and all(
            self._is_clean(v)
            for v in (
                finding.excerpt,
                finding.message,
                finding.explanation,
                *(s.text for s in finding.signals),
            )
        ):
            return finding  # the base class would return an equal copy; skip the copying
        return super().finding(finding)

    def edit(self, edit: Edit) -> Edit:
        """See :meth:`Scrubber.edit`; an HTML page has hundreds of chrome removals to pass."""
        if edit.kind != "remove" or (self._is_clean(edit.text) and self._is_clean(edit.reason)):
            return edit
        return super().edit(edit)

    def disclosures(self, disclosures: Disclosures) -> Disclosures:
        """See :meth:`Scrubber.disclosures`; returned as is when the evidence is clean."""
        att = disclosures.attribution
        if all(self._is_clean(e) for e in (*att.evidence, *(c.evidence for c in att.credits))):
            return disclosures
        return super().disclosures(disclosures)

    def _is_clean(self, value: str | None) -> bool:
        return self.text(value) == value


_WARM_UP_ARTICLE = (
    "Warm-up article written for prepub. The port authority said on Tuesday that container "
    "volumes rose for a third month, helped by electronics shipments, Reuters reported. "
    "Readers with questions can write to desk@example.org.\n"
)


def _rebuild(
    cls: type[Pipeline], rules: RuleSet, max_bytes: int, ner_model: str | None = None
) -> Pipeline:
    return cls(rules, max_bytes=max_bytes, ner_model=ner_model)


_default: Pipeline | None = None
_default_lock = threading.Lock()


def default_pipeline() -> Pipeline:
    """The process-wide pipeline with the shipped rule packs (built once, thread-safe)."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = Pipeline()
    return _default


def check(
    content: str | bytes,
    source: str | None = None,
    url: str | None = None,
    content_type: ContentType = "auto",
    language: str | None = None,
    fix: bool = False,
) -> Result:
    """Check one article with the shipped rule packs. See :meth:`Pipeline.check`."""
    return default_pipeline().check(
        content, source=source, url=url, content_type=content_type, language=language, fix=fix
    )
