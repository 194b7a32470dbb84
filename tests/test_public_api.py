"""The public API is exactly what DESIGN.md promises, and the library never imports the CLI."""

from __future__ import annotations

import inspect
import pickle
import subprocess
import sys

import filters


def test_all_is_exact() -> None:
    public = {
        n
        for n in dir(filters)
        if not n.startswith("_")
        and n != "annotations"
        and not inspect.ismodule(getattr(filters, n))
    }
    assert set(filters.__all__) - {"__version__"} == public


def test_check_signature() -> None:
    params = list(inspect.signature(filters.check).parameters)
    assert params == ["content", "source", "url", "content_type", "language", "fix"]


def test_result_fields() -> None:
    assert set(filters.Result.model_fields) == {
        "decision",
        "clean_text",
        "language",
        "findings",
        "edits",
        "disclosures",
        "audit",
    }
    assert {
        "rule",
        "name",
        "category",
        "severity",
        "message",
        "span",
        "original_span",
        "excerpt",
        "explanation",
        "citations",
    } <= set(filters.Finding.model_fields)
    assert {"kind", "rule", "original_span", "text", "reason"} <= set(filters.Edit.model_fields)


def test_library_does_not_import_cli() -> None:
    code = "import sys, filters; filters.check('Shares rose, Reuters reported.'); print('cli' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"


def test_pipeline_pickles(pipeline: filters.Pipeline) -> None:
    clone = pickle.loads(pickle.dumps(pipeline))
    text = "Oil slipped on Monday, Reuters reported."
    assert clone.check(text).model_dump(exclude={"audit"}) == pipeline.check(text).model_dump(
        exclude={"audit"}
    )


def test_same_input_same_result(pipeline: filters.Pipeline) -> None:
    text = "Le marché a progressé mardi. Bitcoin will hit $150,000 soon, and you should buy now."
    first = pipeline.check(text).model_dump(exclude={"audit"})
    for _ in range(5):
        assert pipeline.check(text).model_dump(exclude={"audit"}) == first
