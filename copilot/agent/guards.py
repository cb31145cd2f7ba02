"""Guards on any text a model writes: loops are cut, prompt scaffolding never reaches people,
and an answer cut by the token cap ends on its last whole sentence.

A small model can loop (the same citation twenty times) and can copy the instructions it was
given ("choose respond ...") into its answer. Neither contains a wrong number, so the number
check lets both through; these guards do not.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

NGRAM = 8
MAX_NGRAM_REPEATS = 2
"""An 8-gram seen three times marks a loop."""
_SPLIT = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])|\n")
"""Sentence ends: a stop followed by space (so 0.3% stays one number), a Chinese stop, a line."""
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_SCAFFOLDING = re.compile(
    r"(?:choose|pick|select|选择)\s*[\"'“]?(?:respond|decline)\b|[\"']tool[\"']\s*:"
    r"|tool result|call (?:the|another) tool|\(answer in english\.?\)"
    r"|请用简体中文回答|调用(?:其他|另一个)?工具|工具结果"
    r"|COPILOT_[A-Z_]+|(?<!\w)--[a-z][a-z-]+",
    re.IGNORECASE,
)


def _tokens(text: str) -> list[str]:
    """Words, each Chinese character as a word (an 8-gram of characters is a short phrase),
    and a citation id in brackets as one word (not twenty characters that seem to repeat)."""
    return re.findall(r"\[[^\]]*\]|[\u3400-\u9fff]|[a-z0-9'-]+", text.lower())


def _pieces(text: str) -> list[str]:
    return [p for p in _SPLIT.split(text) if p and p.strip()]


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _pieces(text) if len(_tokens(s.strip())) >= 2]


def repetitive(text: str) -> bool:
    """A sentence (or list item) said twice, or an 8-gram said three times in the prose (list
    items may share a phrase: three products bought "with Vintage Dark Chocolate")."""
    seen = Counter(re.sub(r"\s+", " ", s.lower()) for s in _sentences(text))
    if any(n > 1 for n in seen.values()):
        return True
    prose = "\n".join(line for line in text.splitlines() if not _LIST_ITEM.match(line))
    tokens = _tokens(prose)
    grams = Counter(tuple(tokens[i : i + NGRAM]) for i in range(len(tokens) - NGRAM + 1))
    return any(n > MAX_NGRAM_REPEATS for n in grams.values())


def scaffolding(text: str, tool_names: Iterable[str]) -> list[str]:
    """Sentences of ``text`` that repeat the agent's instructions or name its tools."""
    names = [n for n in tool_names if n]
    tool = re.compile(r"\b(?:" + "|".join(map(re.escape, names)) + r")\b") if names else None
    return [
        s for s in _pieces(text) if _SCAFFOLDING.search(s) or (tool is not None and tool.search(s))
    ]


def scrub(text: str, tool_names: Iterable[str]) -> str:
    """``text`` without the sentences that repeat scaffolding or name tools."""
    for sentence in scaffolding(text, list(tool_names)):
        text = text.replace(sentence, "")
    return re.sub(r"[ \t]{2,}", " ", text).strip()


_SENTENCE_END = re.compile(r"[.!?](?=\s|$)|[。！？]")
_LIST_NUMBER = re.compile(r"(?:^|\s)\d{1,2}$")


def whole_sentences(text: str) -> str:
    """``text`` without a trailing fragment (an answer cut by the token cap mid-sentence)."""
    text = text.rstrip()
    if not text or text[-1] in ".!?。！？)]）】" or text.endswith("```"):
        return text
    ends = [m for m in _SENTENCE_END.finditer(text) if not _LIST_NUMBER.search(text[: m.start()])]
    # Keep the fragment when cutting it would leave less than half of the answer.
    if not ends or ends[-1].end() < len(text) // 2:
        return text
    return text[: ends[-1].end()]
