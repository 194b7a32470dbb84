"""The pre-commit hook: its definition, and its entry run on files the way pre-commit runs it.

pre-commit itself would build a virtualenv and pip-install this repository, which needs the
package registry, so by default the test emulates it: select files with the hook's
``files`` pattern, then run ``entry + args + filenames`` from the content repository's
root and read the exit code. Set ``PREPUB_TEST_PRECOMMIT=1`` (with pre-commit installed
and a registry reachable) to also run a real ``pre-commit try-repo``.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))


def hook() -> dict[str, object]:
    (found,) = [h for h in HOOKS if h["id"] == "prepub"]
    return dict(found)


def test_hook_definition() -> None:
    h = hook()
    assert h["entry"] == "prepub check"
    assert h["language"] == "python"  # pre-commit installs this repository for the hook
    assert h["pass_filenames"] is True
    for key in ("name", "files"):
        assert isinstance(h[key], str) and h[key]


@pytest.mark.parametrize(
    "name, selected",
    [
        ("news/2025/outage.md", True),
        ("article.markdown", True),
        ("feed/item.txt", True),
        ("pages/index.html", True),
        ("legacy/page.htm", True),
        ("scripts/build.py", False),
        ("images/chart.png", False),
        ("notes.txt.bak", False),
    ],
)
def test_files_pattern(name: str, selected: bool) -> None:
    assert bool(re.search(str(hook()["files"]), name)) is selected  # pre-commit uses re.search


def _entry() -> list[str]:
    """The hook's entry as pre-commit would run it: the installed console script."""
    words = shlex.split(str(hook()["entry"]))
    script = shutil.which(words[0], path=str(Path(sys.executable).parent))
    if script is None:  # an interpreter without the console script: same code, via -m
        return [sys.executable, "-m", "cli", *words[1:]]
    return [script, *words[1:]]


@pytest.fixture
def content_repo(tmp_path: Path) -> Path:
    (tmp_path / "news").mkdir()
    shutil.copy(FIXTURES / "gate_reuters_chip_export.txt", tmp_path / "news" / "chips.txt")
    shutil.copy(FIXTURES / "gate_promo_with_advice.txt", tmp_path / "news" / "promo.md")
    shutil.copy(FIXTURES / "html_exchange_outage.html", tmp_path / "news" / "outage.html")
    (tmp_path / "build.py").write_text("print('not an article')\n", encoding="utf-8")
    return tmp_path


def run_hook(
    repo: Path, files: list[str], args: list[str] | None = None
) -> subprocess.CompletedProcess[str]:
    pattern = re.compile(str(hook()["files"]))
    selected = [f for f in files if pattern.search(f)]
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    return subprocess.run(
        [*_entry(), *(args or []), *selected],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=180,
        env={**env, "PYTHONPATH": str(ROOT)},
    )


def test_hook_passes_clean_articles(content_repo: Path) -> None:
    proc = run_hook(content_repo, ["news/chips.txt", "news/outage.html", "build.py"])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "news/chips.txt: PUBLISH" in proc.stdout and "build.py" not in proc.stdout


def test_hook_stops_a_commit_with_an_article_for_review(content_repo: Path) -> None:
    files = ["news/chips.txt", "news/promo.md", "build.py"]
    proc = run_hook(content_repo, files, ["--source", "Decrypt"])
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "news/promo.md: REVIEW" in proc.stdout
    assert re.search(r"^\s+7:1 ADV-EN-004", proc.stdout, re.M)  # file line:column
    assert "\x1b[" not in proc.stdout  # pre-commit captures output: no colour codes


@pytest.mark.skipif(
    os.environ.get("PREPUB_TEST_PRECOMMIT") != "1" or shutil.which("pre-commit") is None,
    reason="real pre-commit run is opt-in (PREPUB_TEST_PRECOMMIT=1, pre-commit on PATH, registry)",
)
def test_real_pre_commit_try_repo(content_repo: Path) -> None:
    git = ["git", "-c", "user.email=t@example.invalid", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], cwd=content_repo, check=True)
    subprocess.run([*git, "add", "-A"], cwd=content_repo, check=True)
    proc = subprocess.run(
        [
            "pre-commit",
            "try-repo",
            str(ROOT),
            "prepub",
            "--files",
            "news/promo.md",
            "news/chips.txt",
        ],
        cwd=content_repo,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "news/promo.md: REVIEW" in proc.stdout
