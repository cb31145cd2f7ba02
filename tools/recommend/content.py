"""Content-based recommendation on product text (TF-IDF by default, any encoder by interface)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from tools.recommend.base import (
    ItemSimilarityRecommender,
    Reason,
    Recommender,
    pruned_similarity,
    row_normalise,
)
from tools.recommend.interactions import Interactions


class TextEncoder(Protocol):
    """Turns texts into vectors (rows); the knowledge base's embedder fits this interface."""

    def encode(self, texts: Sequence[str]) -> np.ndarray | sp.spmatrix:
        """One vector per text."""
        ...


class TfidfEncoder:
    """Character 2-4-gram TF-IDF: works for English and Chinese without a tokenizer."""

    def encode(self, texts: Sequence[str]) -> sp.spmatrix:
        """Sparse TF-IDF rows (all zero when no text has a character: nothing is similar)."""
        if not any(t.strip() for t in texts):
            return sp.csr_matrix((len(texts), 1), dtype=np.float64)
        vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), min_df=1, sublinear_tf=True)
        out: sp.spmatrix = vec.fit_transform(list(texts))
        return out


class ContentRecommender(ItemSimilarityRecommender):
    """Score = user's weights @ text similarity of products (top-k per product)."""

    name = "content"

    def __init__(
        self, texts: Mapping[str, str], encoder: TextEncoder | None = None, k_neighbours: int = 50
    ) -> None:
        self.texts = texts
        self.encoder = encoder or TfidfEncoder()
        self.k_neighbours = k_neighbours

    def _fit(self, data: Interactions) -> None:
        docs = [self.texts.get(str(s), str(s)) for s in data.items]
        vectors = self.encoder.encode(docs)
        if isinstance(vectors, np.ndarray):
            dense = vectors.astype(np.float32)
            norms = np.linalg.norm(dense, axis=1, keepdims=True)
            unit: sp.csr_matrix | np.ndarray = dense / np.maximum(norms, 1e-12)
        else:
            unit = row_normalise(sp.csr_matrix(vectors, dtype=np.float32))
        self.similarity_matrix = pruned_similarity(unit, self.k_neighbours)

    def explain(self, row: int, items: np.ndarray) -> list[Reason]:
        """The purchased product each item resembles most."""
        user = self.data.matrix[row]
        sims = self.similarity_matrix[user.indices][:, items].toarray()
        best = user.indices[np.argmax(sims, axis=0)] if len(user.indices) else []
        return [Reason("similar_to", (str(self.data.items[b]),)) for b in best]


class NewArrivalsRecommender(Recommender):
    """Products nobody has bought yet, scored by their text similarity to what the customer
    bought (no other component can rank them: they have no purchases to learn from)."""

    name = "new_arrivals"

    def __init__(self, content: ContentRecommender) -> None:
        self.content = content

    def _fit(self, data: Interactions) -> None:
        if getattr(self.content, "data", None) is not data:
            self.content.fit(data)
        self._unsold = data.buyers == 0

    def scores(self, rows: np.ndarray) -> np.ndarray:
        """Content scores on never-bought products, zero elsewhere."""
        return self.content.scores(rows) * self._unsold[None, :]

    def explain(self, row: int, items: np.ndarray) -> list[Reason]:
        """The purchased product each new item resembles most."""
        return self.content.explain(row, items)
