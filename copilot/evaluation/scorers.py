"""Scorers: each turns one expectation and one answer into a verdict with its reason.

Deterministic scorers only read the ``AgentAnswer`` (text, tool trace, grounding verdict,
citations) and the latency; the optional rubric grader asks a model and says so
(``deterministic=False``). A scorer returns ``None`` when the case does not ask for it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import jsonschema
from pydantic import BaseModel, ValidationError

from copilot.agent.answers import result_evidence
from copilot.agent.grounding import unsupported_numbers
from copilot.agent.types import AgentAnswer, ToolTrace
from copilot.core.text import language_of
from copilot.demo.catalog import CATEGORIES
from copilot.evaluation.cases import Expect, PlanExpect
from tools.plan_types import plan_json_schema

NO_TOOL = "(no tool)"
_BRACKETED = re.compile(r"\[([\w.\-:#\u3400-\u9fff]+)\]")


@dataclass(frozen=True)
class Verdict:
    """One scorer's judgement of one answer."""

    scorer: str
    passed: bool
    reason: str
    metrics: dict[str, float] = field(default_factory=dict)
    """Numbers for aggregation, e.g. tool-choice F1 and exact match."""
    deterministic: bool = True


@dataclass(frozen=True)
class Observation:
    """What a scorer sees: the last turn's question, answer and latency, and what the user and
    the copilot said in the turns before it."""

    question: str
    answer: AgentAnswer
    latency_s: float
    earlier: tuple[str, ...] = ()


Scorer = Callable[[Expect, Observation], Verdict | None]
Grader = Callable[[str, str, str], Verdict]
"""(question, answer text, rubric) -> verdict."""


def tool_f1(expected: Sequence[str], called: Sequence[str]) -> float:
    """F1 of the sets of tool names; both empty (no tool wanted, none called) is 1."""
    want, got = set(expected) or {NO_TOOL}, set(called) or {NO_TOOL}
    hit = len(want & got)
    if hit == 0:
        return 0.0
    precision, recall = hit / len(got), hit / len(want)
    return 2 * precision * recall / (precision + recall)


def _is_subsequence(wanted: Sequence[str], called: Sequence[str]) -> bool:
    rest = iter(called)
    return all(any(name == c for c in rest) for name in wanted)


def score_tools(expect: Expect, obs: Observation) -> Verdict | None:
    """Tool choice: expected tools called (in order if asked), nothing forbidden, F1 and exact."""
    if expect.tools is None and not expect.tools_forbidden:
        return None
    called = [t.name for t in obs.answer.tools]
    wanted = list(expect.tools or ())
    exact = set(called) == set(wanted)
    f1 = tool_f1(wanted, called)
    problems = []
    if expect.tools is not None:
        missing = [t for t in wanted if t not in called]
        if not wanted and called:
            problems.append("expected no tool")
        if missing:
            problems.append(f"missing {', '.join(missing)}")
        elif expect.tools_in_order and not _is_subsequence(wanted, called):
            problems.append("tools called in another order")
        if expect.tools_exact and not exact:
            problems.append("other tools called too")
    forbidden = [t for t in expect.tools_forbidden if t in called]
    if forbidden:
        problems.append(f"forbidden {', '.join(forbidden)} called")
    shown = ", ".join(called) or NO_TOOL
    reason = f"called [{shown}]" + (
        f", expected [{', '.join(wanted) or NO_TOOL}]" if expect.tools is not None else ""
    )
    metrics = {"f1": f1, "exact": float(exact)} if expect.tools is not None else {}
    return Verdict("tools", not problems, "; ".join([reason, *problems]), metrics)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.replace(",", ""))
        except ValueError:
            return None
    return None


def argument_matches(expected: Any, got: Any, tolerance: float) -> bool:
    """Subset-match semantics for one argument (see the case schema)."""
    if isinstance(expected, dict):
        value = _number(got)
        return (
            value is not None
            and value >= expected.get("min", float("-inf"))
            and value <= expected.get("max", float("inf"))
        )
    if isinstance(expected, list):
        return any(argument_matches(e, got, tolerance) for e in expected)
    if expected is None or isinstance(expected, bool):
        return got is expected
    if isinstance(expected, int | float):
        value = _number(got)
        return value is not None and abs(value - expected) <= tolerance * abs(expected) + 1e-9
    return isinstance(got, str) and got.strip().casefold() == str(expected).strip().casefold()


@cache
def _argument_models() -> dict[str, type[BaseModel]]:
    from tools import TOOLS

    return {t.name: t.args_model for t in TOOLS}


def effective_arguments(trace: ToolTrace) -> dict[str, Any]:
    """The arguments the tool ran with: the model's, plus the tool's defaults for the rest
    (asking for 5 products and leaving ``n`` at its default of 5 is right, not a miss)."""
    model = _argument_models().get(trace.name)
    if model is None:
        return dict(trace.arguments)
    try:
        return {**model.model_validate(trace.arguments).model_dump(), **trace.arguments}
    except ValidationError:
        return dict(trace.arguments)


