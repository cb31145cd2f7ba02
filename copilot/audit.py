"""A record of what was asked: every question, its tool calls, the answer, the verdict, who.

Call sites (the web chat, ``copilot ask`` and ``copilot chat``) record; the agent loop knows
nothing of it. Each record is one short transaction of its own on a background thread, so a
slow or locked database never holds an answer back, and a failed write is logged, never shown
to the person who asked. The table keeps the text as asked; ``copilot audit`` exports it with
e-mails and phone numbers redacted (``copilot.core.privacy.redact``) unless ``--include-pii``.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from types import TracebackType
from typing import Any, Literal, TextIO

import pandas as pd
from sqlalchemy import Connection, Engine, select

from copilot.agent.events import Answered, Event, Token, ToolCalled, ToolFailed, ToolResult
from copilot.agent.types import AgentAnswer
from copilot.agent.verdict import verdict_text
from copilot.core.errors import InputError
from copilot.core.privacy import redact, spreadsheet_safe
from copilot.shop import schema
from copilot.shop.store import utc_now

log = logging.getLogger(__name__)

Channel = Literal["web", "cli"]
Verdict = Literal["ok", "fallback", "ungrounded", "refused", "stopped", "error"]
COLUMNS = ["id", "asked_at", "user", "channel", "question", "tools", "answer", "verdict"]
COLUMNS += ["detail", "language"]


@dataclass(frozen=True)
class AuditEntry:
    """One question and what answered it."""

    user: str
    channel: Channel
    question: str
    tools: list[dict[str, Any]]
    """Each call: name, arguments (as the tool ran them) and ok."""
    answer: str
    verdict: Verdict
    detail: str = ""
    language: str = ""
    asked_at: datetime = field(default_factory=utc_now)


def verdict(answer: AgentAnswer) -> Verdict:
    """The grounding verdict in one word: ``ok`` (checked, or nothing to check), ``fallback``
    (the tools' findings replaced the model's text), ``ungrounded`` (figures not found in the
    results), ``refused`` (declined, or a tool refused what only the user can fix)."""
    g = answer.grounding
    if not g.ok:
        return "ungrounded"
    if g.fallback:
        return "fallback"
    if (g.source == "fixed" and not answer.tools) or any(t.final for t in answer.tools):
        return "refused"
    return "ok"


def tool_calls(answer: AgentAnswer) -> list[dict[str, Any]]:
    """The answer's tool calls as records keep them: name, arguments (as run) and ok."""
    return [{"name": t.name, "arguments": t.arguments, "ok": t.ok} for t in answer.tools]


def answered(question: str, answer: AgentAnswer, user: str, channel: Channel) -> AuditEntry:
    """The record of an answered question."""
    return AuditEntry(
        user,
        channel,
        question,
        tool_calls(answer),
        answer.text,
        verdict(answer),
        verdict_text(answer.grounding, "en"),
        answer.language,
    )


def unanswered(
    question: str,
    error: BaseException | None,
    user: str,
    channel: Channel,
    events: Iterable[Event] = (),
) -> AuditEntry:
    """The record of a question that ended without an answer: stopped (no error) or failed,
    with the tool calls and the text shown up to then."""
    calls: list[dict[str, Any]] = []
    text: list[str] = []
    for event in events:
        if isinstance(event, ToolCalled):
            calls.append({"name": event.name, "arguments": event.arguments})
        elif isinstance(event, ToolResult | ToolFailed) and calls:
            calls[-1]["ok"] = isinstance(event, ToolResult)
        elif isinstance(event, Token):
            text.append(event.text)
    kind: Verdict = "stopped" if error is None else "error"
    return AuditEntry(user, channel, question, calls, "".join(text), kind, str(error or ""))


def from_events(
    question: str,
    events: Sequence[Event],
    error: BaseException | None,
    user: str,
    channel: Channel,
) -> AuditEntry:
    """The record of one streamed turn (the web chat), finished or not."""
    answer = next((e.answer for e in events if isinstance(e, Answered)), None)
    if answer is not None and error is None:
        return answered(question, answer, user, channel)
    return unanswered(question, error, user, channel, events)


def _insert(conn: Connection, entry: AuditEntry) -> None:
    row = asdict(entry)
    row["user_name"] = row.pop("user")
    row["tools"] = json.dumps(entry.tools, ensure_ascii=False, default=str)
    conn.execute(schema.audit.insert().values(**row))


class AuditLog:
    """Appends entries to the shop database's ``audit`` table on one background thread."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._pool: ThreadPoolExecutor | None = None
        self._pending: list[Future[bool]] = []
        self._lock = threading.Lock()

    def write(self, entry: AuditEntry) -> bool:
        """Append ``entry`` now; False (and a warning in the log) when that failed."""
        try:
            with self.engine.begin() as conn:
                _insert(conn, entry)
        except Exception as exc:  # any failure: the answer matters more than its record
            # The engine hides parameters, so the question (maybe personal data) is not logged.
            log.warning("audit record not written (%s: %s)", type(exc).__name__, exc)
            return False
        return True

    def record(self, entry: AuditEntry) -> None:
        """Append ``entry`` in the background (returns at once)."""
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(1, thread_name_prefix="copilot-audit")
            self._pending = [f for f in self._pending if not f.done()]
            self._pending.append(self._pool.submit(self.write, entry))

    def flush(self, timeout: float = 30.0) -> None:
        """Wait for the records submitted so far (at most ``timeout`` seconds)."""
        with self._lock:
            pending = list(self._pending)
        wait_for(pending, timeout=timeout)

    def __enter__(self) -> AuditLog:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.flush()


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value  # numbers stay numbers: a budget is not a phone number


def read_audit(
    engine: Engine, since: date, until: date | None = None, include_pii: bool = False
) -> list[dict[str, Any]]:
    """Records asked from ``since`` through ``until`` (whole UTC days), oldest first; e-mails
    and phone numbers redacted in the text and tool arguments unless ``include_pii``."""
    if until is not None and until < since:
        raise InputError(f"--until {until} is before --since {since}")
    table = schema.audit
    query = select(table).where(table.c.asked_at >= datetime.combine(since, datetime.min.time()))
    if until is not None:
        end = datetime.combine(until + timedelta(days=1), datetime.min.time())
        query = query.where(table.c.asked_at < end)
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query.order_by(table.c.id))]
    out = []
    for row in rows:
        row["user"] = row.pop("user_name")
        row["asked_at"] = row["asked_at"].isoformat(timespec="seconds") + "Z"
        row["tools"] = json.loads(row["tools"] or "[]")
        if not include_pii:
            for key in ("question", "answer", "detail", "tools"):
                row[key] = _clean(row[key])
        out.append({key: row[key] for key in COLUMNS})
    return out


def write_export(rows: list[dict[str, Any]], fmt: Literal["csv", "jsonl"], out: TextIO) -> None:
    """Rows as JSON lines, or as CSV whose cells cannot run as spreadsheet formulas."""
    if fmt == "jsonl":
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["tools"] = [json.dumps(t, ensure_ascii=False) for t in frame["tools"]]
    spreadsheet_safe(frame).to_csv(out, index=False)
