"""Suggest the ids a user probably meant (for ToolError messages)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable


def _canonical(value: str) -> str:
    """Upper case, letters and digits only, no leading zeros in digit runs ("ct-001" -> "CT1")."""
    text = re.sub(r"[^0-9A-Z]", "", value.upper())
    return re.sub(r"0+(?=\d)", "", text)


def close_matches(query: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """Candidates equal to ``query`` up to case, punctuation and zero padding first, then the
    most similar spellings."""
    pool = list(dict.fromkeys(str(c) for c in candidates))
    key = _canonical(query)
    same = [c for c in pool if _canonical(c) == key]
    rest = difflib.get_close_matches(query.upper(), [c.upper() for c in pool], n=n, cutoff=0.6)
    by_upper = {c.upper(): c for c in pool}
    out = same + [by_upper[r] for r in rest if by_upper[r] not in same]
    return out[:n]


def same_id(query: str, candidates: Iterable[str]) -> str | None:
    """The one candidate equal to ``query`` up to case, punctuation and zero padding ("c-10001"
    is C10001), or None when there is none or more than one."""
    key = _canonical(query)
    found = {str(c) for c in candidates if _canonical(str(c)) == key}
    return found.pop() if len(found) == 1 else None
