"""The terminal text format: grouped by category, line:column in the input, colour on a TTY only."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import filters
from cli import main
from filters.render import CATEGORY_ORDER, render_text, safe, use_colour

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
PROMO = FIXTURES / "gate_promo_with_advice.txt"
HTML_ARTICLE = Path(__file__).resolve().parent / "data" / "report_article.html"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
POSITION = re.compile(r"^\s+(\d+):(\d+) (\S+)")


def report(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    main(["check", *argv])
    return capsys.readouterr().out


def test_findings_are_grouped_by_category_in_order(capsys: pytest.CaptureFixture[str]) -> None:
    out = report(capsys, str(HTML_ARTICLE), "--colour", "never")
    headers = [line.strip() for line in out.splitlines() if re.fullmatch(r"  [a-z]+", line)]
    assert headers[-1] == "removed"
    categories = headers[:-1]
    assert categories == sorted(categories, key=CATEGORY_ORDER.index)
    assert categories == ["disclaimer", "advice", "pii"]
    section = None
    for line in out.splitlines():
        if re.fullmatch(r"  [a-z]+", line):
            section = line.strip()
        m = re.match(r"^\s+\S+ ([A-Z]{2,4}(?:-[A-Z]{2})?-\d{3}) ", line)
        if m and section != "removed":
            prefix = {"disclaimer": "DIS", "advice": "ADV", "pii": "PII"}[section or ""]
            assert m.group(1).startswith(prefix)


@pytest.mark.parametrize("path", [PROMO, HTML_ARTICLE], ids=["text", "html"])
def test_line_and_column_are_in_the_input_file(
    capsys: pytest.CaptureFixture[str], pipeline: filters.Pipeline, path: Path
) -> None:
    out = report(capsys, str(path), "--colour", "never")
    result = pipeline.check(path.read_bytes())
    lines = path.read_text(encoding="utf-8").split("\n")
    positions = [m.groups() for m in map(POSITION.match, out.splitlines()) if m]
    findings = {f.rule: f for f in result.findings if f.span is not None}
    checked = 0
    for line, col, rule in positions:
        if rule not in findings or findings[rule].category == "pii":
            continue
        excerpt = findings[rule].excerpt or ""
        assert lines[int(line) - 1][int(col) - 1 :].startswith(excerpt[:12]), (rule, line, col)
        checked += 1
    assert checked


def test_removed_chrome_is_listed_in_document_order(capsys: pytest.CaptureFixture[str]) -> None:
    out = report(capsys, str(PROMO), "--colour", "never")
    removed = out.split("  removed\n")[1].splitlines()
    assert [int(r.split(":")[0]) for r in removed] == sorted(int(r.split(":")[0]) for r in removed)
    assert "'View Original'" in removed[0]


def test_no_colour_when_piped(capsys: pytest.CaptureFixture[str]) -> None:
    assert not ANSI.search(report(capsys, str(PROMO)))  # capsys is not a terminal
    assert not ANSI.search(report(capsys, str(PROMO), "--colour", "never"))


def test_colour_always(capsys: pytest.CaptureFixture[str]) -> None:
    out = report(capsys, str(PROMO), "--colour", "always")
    assert "\x1b[33mREVIEW\x1b[0m" in out
    assert ANSI.sub("", out) == report(capsys, str(PROMO), "--colour", "never")


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_auto_colour_follows_the_terminal_and_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    assert use_colour("auto", _Tty()) is True
    assert use_colour("auto", io.StringIO()) is False
    assert use_colour("never", _Tty()) is False and use_colour("always", io.StringIO()) is True
    monkeypatch.setenv("NO_COLOR", "1")
    assert use_colour("auto", _Tty()) is False
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("TERM", "dumb")
    assert use_colour("auto", _Tty()) is False


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_colour_on_a_real_terminal() -> None:
    import pty

    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"} | {"TERM": "xterm"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli", "check", str(PROMO)],
        stdout=slave,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        cwd=ROOT,
        env=env,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO once the child has closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert proc.wait(timeout=120) == 1
    out = b"".join(chunks).decode("utf-8")
    assert "\x1b[33mREVIEW\x1b[0m" in out


def test_terminal_control_characters_are_escaped(pipeline: filters.Pipeline) -> None:
    result = pipeline.check(PROMO.read_bytes())
    out = render_text(result, "evil\x1b]0;owned\x07\x9b2J.txt", colour=False)
    assert "\x1b" not in out and "\x9b" not in out and "\x07" not in out
    assert "evil\\x1b]0;owned\\x07\\x9b2J.txt" in out
    assert safe("tab\tand\nnewline") == "tab\tand\nnewline"


def test_without_a_locator_positions_are_in_the_clean_text(pipeline: filters.Pipeline) -> None:
    result = pipeline.check(PROMO.read_bytes(), source="Decrypt")
    out = render_text(result, "x")
    advice = next(f for f in result.findings if f.rule == "ADV-EN-004")
    assert advice.span is not None
    line = result.clean_text.count("\n", 0, advice.span.start) + 1
    assert f"{line}:1 ADV-EN-004" in out


def test_text_report_to_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.txt"
    assert main(["check", str(PROMO), "--out", str(out), "--colour", "always"]) == 1
    assert capsys.readouterr().out == ""
    text = out.read_text(encoding="utf-8")
    assert "REVIEW" in text and not ANSI.search(text)  # a file is never coloured
