"""The words that name argument values (``lexicon.yaml``), and names and ids matched in the
user's text."""

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


def _canonical(code: str) -> str:
    return re.sub(r"[^0-9a-z]", "", code.lower())


def in_words(value: str, text: str) -> bool:
    """A name written in the text (case, spaces and punctuation aside)."""
    key = _canonical(value)
    return bool(key) and key in _canonical(text)


def id_in_words(value: str, text: str) -> bool:
    """An id written in the text as a whole token: "c-10001" is C10001, "C1000" is not in
    "C10001"."""
    key = _canonical(value)
    tokens = re.findall(r"[A-Za-z0-9][A-Za-z0-9_-]*", text)
    return bool(key) and any(_canonical(t) == key for t in tokens)


def shares_a_word(value: str, text: str) -> bool:
    """A word of three letters or more, a number, or two Chinese characters of ``value`` in the
    text."""
    lowered = text.lower()
    words = re.findall(r"[a-z]{3,}|\d+", value.lower())
    if any(said_in(w, lowered) for w in words if w not in ("campaign", "the", "and")):
        return True
    han = re.findall(r"[\u3400-\u9fff]+", value)
    return any(run[i : i + 2] in text for run in han for i in range(len(run) - 1))
