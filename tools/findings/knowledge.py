"""Findings of the document search: quotes of the sentences that answer, or "not covered"."""

from __future__ import annotations

import re

from copilot.core.vocabulary import DOC_TYPES
from tools.findings.say import Say
from tools.findings.types import Findings
from tools.knowledge_search import KnowledgeResults

_ASKS_POLICY = re.compile(
    r"\b(?:polic(?:y|ies)|rules?|allowed|permitted|may (?:we|i|customers)|can customers)\b"
    r"|政策|规定|规则|允许|可以吗|能不能",
    re.IGNORECASE,
)
NOT_COVERED_KEYS = ("docs.not_covered",)
"""Wording keys that say the documents do not answer (the eval scorer reads them)."""


def _kind(doc_type: str, say: Say) -> str:
    return say(f"docs.type_{doc_type}" if doc_type in DOC_TYPES else "docs.type_other")


def search_knowledge(result: KnowledgeResults, say: Say) -> Findings:
    """Quote what answers, name its kind of document; say plainly when nothing does."""
    if not result.passages:
        return Findings((say("docs.empty"),))
    if not result.covered or not result.quotes:
        closest = say.join(
            [
                say("docs.closest_item", citation=p.citation, title=p.title)
                for p in result.passages[:2]
            ]
        )
        return Findings((say("docs.not_covered"), say("docs.closest", passages=closest)))
    by_passage: dict[str, list[str]] = {}
    for q in result.quotes:
        by_passage.setdefault(q.citation, []).append(q.sentence.strip())
    first = {q.citation: q for q in reversed(result.quotes)}
    sentences = [
        say(
            "docs.quote",
            kind=_kind(first[cid].type, say),
            title=first[cid].title,
            citation=cid,
            sentence=say("docs.quote_join").join(said),
        )
        for cid, said in by_passage.items()
    ]
    if _ASKS_POLICY.search(result.query) and all(q.type != "policy" for q in result.quotes):
        sentences.append(say("docs.not_a_policy", kind=_kind(result.quotes[0].type, say)))
    return Findings(tuple(sentences), (), (), tuple(q.citation for q in result.quotes))
