"""The words that name argument values (``lexicon.yaml``), matched in the user's text."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import yaml


@cache
def lexicon() -> dict[str, dict[str, list[str]]]:
    """Argument -> value -> the words that name it (lexicon.yaml)."""
    text = resources.files("copilot.agent").joinpath("lexicon.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text) or {}
    return {str(k): {str(v): [str(w) for w in ws] for v, ws in d.items()} for k, d in data.items()}


def said_in(word: str, text: str) -> bool:
    """``word`` in ``text``: English as a whole word, Chinese anywhere."""
    word = word.lower()
    if re.search(r"[\u3400-\u9fff]", word):
        return word in text
    return re.search(r"(?<![\w-])" + re.escape(word) + r"(?![\w-])", text) is not None


def named(kind: str, text: str) -> list[str]:
    """Values of ``kind`` that ``text`` names, in the order they first appear."""
    lowered = text.lower()
    hits = []
    for value, words in lexicon().get(kind, {}).items():
        positions = [lowered.find(w.lower()) for w in words if said_in(w, lowered)]
        if positions:
            hits.append((min(p for p in positions if p >= 0), value))
    return [v for _, v in sorted(hits)]
