"""The command line: exit codes, formats, audit log, rules commands; no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cli import main

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CLEAN = FIXTURES / "gate_reuters_chip_export.txt"
NO_DISCLAIMER = FIXTURES / "gate_stablecoin_no_disclaimer.txt"


def test_publish_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(CLEAN), "--source", "Reuters"]) == 0
    assert "PUBLISH" in capsys.readouterr().out


def test_review_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(NO_DISCLAIMER)]) == 1
    assert "DIS-001" in capsys.readouterr().out


def test_block_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    article = tmp_path / "a.txt"
    article.write_text(
        "Lock in 18% a year on your stablecoins with zero risk, guaranteed returns for everyone.\n",
        encoding="utf-8",
    )
    assert main(["check", str(article)]) == 3


def test_json_format_is_the_result_model(capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", str(CLEAN), "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {
        "decision",
        "clean_text",
        "language",
        "findings",
        "edits",
        "disclosures",
        "audit",
    }
    assert data["disclosures"]["disclaimer"]["present"] is True


def test_several_inputs_print_one_json_object_each(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", str(CLEAN), str(NO_DISCLAIMER), "--format", "json"])
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and code == 1


def test_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(CLEAN.read_bytes())))
    assert main(["check", "-", "--source", "Reuters"]) == 0
    assert "<stdin>" in capsys.readouterr().out


def test_clean_out_writes_the_clean_text(tmp_path: Path) -> None:
    out = tmp_path / "clean.txt"
    main(["check", str(CLEAN), "--clean-out", str(out)])
    text = out.read_text(encoding="utf-8")
    assert text.startswith("Chipmaker Lumenar") and "0/400" not in text


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "no such file"),
        (b"%PDF-1.7\n%binary", "PDF"),
        (b"\x89PNG\r\n\x1a\n....", "PNG"),
        (b"", "empty"),
        (b"\xff\xfe" + b"\x00\xd8", "UTF-16"),
    ],
)
def test_input_errors_exit_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | None, message: str
) -> None:
    path = tmp_path / "input.bin"
    if content is not None:
        path.write_bytes(content)
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("prepub: error:") and message in err and err.count("\n") == 1
    assert "Traceback" not in err


def test_directory_input_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tmp_path)]) == 2
    assert "is a directory" in capsys.readouterr().err


def test_bad_rule_pack_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    bad = Path(__file__).parent / "data" / "bad_packs" / "unknown_key.toml"
    assert main(["--rules", str(bad), "check", str(CLEAN)]) == 2
    assert "mesage: unknown key" in capsys.readouterr().err


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["check", "--format", "yaml", str(CLEAN)])
    assert info.value.code == 2


def test_audit_log_append_and_verify(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "audit.jsonl"
    main(["check", str(CLEAN), str(NO_DISCLAIMER), "--audit-log", str(log)])
    assert main(["audit", "verify", str(log)]) == 0
    lines = log.read_text(encoding="utf-8").splitlines()
    lines[0], lines[1] = lines[1], lines[0]
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["audit", "verify", str(log)]) == 1


def test_rules_list_show_and_test(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "list"]) == 0
    assert "ADV-EN-001" in capsys.readouterr().out
    assert main(["rules", "show", "DIS-001"]) == 0
    assert "disclaimer.missing" in capsys.readouterr().out
    assert main(["rules", "show", "NOPE-001"]) == 2
    assert main(["rules", "test"]) == 0
    assert "examples behave as declared" in capsys.readouterr().out


def test_rules_catalogue_is_up_to_date(capsys: pytest.CaptureFixture[str]) -> None:
    main(["rules", "list", "--markdown"])
    generated = capsys.readouterr().out
    committed = (Path(__file__).resolve().parent.parent / "rules" / "README.md").read_text(
        encoding="utf-8"
    )
    assert generated == committed, "run: prepub rules list --markdown > rules/README.md"


def test_console_script_entry_runs_in_a_subprocess() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "cli", "check", str(CLEAN), "--source", "Reuters"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "PUBLISH" in proc.stdout and not proc.stderr
