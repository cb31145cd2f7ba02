"""Read CSV or Parquet files into raw frames, with clear errors for files that are neither."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from copilot.errors import InputError

_CSV_SUFFIXES = {".csv": ",", ".tsv": "\t", ".txt": None}
_PARQUET_SUFFIXES = {".parquet", ".pq"}


@dataclass(frozen=True)
class RawTable:
    """A file's rows before typing: CSV cells are strings, Parquet keeps its column types."""

    path: Path
    frame: pd.DataFrame
    format: str
    """"csv" or "parquet"."""

    def where(self, index: int) -> str:
        """Name the position of 0-based data row ``index`` for an error message."""
        if self.format == "csv":
            return f"row {index + 1} (line {index + 2})"
        return f"row {index + 1}"


def file_sha256(path: Path) -> str:
    """Content hash used to recognise a file that was already ingested."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_table(path: Path) -> RawTable:
    """Read a CSV (any delimiter of , ; tab) or Parquet file; raise InputError otherwise."""
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
    return RawTable(path, _read_csv(path, _CSV_SUFFIXES[suffix]), "csv")


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


def _read_csv(path: Path, sep: str | None) -> pd.DataFrame:
    last_error: Exception | None = None
    for encoding in ("utf-8-sig", "latin-1"):
        try:
            frame = pd.read_csv(
                path,
                sep=sep,
                engine="python" if sep is None else "c",
                dtype=str,
                keep_default_na=False,
                na_values=[""],
                encoding=encoding,
            )
            break
        except UnicodeDecodeError as exc:
            last_error = exc
        except pd.errors.EmptyDataError as exc:
            raise InputError(
                f"{path}: the file is empty; expected a header row and data rows"
            ) from exc
        except pd.errors.ParserError as exc:
            raise InputError(f"{path}: not a well-formed CSV file ({exc})") from exc
    else:
        raise InputError(f"{path}: cannot decode the text ({last_error})")
    if frame.empty:
        raise InputError(f"{path}: the file has a header but no data rows")
    return frame
