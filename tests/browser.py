"""Headless Chromium for the report tests: find it, run it, read what it produced.

Debian's ``chromium`` package is driven directly (no Playwright): ``--dump-dom`` prints the
DOM after scripts would have run, ``--screenshot`` writes a PNG, and ``--enable-logging``
puts console messages, Content-Security-Policy violations among them, on stderr. The
background-networking flags keep it from dialling out. Tests skip with a clear message
when no working Chromium is installed (``.ci/run`` installs it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--hide-scrollbars",
    "--enable-logging=stderr",
    "--v=0",
]
SKIP_MESSAGE = (
    "Chromium not available ({why}); browser tests skipped. "
    "Install Debian's chromium package (.ci/run does) or set PREPUB_CHROMIUM=/path/to/chromium."
)


@dataclass(frozen=True)
class Run:
    """What one Chromium run left: stdout (the DOM for --dump-dom) and stderr (console log)."""

    stdout: str
    log: str


def find_chromium() -> str | None:
    explicit = os.environ.get("PREPUB_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).exists() else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def run(binary: str, page: Path, *args: str, timeout: float = 90) -> Run:
    """Open ``page`` (a file) in a fresh profile with ``args``; return its output."""
    with tempfile.TemporaryDirectory(prefix="prepub-chromium-") as profile:
        proc = subprocess.run(
            [binary, *FLAGS, f"--user-data-dir={profile}", *args, page.resolve().as_uri()],
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
    if proc.returncode != 0:
        raise RuntimeError(f"chromium exited {proc.returncode}: {proc.stderr[-2000:]}")
    return Run(proc.stdout, proc.stderr)


def dump_dom(binary: str, page: Path) -> Run:
    """The DOM after load, with virtual time run forward so timers and handlers would fire."""
    return run(binary, page, "--virtual-time-budget=3000", "--dump-dom")


def screenshot(binary: str, page: Path, out: Path, width: int, height: int) -> Run:
    return run(binary, page, f"--window-size={width},{height}", f"--screenshot={out}")


def probe(tmp: Path) -> str:
    """A working Chromium binary, or skip the test with the reason."""
    binary = find_chromium()
    if binary is None:
        pytest.skip(SKIP_MESSAGE.format(why="no chromium on PATH"))
    page = tmp / "probe.html"
    page.write_text("<!DOCTYPE html><title>probe</title><p id=ok>ok</p>", encoding="utf-8")
    try:
        dom = run(binary, page, "--dump-dom", timeout=60).stdout
    except (OSError, RuntimeError, subprocess.TimeoutExpired) as exc:
        pytest.skip(SKIP_MESSAGE.format(why=f"{binary} does not start: {str(exc)[:300]}"))
    if 'id="ok"' not in dom:
        pytest.skip(SKIP_MESSAGE.format(why=f"{binary} rendered nothing"))
    return binary
