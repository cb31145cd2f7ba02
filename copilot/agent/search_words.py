"""A document search the model reworded is tried once more in the user's own words.

Whether the documents cover a question is decided by how close the best passage is to the
query (``knowledge.quotes.COVERAGE_THRESHOLD``), calibrated on questions as users write them.
A small model's rewording ("return window for apparel" for "How long do customers have to
return apparel?") can fall just below it although the passage that answers is found, and the
answer becomes "not covered". The user's words are the calibrated case, so they get the last say.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from copilot.agent.types import ToolTrace
from tools.knowledge_search import KnowledgeResults


def _uncovered_query(trace: ToolTrace) -> str | None:
    """The query of a search that ran but found no passage answering it, else None."""
    result = trace.result
    if trace.ok and isinstance(result, KnowledgeResults):
        return None if result.covered and result.quotes else result.query
    return None


def in_users_words(
    trace: ToolTrace, question: str, run: Callable[[dict[str, Any]], ToolTrace]
) -> ToolTrace | None:
    """The search run with ``question`` as its query, when the model's query was not covered
    and the question is; None keeps the model's search."""
    query = _uncovered_query(trace)
    if query is None or not question.strip() or question.strip() == query.strip():
        return None
    again = run({**trace.arguments, "query": question.strip()})
    if not again.ok or _uncovered_query(again) is not None:
        return None
    return again
