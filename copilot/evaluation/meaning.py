"""Scorers of what an answer says, not its form: the facts it must state, "not covered" when no
document answers, no argument nobody asked for, and clean text (no loop, no raw field dump, no
tool names or prompt scaffolding)."""

from __future__ import annotations

import json
import re
from typing import Any

from copilot.agent.grounding import matches, parse_numbers
from copilot.agent.guards import repetitive, scaffolding
from copilot.agent.types import ToolTrace
from copilot.evaluation.cases import Expect
from copilot.evaluation.scorers import Observation, Verdict, argument_matches, tool_names
from tools import to_jsonable

NOT_COVERED = re.compile(
    r"do(?:es)? not (?:cover|mention|say|state|answer)|not covered"
    r"|no (?:document|policy) (?:covers|mentions|states)|nothing on this"
    r"|没有涉及|没有提到|未涉及|没有相关|没有写明|没有回答",
    re.IGNORECASE,
)
_RAW_FIELD = re.compile(r"^\s*-?\s*[a-z]+_[a-z0-9_]+\s*:", re.MULTILINE)


def _data(trace: ToolTrace) -> Any:
    if trace.result is not None:
        return to_jsonable(trace.result, 12)
    return json.loads(trace.result_json)


def resolve(data: Any, parts: list[str]) -> Any:
    """``data`` at a dotted path (list indexes as numbers); KeyError when absent."""
    for part in parts:
        if isinstance(data, list):
            data = data[int(part)]
        elif isinstance(data, dict):
            data = data[part]
        else:
            raise KeyError(part)
    return data


def _states(text: str, value: Any) -> bool:
    if isinstance(value, bool) or value is None:
        return True
    if isinstance(value, int | float):
        return any(matches(v, {float(value)}) for _, v in parse_numbers(text))
    return str(value).casefold() in text.casefold()


def score_states(expect: Expect, obs: Observation) -> Verdict | None:
    """The answer states each fact the case names, read from the tool's own result."""
    if not expect.states:
        return None
    problems = []
    for path in expect.states:
        tool, *rest = path.split(".")
        done = [t for t in obs.answer.tools if t.name == tool and t.ok]
        if not done:
            problems.append(f"{tool} gave no result")
            continue
        try:
            value = resolve(_data(done[-1]), rest)
        except (KeyError, IndexError, ValueError):
            problems.append(f"{path} is not in the result")
            continue
        if not _states(obs.answer.text, value):
            problems.append(f"does not state {path} = {value!r}")
    reason = "; ".join(problems) or f"states {len(expect.states)} fact(s)"
    return Verdict("states", not problems, reason)


def score_not_covered(expect: Expect, obs: Observation) -> Verdict | None:
    """Says "the documents do not cover this" exactly when the case expects it."""
    if expect.not_covered is None:
        return None
    said = NOT_COVERED.search(obs.answer.text) is not None
    ok = said == expect.not_covered
    reason = ("says" if said else "does not say") + " the documents do not cover it"
    return Verdict("not_covered", ok, reason)


def _non_default(trace: ToolTrace) -> dict[str, Any]:
    from tools import TOOLS

    tool = next((t for t in TOOLS if t.name == trace.name), None)
    if tool is None:
        return dict(trace.arguments)
    fields = tool.args_model.model_fields
    return {
        k: v
        for k, v in trace.arguments.items()
        if v is not None
        and not (k in fields and not fields[k].is_required() and v == fields[k].default)
    }


def score_arguments_exact(expect: Expect, obs: Observation) -> Verdict | None:
    """Some call of each tool ran with exactly the expected arguments, nothing added."""
    if not expect.arguments_exact:
        return None
    problems = []
    for tool, wanted in expect.arguments_exact.items():
        calls = [t for t in obs.answer.tools if t.name == tool]
        if not calls:
            problems.append(f"{tool} not called")
            continue
        best: list[str] | None = None
        for trace in calls:
            used = _non_default(trace)
            issues = [f"unasked {k}={v!r}" for k, v in used.items() if k not in wanted]
            issues += [
                f"{k}={used.get(k, '(absent)')!r} (want {v!r})"
                for k, v in wanted.items()
                if not argument_matches(v, used.get(k), expect.argument_tolerance)
            ]
            if best is None or len(issues) < len(best):
                best = issues
        if best:
            problems.append(f"{tool}: {'; '.join(best)}")
    return Verdict("arguments_exact", not problems, "; ".join(problems) or "exactly as asked")


def score_clean(expect: Expect, obs: Observation) -> Verdict | None:
    """No looping text, no raw ``field_name: value`` dump, no tool names or scaffolding."""
    text = obs.answer.text
    problems = []
    if repetitive(text):
        problems.append("repeats itself")
    dump = _RAW_FIELD.search(text)
    if dump:
        problems.append(f"raw field dump {dump.group(0).strip()!r}")
    leaked = scaffolding(text, tool_names())
    if leaked:
        problems.append(f"scaffolding or tool name: {leaked[0].strip()[:60]!r}")
    return Verdict("clean", not problems, "; ".join(problems) or "clean text")
