"""Citation ids in answers: which are real, and the sources an uncited answer drew on.

A small model often uses a retrieved passage without writing its id. Rather than trust or
discard such an answer, the passages it drew on (the ones sharing its numbers, else the one
sharing most of its words) are named after it, so every statement from a document can be
traced to one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from copilot.agent.grounding import parse_numbers
from copilot.agent.types import ToolTrace

_CITATION = re.compile(r"\[([\w.\-:#\u3400-\u9fff]+)\]")
_WORD = re.compile(r"[a-z][a-z0-9]{3,}")
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
MIN_SHARED_WORDS = 3
"""Fewer shared words than this is chance, not use of a passage."""
_LABEL = {"en": "Sources", "zh": "来源"}


def cited_ids(text: str, traces: Sequence[ToolTrace]) -> list[str]:
    """Citation ids in ``text`` that some tool result actually returned, in the order the text
    first cites them (the UI opens the first one)."""
    found = [c for c in _CITATION.findall(text) if any(c in t.result_json for t in traces)]
    return list(dict.fromkeys(found))


def without_sources_line(text: str) -> str:
    """``text`` without the trailing line ``sources_line`` added (a UI that lists the cited
    sources itself shows them once)."""
    for label in _LABEL.values():
        head, found, _ = text.rpartition(f"\n\n{label}: ")
        if found:
            return head
    return text


def _passages(traces: Sequence[ToolTrace]) -> list[Any]:
    """Retrieved passages (results with ``passages`` of citation + quote) of successful calls."""
    found = []
    for trace in traces:
        if not trace.ok:
            continue
        for passage in getattr(trace.result, "passages", None) or []:
            if hasattr(passage, "citation") and hasattr(passage, "quote"):
                found.append(passage)
    return found


def _words(text: str) -> set[str]:
    lowered = text.lower()
    words = set(_WORD.findall(lowered))
    for run in _CJK_RUN.findall(lowered):  # Chinese: character pairs stand in for words
        words |= {run[i : i + 2] for i in range(len(run) - 1)}
    return words


def sources_line(text: str, traces: Sequence[ToolTrace], language: str) -> str:
    r"""The line "\n\nSources: [id] ..." naming the passages an answer without citations
    drew on, or "" when it cites a retrieved id already or drew on none."""
    passages = _passages(traces)
    if not passages or cited_ids(text, traces):
        return ""
    numbers = {value for _, value in parse_numbers(text) if value > 10}
    words = _words(text)
    by_numbers, best, best_shared = [], None, MIN_SHARED_WORDS - 1
    for passage in passages:
        if numbers & {value for _, value in parse_numbers(passage.quote)}:
            by_numbers.append(passage.citation)
        shared = len(words & _words(passage.quote))
        if shared > best_shared:
            best, best_shared = passage.citation, shared
    chosen = list(dict.fromkeys(by_numbers)) or ([best] if best else [])
    if not chosen:
        return ""
    label = _LABEL.get(language, _LABEL["en"])
    return f"\n\n{label}: " + " ".join(f"[{c}]" for c in chosen)
