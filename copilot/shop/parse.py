"""Turn raw columns into typed fields; fail on the first bad cell, naming file, row and column."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from copilot.core.errors import InputError
from copilot.core.settings import Settings
from copilot.shop.fields import FieldSpec
from copilot.shop.readers import RawTable
from copilot.shop.remarks import Remark

_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}
_EXPECTED = {
    "int": "a whole number",
    "float": "a number",
    "datetime": "a date/time such as 2011-12-09 12:50",
    "date": "a date such as 2011-12-09",
    "bool": "true/false, yes/no or 1/0",
}


@dataclass(frozen=True)
class Plausible:
    """What a value may be before ingest refuses its row (settings ``ingest_*``)."""

    max_count: float = 1e9
    """Largest magnitude of a whole-number field (quantity, sends, clicks)."""
    max_amount: float = 1e12
    """Largest magnitude of an amount (price, cost, spend, revenue)."""
    future_days: int = 2
    """How far past today an order or event may be dated (clock skew, time zones)."""

    def limit(self, field_type: str) -> float | None:
        """The largest magnitude of a numeric field type (None for other types)."""
        return {"int": self.max_count, "float": self.max_amount}.get(field_type)

    @classmethod
    def of(cls, settings: Settings) -> Plausible:
        """The bounds the settings configure."""
        return cls(
            settings.ingest_max_count, settings.ingest_max_amount, settings.ingest_future_days
        )


_ID_CHARS = 64
_TEXT_CHARS = {"country": 64, "category": 128, "channel": 32}
"""Longest value a bounded column holds (PostgreSQL refuses longer ones at write time)."""
_NUMERIC_DATE = re.compile(r"^\s*(\d{1,2})([/.-])(\d{1,2})[/.-]\d{2,4}\b")
_OFFSET = re.compile(
    r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[+-]\d{2}:?\d{2}|Z|UTC|GMT)$", re.IGNORECASE
)
"""A time followed by a UTC offset (a trailing -2011 of 01-12-2011 is a year, not an offset)."""


BOUNDS = Plausible()
"""The default bounds."""


def typed_frame(
    raw: RawTable,
    columns: dict[str, str],
    specs: tuple[FieldSpec, ...],
    *,
    dayfirst: bool | None = None,
    notes: dict[Remark, int] | None = None,
    plausible: Plausible = BOUNDS,
) -> pd.DataFrame:
    """Columns renamed to field names and converted to their types.

    Day/month order is decided once per column from all its dates (``dayfirst`` forces it);
    how an ambiguous column was read is added to ``notes``; a value outside ``plausible``
    fails its row.
    """
    out = pd.DataFrame(index=raw.frame.index)
    for spec in specs:
        column = columns.get(spec.name)
        if column is None:
            continue
        series = raw.frame[column]
        if spec.type in ("datetime", "date"):
            converted = _date_field(raw, column, series, spec, dayfirst, notes)
        else:
            converted = _convert(series, spec, decimal_comma=column in raw.decimal_comma)
        _check(raw, column, spec, series, converted, plausible)
        out[spec.name] = converted
    return out.reset_index(drop=True)


def _date_field(
    raw: RawTable,
    column: str,
    series: pd.Series,
    spec: FieldSpec,
    dayfirst: bool | None,
    notes: dict[Remark, int] | None,
) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(series):
        return _datetimes(series, spec.type == "date", dayfirst=False, utc=False)
    # Work on the distinct values: an order file repeats each timestamp on every line.
    codes, values = pd.factorize(series.astype("string").str.strip())
    text = pd.Series(values, dtype="string")
    first_row = np.full(len(text), len(series))
    np.minimum.at(first_row, codes[codes >= 0], np.flatnonzero(codes >= 0))
    given = (text != "").to_numpy(bool)
    aware = text.str.contains(_OFFSET, na=False).to_numpy(bool)
    if aware.any() and not aware[given].all():
        index = int(first_row[given & ~aware].min())
        _fail(
            raw,
            column,
            spec,
            index,
            repr(series.iloc[index]),
            "every time with a UTC offset (as other rows have), or none",
        )
    if dayfirst is None:
        dayfirst = _day_first(raw, column, spec, text, first_row, codes, notes)
    parsed = _datetimes(text, spec.type == "date", dayfirst=dayfirst, utc=bool(aware.any()))
    out = parsed.to_numpy()[np.maximum(codes, 0)]
    out[codes < 0] = np.datetime64("NaT")
    return pd.Series(out, index=series.index)


def _day_first(
    raw: RawTable,
    column: str,
    spec: FieldSpec,
    text: pd.Series,
    first_row: np.ndarray,
    codes: np.ndarray,
    notes: dict[Remark, int] | None,
) -> bool:
    """Day before month when any date says so (a first number above 12), and never both.

    ``text`` holds the column's distinct values, ``first_row`` where each first occurs and
    ``codes`` which value each row holds.
    """
    parts = text.str.extract(_NUMERIC_DATE)
    first = pd.to_numeric(parts[0], errors="coerce").astype("float64")
    second = pd.to_numeric(parts[2], errors="coerce").astype("float64")
    day_first, month_first = (first > 12).to_numpy(bool), (second > 12).to_numpy(bool)
    if day_first.any() and month_first.any():
        a, b = int(first_row[day_first].min()), int(first_row[month_first].min())
        raise InputError(
            f"{raw.path}, column {column!r} ({spec.name}): dates in two orders, day/month at "
            f"{raw.where(a)} ({raw.frame[column].iloc[a]!r}) and month/day at {raw.where(b)} "
            f"({raw.frame[column].iloc[b]!r}); fix the file or force one order with "
            "--dayfirst/--monthfirst"
        )
    if day_first.any() or month_first.any():
        return bool(day_first.any())
    numeric = parts[0].notna().to_numpy(bool)
    ambiguous = int(np.isin(codes, np.flatnonzero(numeric)).sum())
    # No date decides it: dots are the day-first convention (31.12.2011), slashes the US one.
    dots = bool((parts[1] == ".").any())
    if ambiguous and notes is not None:
        notes[Remark("dates_day_month" if dots else "dates_month_day", column=column)] = ambiguous
    return dots


def _convert(series: pd.Series, spec: FieldSpec, *, decimal_comma: bool = False) -> pd.Series:
    if spec.type == "id":
        return _ids(series)
    if spec.type == "text":
        text = series.astype("string").str.strip()
        return text.mask(text == "")
    if spec.type in ("int", "float"):
        if pd.api.types.is_bool_dtype(series):
            return pd.Series(np.nan, index=series.index)
        if not pd.api.types.is_numeric_dtype(series):
            text = series.astype("string").str.strip()
            if decimal_comma:  # "1.234,50": dots group thousands, the comma is the decimal mark
                text = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
            series = text.str.replace(",", "", regex=False)
        return pd.to_numeric(series, errors="coerce").astype("float64")
    return _bools(series)


def _ids(series: pd.Series) -> pd.Series:
    if pd.api.types.is_float_dtype(series):
        # Parquet/Excel exports often store integer ids as floats (17850.0).
        whole = series.dropna()
        if (whole == np.floor(whole)).all():
            series = series.astype("Int64")
    text = series.astype("string").str.strip()
    text = text.str.replace(r"^(\d+)\.0$", r"\1", regex=True)
    return text.mask(text == "")


def _datetimes(series: pd.Series, date_only: bool, *, dayfirst: bool, utc: bool) -> pd.Series:
    """Times as naive datetimes; times with a UTC offset are converted to UTC."""
    if pd.api.types.is_datetime64_any_dtype(series):
        parsed = series
    else:
        parsed = pd.to_datetime(series, format="ISO8601", errors="coerce", utc=utc)
        retry = parsed.isna() & series.notna()
        if retry.any():
            parsed = parsed.copy()
            parsed[retry] = pd.to_datetime(
                series[retry], format="mixed", dayfirst=dayfirst, errors="coerce", utc=utc
            )
    parsed = pd.to_datetime(parsed)
    if parsed.dt.tz is not None:
        parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
    return parsed.dt.normalize() if date_only else parsed


def _bools(series: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(series):
        return series.astype("boolean")
    text = series.astype("string").str.strip().str.lower()
    out = pd.Series(pd.NA, index=series.index, dtype="boolean")
    out[text.isin(_TRUE)] = True
    out[text.isin(_FALSE)] = False
    return out


def _check(
    raw: RawTable,
    column: str,
    spec: FieldSpec,
    series: pd.Series,
    converted: pd.Series,
    plausible: Plausible,
) -> None:
    given = series.notna()
    if not pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_datetime64_any_dtype(
        series
    ):
        given &= series.astype("string").str.strip().fillna("") != ""
    if spec.required:
        empty = ~given
        if empty.any():
            _fail(raw, column, spec, int(np.flatnonzero(empty.to_numpy())[0]), "an empty cell")
    bad = given & converted.isna()
    expected = _EXPECTED.get(spec.type, "a value")
    limit = plausible.limit(spec.type)
    if limit is not None:
        # Infinite or absurd magnitudes overflow the store (1e30 became a negative quantity).
        out_of_range = converted.notna() & ~(converted.abs() <= limit)
        if out_of_range.any():
            bad |= out_of_range
            expected = f"{expected} between -{limit:,.0f} and {limit:,.0f}"
    if spec.type == "int":
        bad |= converted.notna() & (converted != np.floor(converted))
    limit_chars = _ID_CHARS if spec.type == "id" else _TEXT_CHARS.get(spec.name)
    if limit_chars is not None:
        long = converted.notna() & (converted.astype("string").str.len() > limit_chars)
        if long.any():
            bad |= long.fillna(False).astype(bool)
            expected = f"at most {limit_chars} characters"
    if spec.type == "datetime":
        # An order or event in the future moves "today" for every customer tool (a campaign's
        # planned dates are "date" fields and may lie ahead).
        latest = pd.Timestamp.now().normalize() + pd.Timedelta(days=plausible.future_days)
        future = converted.notna() & (converted >= latest)
        if future.any():
            bad |= future
            expected = f"{expected}, not in the future (before {latest.date().isoformat()})"
    if bad.any():
        index = int(np.flatnonzero(bad.to_numpy())[0])
        _fail(raw, column, spec, index, repr(series.iloc[index]), expected)


def _fail(
    raw: RawTable, column: str, spec: FieldSpec, index: int, got: str, expected: str = ""
) -> None:
    expected = expected or _EXPECTED.get(spec.type, "a value")
    raise InputError(
        f"{raw.path}, {raw.where(index)}, column {column!r} ({spec.name}): "
        f"expected {expected}, got {got}"
    )
