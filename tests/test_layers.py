"""The layer contract in pyproject.toml (run by ``make lint``) fails on a wrong-way import."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT), "--no-cache"], cwd=root, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.mark.skipif(not LINT.exists(), reason="import-linter is not installed (make install)")
def test_a_wrong_way_import_breaks_the_layer_contract(tmp_path: Path) -> None:
    for package in ("copilot", "tools", "knowledge", "prompts", "evals"):
        shutil.copytree(REPO / package, tmp_path / package, ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(REPO / "pyproject.toml", tmp_path)
    clean = _lint(tmp_path)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    # The core layer reaching up into the agent: the contract must name the edge.
    text = tmp_path / "copilot" / "core" / "text.py"
    text.write_text(text.read_text(encoding="utf-8") + "\nimport copilot.agent.loop\n", "utf-8")
    broken = _lint(tmp_path)
    assert broken.returncode != 0
    assert "BROKEN" in broken.stdout and "copilot.core.text -> copilot.agent.loop" in broken.stdout
