"""Which language a text is in, for documents, questions and answers alike."""

from __future__ import annotations

import re

CJK = re.compile(r"[\u3400-\u9fff]")
"""A Chinese character (CJK unified ideographs and extension A)."""


def language_of(text: str) -> str:
    """The language code: "zh" when a noticeable share of characters are CJK, else "en"."""
    letters = [c for c in text if not c.isspace()]
    if not letters:
        return "en"
    return "zh" if sum(bool(CJK.match(c)) for c in letters) / len(letters) > 0.15 else "en"
