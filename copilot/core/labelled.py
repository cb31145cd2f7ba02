"""Load labelled evaluation sets (YAML lists of cases) with clear errors for malformed ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from copilot.core.errors import InputError


def load_labelled(path: Path, key: str, required: tuple[str, ...]) -> list[dict[str, Any]]:
    """The non-empty list under ``key``; every item must have non-empty ``required`` fields."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    items = data.get(key) if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise InputError(f"{path}: expected a top-level {key!r} list")
    for i, item in enumerate(items, 1):
        if not isinstance(item, dict) or not all(item.get(f) for f in required):
            raise InputError(f"{path}, item {i} of {key!r}: needs {', '.join(required)}")
    return items
