"""Limits with clear errors: input size, deep HTML, megabyte lines, a 4 MB article.

The big inputs run in a subprocess with a generous timeout and a memory cap, so a
regression fails the test instead of hanging or swapping the machine; nothing asserts a
duration.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import filters
from filters.load import MAX_BLANK_LINES, load_document

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


# -- maximum input size ----------------------------------------------------------------


@pytest.mark.parametrize("kind", [bytes, bytearray, memoryview])
def test_bytes_over_the_limit_are_an_input_error(kind: type) -> None:
    with pytest.raises(filters.InputError, match=r"1,001 bytes, over the limit of 1,000"):
        load_document(kind(b"a" * 1001), max_bytes=1000)


def test_input_exactly_at_the_limit_is_accepted() -> None:
    assert load_document(b"a" * 1000, max_bytes=1000).raw_bytes == 1000
    assert load_document("a" * 1000, max_bytes=1000).raw_bytes == 1000


def test_str_input_counts_utf8_bytes_not_characters() -> None:
    text = "价格" * 200  # 400 characters, 1,200 bytes
    with pytest.raises(filters.InputError, match=r"1,200 bytes, over the limit of 1,000"):
        load_document(text, max_bytes=1000)
    assert load_document(text, max_bytes=1200).raw_bytes == 1200


def test_huge_str_is_refused_before_it_is_encoded() -> None:
    with pytest.raises(filters.InputError, match=r"characters \(at least as many bytes\)"):
        load_document("a" * 5000, max_bytes=1000)


def test_pipeline_max_bytes_is_honoured() -> None:
    pipeline = filters.Pipeline(max_bytes=100)
    with pytest.raises(filters.InputError, match="over the limit of 100"):
        pipeline.check("Shares rose on Monday. " * 10)


@pytest.mark.parametrize("bad", [0, -5, True, 2.5, "1000"])
def test_a_nonsense_limit_is_an_input_error(bad: object) -> None:
    with pytest.raises(filters.InputError, match="max_bytes must be a positive number"):
        load_document(b"text", max_bytes=bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["0", "-1", "ten"])
def test_cli_max_bytes_must_be_a_positive_number(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["check", str(FIXTURES / "gate_reuters_chip_export.txt"), "--max-bytes", value])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "argument --max-bytes: must be" in err


def test_cli_refuses_a_file_over_the_limit_before_reading_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli import main

    huge = tmp_path / "huge.txt"
    with huge.open("wb") as f:
        f.truncate(10**12)  # sparse: a terabyte that reading would take hours to refuse
    assert main(["check", str(huge), "--max-bytes", "1000"]) == 2
    err = capsys.readouterr().err
    assert "input is 1,000,000,000,000 bytes, over the limit of 1,000 bytes" in err


def test_cli_reads_stdin_only_up_to_the_limit(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    from cli import main

    class Endless(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
            buffer[:] = b"a" * len(buffer)
            return len(buffer)

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(Endless())))
    assert main(["check", "-", "--max-bytes", "1000"]) == 2
    assert "input is over the limit of 1,000 bytes" in capsys.readouterr().err


def test_cli_max_bytes_gives_one_line_and_exit_2(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("Shares rose on Monday, Reuters reported. " * 20, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "cli", "check", str(article), "--max-bytes", "100"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "over the limit of 100" in proc.stderr
    assert "Traceback" not in proc.stderr


# -- floods and long lines ---------------------------------------------------------------


def test_blank_line_floods_are_cut_to_a_few_lines() -> None:
    doc = load_document("Top line.\n" + " \n\t\n\n" * 100_000 + "Bottom line.")
    assert doc.text == "Top line." + "\n" * (MAX_BLANK_LINES + 1) + "Bottom line."


def test_ordinary_paragraph_breaks_are_kept() -> None:
    text = "One.\n\nTwo.\n\n\nThree.\n\n\n\nFour."
    assert load_document(text).text == text


def _run(code: str, timeout: float, memory_mb: int = 3000) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter with a memory cap; never hangs the suite."""
    prelude = textwrap.dedent(
        f"""
        import resource
        resource.setrlimit(resource.RLIMIT_AS, ({memory_mb} * 2**20, {memory_mb} * 2**20))
        """
    )
    return subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def big_articles() -> dict[str, str]:
    """A 1 MB line and a 4 MB article through one pipeline, in one capped subprocess."""
    proc = _run(
        """
        from pathlib import Path
        import filters
        pipeline = filters.Pipeline()
        prose = "Shares of the chipmaker rose 3% on Monday after the export rules changed. "
        result = pipeline.check(prose * 14_000)  # one line of 1 MB, sentences but no breaks
        print("line", "ok" if result.clean_text else "empty result", flush=True)
        parts = [p.read_text(encoding="utf-8") for p in sorted(Path("fixtures").glob("gate_*.txt"))]
        article = "\\n\\n".join(parts)
        article = (article + "\\n\\n") * (4_000_000 // len(article.encode()) + 1)
        article = article.encode()[:4_000_000].decode("utf-8", "ignore")
        result = pipeline.check(article)
        print("article", result.decision, len(result.findings), len(result.edits), flush=True)
        """,
        timeout=600,
    )
    out = dict(line.split(" ", 1) for line in proc.stdout.splitlines() if " " in line)
    out["stderr"] = proc.stderr[-2000:]
    return out


def test_megabyte_lines_complete(big_articles: dict[str, str]) -> None:
    assert big_articles.get("line") == "ok", big_articles["stderr"]


def test_a_4mb_article_finishes(big_articles: dict[str, str]) -> None:
    assert "article" in big_articles, big_articles["stderr"]
    assert big_articles["article"].split()[0] in ("publish", "review", "block")


# -- deeply nested HTML ------------------------------------------------------------------


def test_20_000_levels_of_nesting_load() -> None:
    proc = _run(
        """
        from filters.load import load_document
        html = "<div>" * 20_000 + "<p>Deep text survives here.</p>" + "</div>" * 20_000
        assert "Deep text survives here." in load_document(html).text
        print("ok")
        """,
        timeout=300,
    )
    assert proc.returncode == 0 and "ok" in proc.stdout, proc.stderr[-2000:]


# Each element keeps only the tail of its path and an 'inside an article' flag, so memory
# and time grow linearly with the nesting depth (they were quadratic: 40,000 levels took
# 3.2 GB).


def test_100_000_levels_of_nesting_load_within_memory() -> None:
    proc = _run(
        """
        from filters.load import load_document
        html = "<div>" * 100_000 + "<p>Deep text survives here.</p>" + "</div>" * 100_000
        assert "Deep text survives here." in load_document(html).text
        print("ok")
        """,
        timeout=120,
        memory_mb=2000,
    )
    assert proc.returncode == 0 and "ok" in proc.stdout, proc.stderr[-500:]


def test_unclosed_nesting_loads_in_linear_time() -> None:
    try:
        proc = _run(
            """
            from filters.load import load_document
            html = "<html><body>" + "<div><span>" * 100_000 + "Deep text."
            assert "Deep text." in load_document(html).text
            print("ok")
            """,
            timeout=60,
            memory_mb=2000,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("100,000 unclosed levels did not load within 60 s")
    assert proc.returncode == 0 and "ok" in proc.stdout, proc.stderr[-500:]
