"""What was checked, in words: the badge under every answer (UI) and the CLI's status line.

A badge never vouches for more than was checked: text with no figures gets "no figures to
check", not a tick; a quote says how many passages it quotes.
"""

from __future__ import annotations

from copilot.agent.types import Grounding

_WORDS = {
    "en": {
        "findings": "✔ Stated by the tools: {n} {figures}, each checked against the results",
        "quoted": "✔ Quoted from {q} {passages}",
        "quoted_figures": "✔ Quoted from {q} {passages}; {n} {figures} checked against them",
        "model": "✔ {n} {figures} checked against the tool results",
        "nothing": "○ No figures to check",
        "off": "○ Number check off",
        "fallback": "⚠ The model's wording failed a check, so the tools' findings are shown",
        "limit": "⚠ Step limit reached: the tools' findings are shown",
        "untraced": "⚠ Figures not found in the tool results: {bad}",
    },
    "zh": {
        "findings": "✔ 由工具给出：{n} 个数字均已与计算结果核对",
        "quoted": "✔ 引自 {q} 个文档段落",
        "quoted_figures": "✔ 引自 {q} 个文档段落；{n} 个数字已核对",
        "model": "✔ {n} 个数字已与工具结果核对",
        "nothing": "○ 没有需要核对的数字",
        "off": "○ 未开启数字核对",
        "fallback": "⚠ 模型的表述未通过核对，改为展示工具给出的结论",
        "limit": "⚠ 达到步数上限，展示工具给出的结论",
        "untraced": "⚠ 以下数字在工具结果中找不到：{bad}",
    },
}


def verdict_text(g: Grounding, language: str) -> str:
    """The verdict of one answer in ``language``."""
    words = _WORDS["zh" if language == "zh" else "en"]
    if not g.ok:
        return words["untraced"].format(bad=", ".join(g.unsupported))
    if g.fallback:
        # A model that wrote and failed took two attempts; at the step limit it wrote nothing.
        return words["limit" if g.attempts < 2 else "fallback"]
    if g.source == "model" and g.attempts == 0:
        return words["off"]
    plural = {
        "figures": "figure" if g.checked == 1 else "figures",
        "passages": "passage" if g.quoted == 1 else "passages",
    }
    if g.quoted:
        key = "quoted_figures" if g.checked else "quoted"
        return words[key].format(q=g.quoted, n=g.checked, **plural)
    if g.checked == 0:
        return words["nothing"]
    key = "findings" if g.source == "findings" else "model"
    return words[key].format(n=g.checked, **plural)
