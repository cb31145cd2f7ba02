"""Say who holds a SQLite shop database, instead of a lock traceback.

SQLite has one writer at a time. An ingest leaves a small marker file beside the database
(who, since when, how many rows so far); a second writer that times out on the lock reads it.
"""

from __future__ import annotations

import json
import os
import time
from datetime import datetime
from pathlib import Path
from types import TracebackType

from sqlalchemy import Connection, Engine, update
from sqlalchemy.exc import OperationalError

from copilot.core.errors import InputError
from copilot.shop import schema

_EVERY_SECONDS = 1.0


def _marker_path(engine: Engine) -> Path | None:
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    return Path(database + ".ingest")


class IngestMarker:
    """Context manager: the marker exists while an ingest writes (removed on any exit)."""

    def __init__(self, engine: Engine, source: str) -> None:
        self.path = _marker_path(engine)
        self.state: dict[str, str | int] = {
            "pid": os.getpid(),
            "started": datetime.now().isoformat(timespec="seconds"),
            "source": source,
            "rows": 0,
        }
        self._written = 0.0

    def __enter__(self) -> IngestMarker:
        self._write()
        return self

    def advance(self, rows: int) -> None:
        """Count written rows; the file is refreshed at most once a second."""
        self.state["rows"] = int(self.state["rows"]) + rows
        if time.monotonic() - self._written >= _EVERY_SECONDS:
            self._write()

    def _write(self) -> None:
        if self.path is not None:
            self.path.write_text(json.dumps(self.state))
            self._written = time.monotonic()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.path is not None:
            self.path.unlink(missing_ok=True)


def claim(conn: Connection) -> None:
    """Take SQLite's write lock now (a no-op update), before announcing an ingest."""
    if conn.dialect.name == "sqlite":
        conn.execute(update(schema.meta).where(schema.meta.c.key == "").values(value=""))


def is_locked(exc: OperationalError) -> bool:
    """True for SQLite's "database is locked" (another writer holds it)."""
    return "locked" in str(exc.orig).lower()


def busy_error(engine: Engine) -> InputError:
    """What the user is told when another writer holds the database."""
    path = _marker_path(engine)
    try:
        state = json.loads(path.read_text()) if path is not None else None
    except (OSError, ValueError):
        state = None
    if not state:
        return InputError(
            "the shop database is busy (another process is writing to it); try again when it "
            "has finished"
        )
    return InputError(
        f"an ingest is running (started at {state['started']}, {state['source']}, "
        f"{int(state['rows']):,} rows written so far, process {state['pid']}); "
        "try again when it has finished"
    )
