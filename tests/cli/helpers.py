"""Run the real `reelgraph` entry point in a subprocess, as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def reelgraph(*args: str, home: Path | str, check: bool = True) -> subprocess.CompletedProcess:
    """Run `reelgraph ARGS` with REELGRAPH_HOME=home; raise with its output if check fails."""
    env = {**os.environ, "REELGRAPH_HOME": str(home)}
    proc = subprocess.run(
        [sys.executable, "-c", "from reelgraph.cli import main; main()", *args],
        env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    if check and proc.returncode != 0:
        raise AssertionError(f"reelgraph {' '.join(args)} exited {proc.returncode}:\n"
                             f"{proc.stdout}\n{proc.stderr}")  # fmt: skip
    return proc