def _mismatches(wanted: dict[str, Any], trace: ToolTrace, tolerance: float) -> list[str]:
    used = effective_arguments(trace)
    return [
        f"{name}={used.get(name, '(absent)')!r} (want {value!r})"
        for name, value in wanted.items()
        if not argument_matches(value, used.get(name), tolerance)
    ]


def score_arguments(expect: Expect, obs: Observation) -> Verdict | None:
    """Arguments: for each tool, some call whose arguments match the expected subset."""
    if not expect.arguments:
        return None
    problems = []
    matched = 0
    for tool, wanted in expect.arguments.items():
        calls = [t for t in obs.answer.tools if t.name == tool]
        if not calls:
            problems.append(f"{tool} not called")
            continue
        best = min((_mismatches(wanted, t, expect.argument_tolerance) for t in calls), key=len)
        if best:
            problems.append(f"{tool}: {'; '.join(best)}")
        else:
            matched += 1
    share = matched / len(expect.arguments)
    reason = "; ".join(problems) or "all expected arguments matched"
    return Verdict("arguments", not problems, reason, {"share": share})


def score_text(expect: Expect, obs: Observation) -> Verdict | None:
    """Contains (all), contains_any, not_contains: case-insensitive substrings."""
    if not (expect.contains or expect.contains_any or expect.not_contains):
        return None
    text = obs.answer.text.casefold()
    problems = [f"missing {s!r}" for s in expect.contains if s.casefold() not in text]
    if expect.contains_any and not any(s.casefold() in text for s in expect.contains_any):
        problems.append(f"none of {list(expect.contains_any)!r}")
    problems += [f"contains {s!r}" for s in expect.not_contains if s.casefold() in text]
    return Verdict("contains", not problems, "; ".join(problems) or "text checks passed")


def score_regex(expect: Expect, obs: Observation) -> Verdict | None:
    """Regex (all must match) and not_regex (none may match)."""
    if not (expect.regex or expect.not_regex):
        return None
    text = obs.answer.text
    problems = [f"no match for /{p}/" for p in expect.regex if not re.search(p, text)]
    for pattern in expect.not_regex:
        found = re.search(pattern, text)
        if found:
            problems.append(f"/{pattern}/ matched {found.group(0)[:60]!r}")
    return Verdict("regex", not problems, "; ".join(problems) or "patterns as expected")


def score_grounding(expect: Expect, obs: Observation) -> Verdict | None:
    """The agent's own verdict, re-checked: every number traceable to a tool result or the
    question (so an agent run with grounding off, or a lenient check, cannot pass silently)."""
    if expect.grounded is False:
        return None
    answer = obs.answer
    evidence = result_evidence(answer.tools, [obs.question, *obs.earlier])
    untraced = unsupported_numbers(answer.text, evidence)
    g = answer.grounding
    if untraced:
        return Verdict("grounded", False, f"numbers not traceable: {', '.join(untraced[:8])}")
    if not g.ok:
        return Verdict("grounded", False, f"the agent's check failed: {', '.join(g.unsupported)}")
    if g.fallback:
        ok = expect.grounded == "allow_fallback"
        why = f"fell back to rendered tool results after {g.attempts} attempt(s)"
        return Verdict("grounded", ok, why + ("" if ok else " (not allowed)"))
    return Verdict("grounded", True, f"every number traceable (attempt {g.attempts or 1})")


def retrieved_citations(traces: Sequence[ToolTrace]) -> set[str]:
    """Citation ids of the passages that ``search_knowledge`` returned."""
    found: set[str] = set()
    for trace in traces:
        if trace.name != "search_knowledge" or not trace.ok:
            continue
        try:
            passages = json.loads(trace.result_json).get("passages") or []
        except (json.JSONDecodeError, AttributeError):
            continue
        found |= {str(p.get("citation")) for p in passages if isinstance(p, dict)}
    return found


def cited_ids(text: str) -> list[str]:
    """Bracketed ids that look like citations (a letter and one of ``#:-``)."""
    return [
        c
        for c in _BRACKETED.findall(text)
        if re.search(r"[A-Za-z\u3400-\u9fff]", c) and re.search(r"[#:-]", c)
    ]


def _same_source(cited: str, known: str) -> bool:
    return cited == known or cited.split("#")[0] == known or known.split("#")[0] == cited


