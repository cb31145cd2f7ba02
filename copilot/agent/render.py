"""A deterministic rendering of tool results: the fallback when an answer fails grounding."""

from __future__ import annotations

import json
from typing import Any

from copilot.agent.types import ToolTrace

_HEAD = {
    "en": "Here is what the tools returned (shown as computed, without a model's wording):",
    "zh": "以下是工具返回的结果（按计算结果直接展示，未经模型改写）：",
}


_REFUSED = {
    "en": "The tools could not answer this request:",
    "zh": "工具无法完成这个请求：",
}

_NOTHING = {"en": "(no tool produced a result)", "zh": "（没有工具给出结果）"}


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool) or value is None


def _row(item: Any) -> str:
    if isinstance(item, dict):
        return ", ".join(f"{k}: {v}" for k, v in item.items() if _scalar(v))
    return str(item)


def render_results(traces: list[ToolTrace], language: str) -> str:
    """Each successful tool's scalar fields and its first rows, as plain lines."""
    lang = "zh" if language == "zh" else "en"
    lines = [_HEAD[lang]]
    for trace in traces:
        if not trace.ok:
            continue
        data = json.loads(trace.result_json)
        lines.append(f"\n{trace.name}:")
        if not isinstance(data, dict):
            lines.append(f"- {data}")
            continue
        for key, value in data.items():
            if _scalar(value) and key not in ("note", "warning", "method"):
                lines.append(f"- {key}: {value}")
        for key, value in data.items():
            if isinstance(value, list) and value:
                lines.append(f"- {key}:")
                lines += [f"  - {_row(item)}" for item in value[:5]]
                if len(value) > 5:
                    lines.append(f"  - ... ({len(value) - 5} more)")
    if len(lines) == 1:
        refusals = [f"- {t.name}: {t.error}" for t in traces if t.error]
        if refusals:  # what the tools said instead, e.g. a budget too small to reach anyone
            lines[0] = _REFUSED[lang]
            lines += refusals
        else:
            lines.append(_NOTHING[lang])
    return "\n".join(lines)
