"""Which sentences of the retrieved passages answer a question, and whether any does.

A passage is retrieved because it is about the same thing; the answer is usually one or two of
its sentences. Each passage is split into sentences (list items and table rows count as
sentences, headings do not), every sentence is embedded with the knowledge base's embedder and
compared with the question. The best sentence's similarity decides whether the documents cover
the question at all: below ``COVERAGE_THRESHOLD`` the honest answer is "not covered", with the
closest passages named (calibrated on evals/retrieval/coverage.yaml; see BENCHMARKS.md).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from copilot.core.text import language_of
from knowledge.embedder import Embedder

COVERAGE_THRESHOLD = 0.347
"""Hybrid score of the best passage below which the documents do not answer (dev-best on
evals/retrieval/coverage.yaml; the best sentence's similarity separated worse)."""
MAX_QUOTES = 3
OVERLAP_WEIGHT = 0.1
"""Weight of the share of the question's words a sentence contains (USE similarity alone
often prefers a sentence on the topic over the one that states the answer)."""
TOP_PASSAGE_BONUS = 0.1
SAME_LANGUAGE_BONUS = 0.02
"""A sentence in the question's language reads better when a translation also matches."""
_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])|(?<=[。！？；])")
_MIN_CHARS = 6
_STOP = set(
    "the a an of to and or in on for is are was were be do does did can could how what which "
    "who when why our we us you your it its this that with by at as from there their they much "
    "many long any".split()
)


@dataclass(frozen=True)
class Sentence:
    """A sentence of a retrieved passage and how well it matches the question."""

    citation: str
    text: str
    score: float
    position: int = 0
    """Order within the retrieved passages (passage rank, then place in the passage)."""


def sentences_of(text: str, title: str = "") -> list[str]:
    """Sentences, list items and table rows of a chunk (headings, breadcrumbs and the
    document's title left out)."""
    out: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or set(line) <= set("|-: ") or " > " in line:
            continue
        if title and line.strip() == title.strip():
            continue
        line = re.sub(r"^(?:[-*+]|\d+[.)])\s+", "", line)
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|") if c.strip()]
            out.append(" | ".join(cells))
            continue
        out += [s.strip() for s in _SPLIT.split(line) if len(s.strip()) >= _MIN_CHARS]
    return out


def _words(text: str) -> set[str]:
    lowered = text.lower()
    found = {w[:5] for w in re.findall(r"[a-z][a-z0-9]+", lowered) if w not in _STOP}
    for run in re.findall(r"[\u3400-\u9fff]+", lowered):  # Chinese: character pairs
        found |= {run[i : i + 2] for i in range(len(run) - 1)}
    return found


def rank_sentences(
    embedder: Embedder, question: str, passages: Sequence[tuple[str, str, str]]
) -> list[Sentence]:
    """Every sentence of ``passages`` ((citation, text, title), best passage first), scored by
    similarity to the question plus word overlap plus a bonus for the best passage."""
    pairs = [
        (rank, cid, s)
        for rank, (cid, text, title) in enumerate(passages)
        for s in sentences_of(text, title)
    ]
    if not pairs:
        return []
    query = embedder.encode([question], query=True)[0]
    vectors = embedder.encode([s for _, _, s in pairs])
    cosine = (
        vectors @ query / np.maximum(np.linalg.norm(vectors, axis=1) * np.linalg.norm(query), 1e-12)
    )
    asked, language = _words(question), language_of(question)
    scored = [
        Sentence(
            cid,
            s,
            float(c)
            + OVERLAP_WEIGHT * len(asked & _words(s)) / max(len(asked), 1)
            + (TOP_PASSAGE_BONUS if rank == 0 else 0.0)
            + (SAME_LANGUAGE_BONUS if language_of(s) == language else 0.0),
            i,
        )
        for i, ((rank, cid, s), c) in enumerate(zip(pairs, cosine, strict=True))
    ]
    return sorted(scored, key=lambda s: -s.score)


def best_quotes(ranked: Sequence[Sentence]) -> list[Sentence]:
    """The best sentences, in the order they stand in the passages (measured on the coverage
    set: the three best hold the answering sentence about twice as often as the best alone)."""
    seen: set[str] = set()
    unique = []
    for sentence in ranked:
        # Overlapping chunks repeat a sentence: quote it once.
        key = re.sub(r"\s+", "", sentence.text)
        if key not in seen:
            seen.add(key)
            unique.append(sentence)
    # Measured and rejected: quoting a short best passage whole (33 -> 30 of 50 on the
    # coverage set; the best short passage is often a product text beside the answer).
    return sorted(unique[:MAX_QUOTES], key=lambda s: s.position)


def covers(best_passage_score: float, threshold: float = COVERAGE_THRESHOLD) -> bool:
    """Whether the best passage is close enough to the question to answer it."""
    return best_passage_score >= threshold
