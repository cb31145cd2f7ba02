"""Turn raw columns into typed fields; fail on the first bad cell, naming file, row and column."""

from __future__ import annotations

import numpy as np
import pandas as pd

from copilot.errors import InputError
from copilot.shop.fields import FieldSpec
from copilot.shop.readers import RawTable

_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}
_EXPECTED = {
    "int": "a whole number",
    "float": "a number",
    "datetime": "a date/time such as 2011-12-09 12:50",
    "date": "a date such as 2011-12-09",
    "bool": "true/false, yes/no or 1/0",
}
_LIMITS = {"int": 1e9, "float": 1e12}
"""Largest magnitude a numeric field may hold (quantities, prices, amounts)."""


def typed_frame(
    raw: RawTable, columns: dict[str, str], specs: tuple[FieldSpec, ...]
) -> pd.DataFrame:
    """Columns renamed to field names and converted to their types."""
    out = pd.DataFrame(index=raw.frame.index)
    for spec in specs:
        column = columns.get(spec.name)
        if column is None:
            continue
        series = raw.frame[column]
        converted = _convert(series, spec)
        _check(raw, column, spec, series, converted)
        out[spec.name] = converted
    return out.reset_index(drop=True)


def _convert(series: pd.Series, spec: FieldSpec) -> pd.Series:
    if spec.type == "id":
        return _ids(series)
    if spec.type == "text":
        text = series.astype("string").str.strip()
        return text.mask(text == "")
    if spec.type in ("int", "float"):
        if pd.api.types.is_bool_dtype(series):
            return pd.Series(np.nan, index=series.index)
        if not pd.api.types.is_numeric_dtype(series):
            series = series.astype("string").str.strip().str.replace(",", "", regex=False)
        return pd.to_numeric(series, errors="coerce").astype("float64")
    if spec.type in ("datetime", "date"):
        return _datetimes(series, spec.type == "date")
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


def _datetimes(series: pd.Series, date_only: bool) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(series):
        parsed = series
    else:
        text = series.astype("string").str.strip()
        parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
        retry = parsed.isna() & text.notna()
        if retry.any():
            parsed = parsed.copy()
            parsed[retry] = pd.to_datetime(text[retry], format="mixed", errors="coerce")
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
    raw: RawTable, column: str, spec: FieldSpec, series: pd.Series, converted: pd.Series
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
    if spec.type in _LIMITS:
        limit = _LIMITS[spec.type]
        # Infinite or absurd magnitudes overflow the store (1e30 became a negative quantity).
        out_of_range = converted.notna() & ~(converted.abs() <= limit)
        if out_of_range.any():
            bad |= out_of_range
            expected = f"{expected} between -{limit:,.0f} and {limit:,.0f}"
    if spec.type == "int":
        bad |= converted.notna() & (converted != np.floor(converted))
    if spec.type == "datetime":
        # An order or event in the future moves "today" for every customer tool (a campaign's
        # planned dates are "date" fields and may lie ahead).
        latest = pd.Timestamp.now().normalize() + pd.Timedelta(days=2)
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
