"""Every scorer of a case in one registry, and the optional model-graded rubric."""

from __future__ import annotations

from typing import Any

from copilot.evaluation.cases import Expect
from copilot.evaluation.meaning import (
    score_arguments_exact,
    score_clean,
    score_not_covered,
    score_states,
)
from copilot.evaluation.scorers import (
    Grader,
    Observation,
    Scorer,
    Verdict,
    score_arguments,
    score_citations,
    score_grounding,
    score_language,
    score_latency,
    score_plan,
    score_regex,
    score_text,
    score_tools,
)
from copilot.llm.types import Message

SCORERS: tuple[Scorer, ...] = (
    score_tools,
    score_arguments,
    score_arguments_exact,
    score_text,
    score_regex,
    score_states,
    score_not_covered,
    score_grounding,
    score_citations,
    score_clean,
    score_language,
    score_plan,
    score_latency,
)


def score(expect: Expect, obs: Observation, grader: Grader | None = None) -> list[Verdict]:
    """Every applicable scorer's verdict; the rubric only when a grader is given."""
    verdicts = [v for s in SCORERS if (v := s(expect, obs)) is not None]
    if expect.rubric and grader is not None:
        verdicts.append(grader(obs.question, obs.answer.text, expect.rubric))
    return verdicts


GRADER_PROMPT = (
    "You grade answers of a marketing assistant. Read the question, the answer and one "
    "criterion. Reply with PASS or FAIL on the first line, then one sentence saying why. "
    "Judge only the criterion."
)


def model_grader(model: Any) -> Grader:
    """A rubric grader that asks ``model`` (the configured backend); not deterministic."""

    def grade(question: str, answer: str, rubric: str) -> Verdict:
        messages = [
            Message("system", GRADER_PROMPT),
            Message("user", f"Question:\n{question}\n\nAnswer:\n{answer}\n\nCriterion:\n{rubric}"),
        ]
        reply = "".join(model.answer(messages)).strip()
        first = reply.split(maxsplit=1)[0].strip(".:,").upper() if reply else ""
        if first not in ("PASS", "FAIL"):
            return Verdict("rubric", False, f"unreadable grade: {reply[:80]!r}", {}, False)
        return Verdict("rubric", first == "PASS", reply[:200], {}, False)

    return grade
