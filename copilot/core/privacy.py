"""Data leaving the copilot: contact details kept from remote models, formulas from spreadsheets.

``redact`` is the one redaction every remote call uses (chat messages, the plan summary and
remote embeddings). It replaces e-mail addresses and phone numbers in international
(``+44 20 7946 0958``, ``0044 ...``), trunk-prefixed national (``020 7946 0958``), North American
(``(555) 123-4567``) and Chinese mobile (``13800138000``) forms. Shop text is full of numbers
that look alike (dates, SKUs, order ids, amounts, times), so each form has a fixed shape and a
digit count, and a match that fails the count is left as it was.
"""

from __future__ import annotations

import re

import pandas as pd

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A digit group after a separator; a bracketed area code may be glued to the next group
# ("+44 (0)20 ...", "+1 (555) 123-4567").
_GROUP = r"(?:[ .-]?\(\d{1,4}\)[ .-]?\d{1,8}|[ .-]\d{1,8})"
# Not inside a word, a longer number, a decimal or an id such as CT-0001.
_START = r"(?<![0-9A-Za-z_.\-/])"
_PHONE = re.compile(
    rf"""
    (?: (?P<intl>(?:(?<![0-9])\(?\+|{_START}00)[1-9]\d{{0,2}}\)?(?:\d{{5,13}}|{_GROUP}{{1,6}}))
    | (?P<paren>{_START}\(\d{{2,5}}\)[ .-]?\d{{2,5}}(?:[ .-]\d{{2,5}}){{0,3}})
    | (?P<trunk>{_START}0\d{{1,5}}(?P<sep>[ .-])\d{{2,8}}(?:(?P=sep)\d{{2,8}}){{0,3}})
    | (?P<nanp>{_START}(?:1[ .-])?[2-9]\d{{2}}(?P<nsep>[ .-])\d{{3}}(?P=nsep)\d{{4}})
    | (?P<cn>{_START}1[3-9]\d(?P<csep>[ -]?)\d{{4}}(?P=csep)\d{{4}})
    )
    (?![0-9A-Za-z_]|[.,:/-]\d)
    """,
    re.VERBOSE,
)
_DIGITS = {"intl": (8, 15), "paren": (9, 12), "trunk": (9, 12), "nanp": (10, 11), "cn": (11, 11)}
_DATE = re.compile(r"\d{1,4}([./-])\d{1,2}\1\d{1,4}")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""Cell openings a spreadsheet reads as a formula (OWASP, CSV injection)."""


def _phone(match: re.Match[str]) -> str:
    text = match.group(0)
    low, high = next(bounds for kind, bounds in _DIGITS.items() if match.group(kind))
    digits = sum(c.isdigit() for c in text)
    if not low <= digits <= high or _DATE.fullmatch(text):
        return text
    return "[phone]"


def redact(text: str) -> str:
    """``text`` with e-mail addresses and phone numbers replaced by ``[email]`` and ``[phone]``."""
    return _PHONE.sub(_phone, _EMAIL.sub("[email]", text))


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _text(values: pd.Series | pd.Index) -> bool:
    return pd.api.types.is_object_dtype(values) or isinstance(
        values.dtype, pd.StringDtype | pd.CategoricalDtype
    )


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells (and text index) cannot run as formulas in a
    spreadsheet: those starting with = + - @ tab or carriage return get a leading apostrophe.
    Numeric columns are left alone, so negative numbers stay numbers."""
    out = frame.copy()
    for column in out.columns:
        if _text(out[column]):
            out[column] = out[column].map(_cell)
    if _text(out.index):
        out.index = out.index.map(_cell)
    return out
