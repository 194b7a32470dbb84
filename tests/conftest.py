"""Shared fixtures: one pipeline per session, golden-file regeneration, the shared corpus."""

from __future__ import annotations

import json
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import filters
from filters.check_disclosures import CheckDisclosures
from filters.context import Context, Options
from filters.models import Edit, Span

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SHARED = ROOT.parent / "shared"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--regen-golden", action="store_true", help="rewrite fixtures/*.expected.json")


@pytest.fixture(scope="session")
def pipeline() -> filters.Pipeline:
    return filters.Pipeline()


@pytest.fixture(scope="session")
def regen(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--regen-golden"))


def shared_path(*parts: str) -> Path:
    """A path in ../shared, or skip: a user's clone does not have it."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not present (development data is not part of the project)")
    return path


class _NoNetwork(socket.socket):
    def connect(self, *args: object, **kwargs: object) -> None:  # type: ignore[override]
        raise AssertionError(f"network access attempted: {args}")

    def connect_ex(self, *args: object, **kwargs: object) -> int:  # type: ignore[override]
        raise AssertionError(f"network access attempted: {args}")


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every socket connection raises; getaddrinfo too."""
    monkeypatch.setattr(socket, "socket", _NoNetwork)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"DNS lookup attempted: {args}")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    yield


def disclosures_after_removal(
    pipeline: filters.Pipeline, text: str, removed_from: int, reason: str
) -> Context:
    """Run the disclosures stage on ``text`` as if chrome removal took ``text[removed_from:]``."""
    stage = pipeline.stage("check_disclosures")
    assert isinstance(stage, CheckDisclosures)
    ctx = Context(doc=pipeline.load(text), rules=pipeline.rules, options=Options())
    ctx.edits.append(
        Edit(
            kind="remove",
            rule="CHR-010",
            original_span=Span(start=removed_from, end=len(text)),
            text=text[removed_from:],
            reason=reason,
        )
    )
    ctx.set_stripped()
    stage.run(ctx)
    return ctx


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Every record of a JSONL file (batch output, an audit log)."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def wait_for_lines(path: Path, count: int, proc: subprocess.Popen[bytes], early: str) -> None:
    """Poll ``path`` until it holds ``count`` lines; ``early`` names a process that ended first."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"{early}: {proc.returncode}")
        if path.exists() and path.read_bytes().count(b"\n") >= count:
            return
        time.sleep(0.02)  # polling the output file, not a timed assertion
    raise AssertionError("no output written")
