"""Data folders are found one way (importlib.resources) and evals/ stays data."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from copilot.core.resources import data_dir

CODE = ("copilot", "tools", "knowledge")


@pytest.mark.parametrize(
    ("package", "parts"),
    [
        ("evals", ("suites", "core.yaml")),
        ("evals", ("schemas", "junit.xsd")),
        ("evals", ("retrieval", "demo.yaml")),
        ("knowledge", ("demo",)),
        ("prompts", ("system.yaml",)),
        ("tools", ("festivals.yaml",)),
    ],
)
def test_data_found_through_the_package(package: str, parts: tuple[str, ...]) -> None:
    assert data_dir(package, *parts).exists()


def test_evals_holds_no_code() -> None:
    code = sorted(p.name for p in data_dir("evals").rglob("*.py") if p.name != "__init__.py")
    assert code == []
    assert data_dir("evals", "__init__.py").read_text(encoding="utf-8").strip().startswith('"""')


def test_no_module_finds_data_by_counting_parents_of_its_file() -> None:
    """``Path(__file__).parents[n] / "evals"`` breaks once installed; data_dir is the way."""
    pattern = re.compile(r"Path\(__file__\)")
    offenders = [
        str(path)
        for package in CODE
        for path in Path(str(data_dir(package))).rglob("*.py")
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
