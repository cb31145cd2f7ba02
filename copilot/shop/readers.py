"""Read CSV or Parquet files into raw frames, with clear errors for files that are neither."""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from copilot.core.errors import InputError

_CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
_DELIMITERS = (",", ";", "\t", "|")
# Three digits after the mark could be a thousands group ("1,234", "1.234"): they decide nothing.
_DECIMAL_COMMA = r"^-?(?:\d+|\d{1,3}(?:\.\d{3})+),(?:\d{1,2}|\d{4,})$"
_DECIMAL_DOT = r"^-?(?:\d+|\d{1,3}(?:,\d{3})+)\.(?:\d{1,2}|\d{4,})$"
_PARQUET_SUFFIXES = {".parquet", ".pq"}
_SNIFF_BYTES = 1 << 20
_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
"""CJK punctuation, common ideographs and full-width forms."""


@dataclass(frozen=True)
class RawTable:
    """A file's rows before typing: CSV cells are strings, Parquet keeps its column types."""

    path: Path
    frame: pd.DataFrame
    format: str
    """"csv" or "parquet"."""
    encoding: str = ""
    """The text encoding a CSV file was read with."""
    delimiter: str = ""
    """The CSV file's column separator (found from its first lines)."""
    decimal_comma: frozenset[str] = frozenset()
    """CSV columns whose numbers are written "2,55" or "1.234,50" (Excel in many locales)."""

    def where(self, index: int) -> str:
        """Name the position of 0-based data row ``index`` for an error message."""
        if self.format == "csv":
            return f"row {index + 1} (line {index + 2})"
        return f"row {index + 1}"


def read_table(path: Path, encoding: str | None = None) -> RawTable:
    """Read a CSV (any delimiter of , ; tab |) or Parquet file; raise InputError otherwise.

    A CSV file's encoding is detected (UTF-8 with or without BOM, GB18030/GBK, Windows-1252)
    unless ``encoding`` names it; its separator and decimal mark are found from its rows.
    """
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory; expected a .csv or .parquet file")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: the file is empty; expected a header row and data rows")
    with path.open("rb") as fh:
        head = fh.read(8192)
    suffix = path.suffix.lower()
    if head.startswith(b"PAR1") or suffix in _PARQUET_SUFFIXES:
        return RawTable(path, _read_parquet(path), "parquet")
    if b"\x00" in head:
        raise InputError(
            f"{path}: binary content that is not Parquet; expected a CSV or Parquet file"
        )
    if suffix not in _CSV_SUFFIXES:
        raise InputError(
            f"{path}: unknown file type {suffix or '(none)'!r}; expected .csv or .parquet"
        )
    chosen = encoding or detect_encoding(path)
    sep = sniff_delimiter(_first_lines(path, chosen))
    frame = _read_csv(path, sep, chosen)
    return RawTable(path, frame, "csv", chosen, sep, decimal_comma_columns(frame))


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several unrelated types for a bad file
        raise InputError(
            f"{path}: not a readable Parquet file ({type(exc).__name__}: {exc})"
        ) from exc
    if frame.empty:
        raise InputError(f"{path}: the Parquet file has no rows")
    return frame


def detect_encoding(path: Path) -> str:
    """UTF-8 when the whole file decodes as UTF-8; else GB18030 when what decodes is Chinese;
    else Windows-1252 (Western European exports)."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    with path.open("rb") as fh:
        try:
            for block in iter(lambda: fh.read(1 << 20), b""):
                decoder.decode(block)
            decoder.decode(b"", final=True)
            return "utf-8-sig"
        except UnicodeDecodeError:
            pass
        fh.seek(0)
        sample = fh.read(_SNIFF_BYTES)
    text = sample.decode("gb18030", errors="replace")
    wide = [c for c in text if ord(c) > 127]
    chinese = sum(1 for c in wide if _CJK.match(c))
    # Latin-1 bytes read as GB18030 give rare ideographs, replacement marks and odd symbols;
    # real Chinese text is nearly all common ideographs and CJK punctuation.
    if wide and chinese / len(wide) >= 0.9 and "\ufffd" not in text[:-1]:
        return "gb18030"
    return "cp1252"


def _first_lines(path: Path, encoding: str, count: int = 50) -> list[str]:
    """The file's first lines as text (undecodable bytes replaced: only separators count)."""
    with path.open("r", encoding=encoding, errors="replace", newline="") as fh:
        return [line for _, line in zip(range(count), fh, strict=False)]


def sniff_delimiter(lines: list[str]) -> str:
    """The separator that splits the header into the most columns and every sample row into
    as many ("," when none splits it): a ";" export with decimal commas ("2,55") has no comma
    in its header, and a comma file's ";" inside quoted text does not split its header."""
    best, width = ",", 1
    for sep in _DELIMITERS:
        rows = list(csv.reader(io.StringIO("".join(lines)), delimiter=sep))
        rows = [r for r in rows if r]
        if not rows or len(rows[0]) <= width:
            continue
        complete = rows[:-1] if len(rows) > 1 else rows  # the last sampled line may be cut
        if all(len(r) == len(rows[0]) for r in complete):
            best, width = sep, len(rows[0])
    return best


def decimal_comma_columns(frame: pd.DataFrame) -> frozenset[str]:
    """Columns with a number written with a decimal comma ("2,55", "1.234,5") and none with a
    decimal point; "1,234" alone decides nothing (a thousands group)."""

    def written(cells: pd.Series, mark: str, pattern: str) -> bool:
        marked = cells[cells.str.contains(mark, regex=False)]  # few cells reach the regex
        return bool(marked.str.strip().str.match(pattern).any())

    out = set()
    for column in frame.columns:
        cells = frame[column].dropna().astype(str)
        if written(cells, ",", _DECIMAL_COMMA) and not written(cells, ".", _DECIMAL_DOT):
            out.add(str(column))
    return frozenset(out)


def _read_csv(path: Path, sep: str, encoding: str) -> pd.DataFrame:
    try:
        frame = pd.read_csv(
            path,
            sep=sep,
            engine="c",
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            encoding=encoding,
            encoding_errors="strict",
        )
    except (UnicodeDecodeError, LookupError) as exc:
        raise InputError(
            f"{path}: cannot decode the text as {encoding} ({exc}); "
            "name the file's encoding with --encoding (e.g. utf-8, gb18030, cp1252)"
        ) from exc
    except pd.errors.EmptyDataError as exc:
        raise InputError(f"{path}: the file is empty; expected a header row and data rows") from exc
    except pd.errors.ParserError as exc:
        raise InputError(f"{path}: not a well-formed CSV file ({exc})") from exc
    if frame.empty:
        raise InputError(f"{path}: the file has a header but no data rows")
    return frame
