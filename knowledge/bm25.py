"""Okapi BM25 over the same chunks as the vector index (exact terms, SKUs, Chinese bigrams)."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

_TOKEN = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*|[\u3400-\u9fff]+")


def tokenize(text: str) -> list[str]:
    """Lower-cased words and codes (``ct-0001`` kept whole, plus its parts); Chinese runs as
    character bigrams and single characters (no segmenter needed)."""
    out: list[str] = []
    for tok in _TOKEN.findall(text.lower()):
        if "\u3400" <= tok[0] <= "\u9fff":
            out += list(tok) + [tok[i : i + 2] for i in range(len(tok) - 1)]
        else:
            out.append(tok)
            if "-" in tok or "_" in tok:
                out += re.split(r"[-_]", tok)
    return out


class BM25:
    """A sparse BM25 index: ``scores(query)`` for every document at once."""

    def __init__(self, documents: Sequence[str], k1: float = 1.5, b: float = 0.75) -> None:
        vocab: dict[str, int] = {}
        rows, cols, vals = [], [], []
        lengths = np.zeros(len(documents))
        for i, doc in enumerate(documents):
            tokens = tokenize(doc)
            lengths[i] = len(tokens)
            counts: dict[int, int] = {}
            for tok in tokens:
                j = vocab.setdefault(tok, len(vocab))
                counts[j] = counts.get(j, 0) + 1
            rows += [i] * len(counts)
            cols += list(counts)
            vals += list(counts.values())
        tf = sp.csr_matrix(
            (np.array(vals, dtype=np.float64), (rows, cols)), shape=(len(documents), len(vocab))
        )
        df = np.bincount(tf.indices, minlength=len(vocab))
        n = max(len(documents), 1)
        self.idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
        norm = k1 * (1 - b + b * lengths / max(float(lengths.mean()) if n else 1.0, 1e-9))
        coo = tf.tocoo()
        weighted = coo.data * (k1 + 1) / (coo.data + norm[coo.row])
        self.matrix = sp.csc_matrix((weighted, (coo.row, coo.col)), shape=tf.shape)
        self.vocab = vocab

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document for ``query``."""
        cols = [self.vocab[t] for t in set(tokenize(query)) if t in self.vocab]
        if not cols:
            return np.zeros(self.matrix.shape[0])
        result: np.ndarray = np.asarray(self.matrix[:, cols] @ self.idf[cols]).ravel()
        return result