def score_citations(expect: Expect, obs: Observation) -> Verdict | None:
    """Every cited id was retrieved (or given); every expected id is cited."""
    cited = cited_ids(obs.answer.text)
    searched = any(t.name == "search_knowledge" for t in obs.answer.tools)
    if not expect.citations and not (searched and cited):
        return None
    known = retrieved_citations(obs.answer.tools) | set(expect.citations)
    invalid = [c for c in cited if not any(_same_source(c, k) for k in known)]
    missing = [e for e in expect.citations if not any(_same_source(c, e) for c in cited)]
    problems = [f"cites unknown {', '.join(invalid)}"] if invalid else []
    problems += [f"does not cite {', '.join(missing)}"] if missing else []
    reason = "; ".join(problems) or f"cites {', '.join(sorted(set(cited)))}"
    return Verdict("citations", not problems, reason)


def score_language(expect: Expect, obs: Observation) -> Verdict | None:
    """The answer is written in the expected language."""
    if expect.language == "any":
        return None
    # Quotes are verbatim (an English policy quoted for a Chinese question): the language is
    # that of the answer's own words.
    own = re.sub(r"“[^”]*”|\"[^\"]*\"|\[[^\]]*\]", " ", obs.answer.text)
    got = language_of(own)
    return Verdict(
        "language", got == expect.language, f"answer in {got}, expected {expect.language}"
    )


def plan_schema() -> dict[str, Any]:
    """The JSON Schema of ``CampaignPlan.to_json_dict()``, generated from the plan's types."""
    return plan_json_schema()


def _plan_dict(trace: ToolTrace) -> Any:
    to_json = getattr(trace.result, "to_json_dict", None)
    raw = to_json() if callable(to_json) else json.loads(trace.result_json)
    # asdict keeps tuples; JSON Schema arrays are lists.
    return json.loads(json.dumps(raw, default=str))


def score_plan(expect: Expect, obs: Observation) -> Verdict | None:
    """A campaign plan was produced, is schema-valid and respects audience, channel, budget."""
    if expect.plan is None:
        return None
    plans = [t for t in obs.answer.tools if t.name == "plan_campaign" and t.ok]
    if not plans:
        return Verdict("plan", False, "no campaign plan was produced")
    plan = _plan_dict(plans[-1])
    wanted = expect.plan
    problems = []
    if wanted.schema:
        errors = sorted(
            jsonschema.Draft202012Validator(plan_schema()).iter_errors(plan),
            key=lambda e: list(e.absolute_path),
        )
        problems += [
            f"schema: {'/'.join(str(p) for p in e.absolute_path) or 'plan'}: {e.message}"
            for e in errors[:3]
        ]
    if isinstance(plan, dict) and not problems:
        segment = plan["audience"].get("segment")
        if wanted.audience and segment != wanted.audience:
            problems.append(f"audience {segment}, expected {wanted.audience}")
        channel = plan["channel"].get("name")
        if wanted.channel and channel != wanted.channel:
            problems.append(f"channel {channel}, expected {wanted.channel}")
        budget = plan["budget"]
        spent = float(budget.get("offer_cost", 0)) + float(budget.get("channel_cost", 0))
        if spent > float(budget.get("total", 0)) + 0.01:
            problems.append(f"spends {spent:,.2f} of a {budget['total']:,.2f} budget")
        if wanted.max_budget is not None and float(budget.get("total", 0)) > wanted.max_budget:
            problems.append(f"budget {budget['total']:,.2f} above {wanted.max_budget:,.2f}")
        problems += _plan_meaning(wanted, plan)
    return Verdict("plan", not problems, "; ".join(problems) or "plan valid")


def _plan_meaning(wanted: PlanExpect, plan: dict[str, Any]) -> list[str]:
    """The plan's verdict, product scope and test power, where the case names them."""
    problems = []
    verdict = plan.get("verdict", {}).get("code")
    if wanted.verdict and verdict != wanted.verdict:
        problems.append(f"verdict {verdict}, expected {wanted.verdict}")
    if wanted.products_category:
        # The plans suite runs on the demo shop, whose skus start with their category's code.
        codes = {c.code: c.en for c in CATEGORIES}
        outside = [
            p["sku"]
            for p in plan.get("products", [])
            if codes.get(str(p["sku"]).split("-")[0]) != wanted.products_category
        ]
        if outside or not plan.get("products"):
            problems.append(f"products outside {wanted.products_category}: {outside or 'none'}")
    under = plan.get("ab_test", {}).get("underpowered")
    if wanted.underpowered is not None and under != wanted.underpowered:
        problems.append(f"underpowered {under}, expected {wanted.underpowered}")
    return problems


def score_latency(expect: Expect, obs: Observation) -> Verdict | None:
    """The last turn answered within ``max_latency_s``."""
    if expect.max_latency_s is None:
        return None
    ok = obs.latency_s <= expect.max_latency_s
    return Verdict("latency", ok, f"{obs.latency_s:.1f} s (limit {expect.max_latency_s:g} s)")


def tool_names() -> list[str]:
    """Names of the registered tools (text meant for people must not mention them)."""
    return list(_argument_models())
