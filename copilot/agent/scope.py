"""The scope guard: decline questions that are clearly not about the shop's marketing.

A 1.5B model writes the poem or answers the trivia however it is prompted (measured: 1 of 7
out-of-scope asks declined), so questions are first compared by embedding with labelled
examples (prompts/scope.yaml). Only a clear margin declines: a marketer's question that looks
unusual still reaches the model, which has its own ``decline`` choice.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import yaml

from copilot.core.errors import ConfigError
from knowledge.embedder import Embedder

MARGIN = 0.05
"""Out-of-scope similarity must beat in-scope by this much (chosen on held-out questions in
tests/test_scope.py: no marketing question declined, most off-topic asks caught)."""
NEIGHBOURS = 3


@dataclass(frozen=True)
class ScopeVerdict:
    """Whether to decline, by how much, and the closest out-of-scope example."""

    declined: bool
    margin: float
    nearest: str


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.asarray(vectors / np.where(norms == 0, 1, norms))


@cache
def scope_examples() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(in-scope, out-of-scope) example questions from prompts/scope.yaml."""
    text = resources.files("prompts").joinpath("scope.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text) or {}
    inside, outside = data.get("in_scope"), data.get("out_of_scope")
    if not (isinstance(inside, list) and isinstance(outside, list) and inside and outside):
        raise ConfigError("prompts/scope.yaml needs non-empty 'in_scope' and 'out_of_scope' lists")
    return tuple(map(str, inside)), tuple(map(str, outside))


class ScopeGuard:
    """Nearest-example scope check over an embedder (the knowledge base's, by default)."""

    def __init__(self, embedder: Embedder, margin: float = MARGIN) -> None:
        inside, outside = scope_examples()
        self._embedder = embedder
        self._inside = _unit(embedder.encode(list(inside), query=True))
        self._outside = _unit(embedder.encode(list(outside), query=True))
        self._outside_text = outside
        self.margin = margin

    def check(self, question: str) -> ScopeVerdict:
        """Decline when the question's nearest out-of-scope examples clearly win."""
        q = _unit(self._embedder.encode([question], query=True))[0]
        near_in = np.sort(self._inside @ q)[-NEIGHBOURS:].mean()
        sims_out = self._outside @ q
        near_out = np.sort(sims_out)[-NEIGHBOURS:].mean()
        margin = float(near_out - near_in)
        nearest = self._outside_text[int(np.argmax(sims_out))]
        return ScopeVerdict(margin > self.margin, margin, nearest)
