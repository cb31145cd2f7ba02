"""Answers written by code: the tools' findings, refusals in the tools' words, the verdicts.

With a small local model the answer *is* the findings of the tool results (the model chose the
tools and filled their arguments; it writes no prose about data). With any model, findings are
the fallback when the model's own wording fails the checks: never a dump of raw fields.
"""

from __future__ import annotations

from collections.abc import Sequence

from copilot.agent.grounding import claimed_numbers, evidence_numbers, unsupported_numbers
from copilot.agent.types import AgentAnswer, Grounding, ToolTrace
from tools import to_jsonable
from tools.findings import NextStep
from tools.findings.types import join_sentences

_REFUSED = {
    "en": "I could not answer this from the shop's data:",
    "zh": "无法根据店铺数据回答这个问题：",
}
_NOTHING = {
    "en": "I could not find an answer to this in the shop's data or documents.",
    "zh": "在店铺的数据和文档中找不到这个问题的答案。",
}


def _lang(language: str) -> str:
    return "zh" if language == "zh" else "en"


def findings_text(traces: Sequence[ToolTrace], language: str) -> str:
    """The findings of every successful call (once per call), else what the tools refused."""
    parts: list[str] = []
    for trace in traces:
        if trace.ok and trace.findings is not None:
            text = trace.findings.text()
            if text and text not in parts:
                parts.append(text)
    if parts:
        return "\n\n".join(parts)
    refusals = list(dict.fromkeys(t.error for t in traces if t.error))
    if refusals:
        return join_sentences([_REFUSED[_lang(language)], *refusals])
    return _NOTHING[_lang(language)]


def next_steps(traces: Sequence[ToolTrace]) -> list[NextStep]:
    """The follow-ups offered by the last successful result."""
    for trace in reversed(traces):
        if trace.ok and trace.findings is not None:
            return list(trace.findings.next_steps)
    return []


def result_evidence(traces: Sequence[ToolTrace], said: Sequence[str]) -> set[float]:
    """Every number in the tool results at full precision (the compact JSON the model reads is
    rounded to four digits), refusals included, and what was said in the conversation."""
    full = [to_jsonable(t.result, 12) for t in traces if t.ok and t.result is not None]
    return evidence_numbers([*full, *(t.result_json for t in traces), *said])


def facts_answer(traces: Sequence[ToolTrace], language: str, said: Sequence[str]) -> AgentAnswer:
    """The answer made of findings, with a verdict that says what was checked."""
    text = findings_text(traces, language)
    bad = unsupported_numbers(text, result_evidence(traces, said))
    quoted = {c for t in traces if t.ok and t.findings for c in t.findings.quoted}
    verdict = Grounding(not bad, bad, 1, False, "findings", len(claimed_numbers(text)), len(quoted))
    return AgentAnswer(text, language, list(traces), verdict, sorted(quoted), next_steps(traces))
