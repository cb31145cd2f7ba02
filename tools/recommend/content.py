"""Content-based recommendation on product text (TF-IDF by default, any encoder by interface)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from tools.recommend.base import Recommender, row_normalise, top_k_rows
from tools.recommend.interactions import Interactions


class TextEncoder(Protocol):
    """Turns texts into vectors (rows); the knowledge base's embedder fits this interface."""

    def encode(self, texts: Sequence[str]) -> np.ndarray | sp.spmatrix: ...


class TfidfEncoder:
    """Character 2-4-gram TF-IDF: works for English and Chinese without a tokenizer."""

    def encode(self, texts: Sequence[str]) -> sp.spmatrix:
        """Sparse TF-IDF rows."""
        vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), min_df=1, sublinear_tf=True)
        out: sp.spmatrix = vec.fit_transform(list(texts))
        return out


class ContentRecommender(Recommender):
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
        unit = row_normalise(sp.csr_matrix(vectors, dtype=np.float32))
        blocks = []
        for start in range(0, unit.shape[0], 2048):
            dense = np.asarray((unit[start : start + 2048] @ unit.T).todense(), dtype=np.float32)
            idx = np.arange(dense.shape[0])
            dense[idx, idx + start] = 0.0
            blocks.append(top_k_rows(dense, self.k_neighbours))
        self.similarity_matrix = sp.vstack(blocks).tocsr()

    def scores(self, rows: np.ndarray) -> np.ndarray:
        """Text similarity to what the customer bought."""
        return np.asarray(
            (self.data.matrix[rows] @ self.similarity_matrix).todense(), dtype=np.float32
        )

    def explain(self, row: int, items: np.ndarray) -> list[str]:
        """The purchased product each item resembles most."""
        user = self.data.matrix[row]
        sims = self.similarity_matrix[user.indices][:, items].toarray()
        best = user.indices[np.argmax(sims, axis=0)] if len(user.indices) else []
        return [f"similar to {self.data.items[b]} you bought" for b in best]

    def similar_items(self, sku: str, n: int = 5) -> list[tuple[str, float]]:
        """Products with the most similar text."""
        row = self.similarity_matrix[self._item(sku)]
        order = np.argsort(-row.data)[:n]
        return [(str(self.data.items[row.indices[i]]), float(row.data[i])) for i in order]
