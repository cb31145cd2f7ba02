"""A record of what was asked (issue 17): every question, its tool calls, the answer, the
verdict and who asked, exported with personal data redacted; a failed record never costs the
answer."""

from __future__ import annotations

import csv
import io
import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from copilot.agent.events import Event, Token, ToolCalled, ToolResult
from copilot.agent.types import AgentAnswer, Grounding, ToolTrace
from copilot.audit import AuditLog, answered, from_events, verdict
from copilot.cli import main
from copilot.core.settings import Settings
from copilot.shop import ShopData, schema
from copilot.users import os_user

QUESTION = (
    "What sample size does my A/B test need to detect a 10% lift from a 5% baseline? "
    "Send it to ana.li@example.com"
)


@pytest.fixture
def home(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The CLI on this test's data directory, offline, without the embedding scope guard."""
    monkeypatch.setenv("COPILOT_HOME", str(settings.home_dir))
    monkeypatch.setenv("COPILOT_SCOPE_GUARD", "false")
    return settings.home_dir


def _rows(settings: Settings) -> list[dict[str, Any]]:
    engine = ShopData.open(settings.effective_database_url).engine
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(schema.audit))]


def _today() -> str:
    return datetime.now(UTC).date().isoformat()


def test_ask_appends_question_tools_answer_verdict_and_user(
    home: Path, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ask", "--backend", "scripted", QUESTION]) == 0
    printed = capsys.readouterr().out
    [row] = _rows(settings)
    assert row["question"] == QUESTION  # stored as asked; redacted on export
    assert json.loads(row["tools"]) == [
        {
            "name": "ab_test_sample_size",
            "arguments": {"metric": "conversion", "baseline": 0.05, "mde_pct": 10.0},
            "ok": True,
        }
    ]
    assert row["answer"] and row["answer"] in printed
    assert (row["verdict"], row["user_name"], row["channel"]) == ("ok", os_user(), "cli")
    assert row["detail"].startswith("✔ Stated by the tools")
    assert abs(datetime.now(UTC).replace(tzinfo=None) - row["asked_at"]) < timedelta(minutes=5)


def test_chat_records_every_question(
    home: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COPILOT_LLM", "scripted")
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{QUESTION}\nhello\n\n"))
    assert main(["chat"]) == 0
    rows = _rows(settings)
    assert [(r["question"], r["channel"]) for r in rows] == [(QUESTION, "cli"), ("hello", "cli")]
    assert json.loads(rows[1]["tools"]) == []


def test_export_redacts_personal_data_unless_asked_and_defuses_formulas(
    home: Path, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ask", "--backend", "scripted", "--json", QUESTION]) == 0
    log = AuditLog(ShopData.open(settings.effective_database_url).engine)
    formula = '=HYPERLINK("http://evil.example","click") call +44 20 7946 0958'
    trace = ToolTrace("search_knowledge", {"query": "mail bo@example.org", "limit": 5}, True, "")
    fixed = Grounding(True, [], 0, False, "fixed")
    assert log.write(answered(formula, AgentAnswer("-1+1", "en", [trace], fixed, []), "bo", "web"))
    capsys.readouterr()

    assert main(["audit", "--since", _today(), "--format", "jsonl"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["user"] for r in rows] == [os_user(), "bo"]
    assert rows[0]["question"].endswith("Send it to [email]")
    assert rows[0]["tools"][0]["arguments"]["baseline"] == 0.05  # numbers stay numbers
    assert "[phone]" in rows[1]["question"] and "7946" not in rows[1]["question"]
    assert rows[1]["tools"][0]["arguments"] == {"query": "mail [email]", "limit": 5}
    assert "@" not in json.dumps(rows)

    assert main(["audit", "--since", _today(), "--format", "jsonl", "--include-pii"]) == 0
    kept = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert kept[0]["question"] == QUESTION and "bo@example.org" in json.dumps(kept[1]["tools"])

    out = home / "audit.csv"
    assert main(["audit", "--since", _today(), "--until", _today(), "--out", str(out)]) == 0
    with out.open(encoding="utf-8", newline="") as handle:
        cells = list(csv.DictReader(handle))
    assert [c["verdict"] for c in cells] == ["ok", "ok"]
    assert cells[1]["question"].startswith("'=HYPERLINK") and cells[1]["answer"] == "'-1+1"
    assert "[email]" in cells[0]["question"]

    tomorrow = (datetime.now(UTC).date() + timedelta(days=1)).isoformat()
    assert main(["audit", "--since", tomorrow, "--format", "jsonl"]) == 0
    assert capsys.readouterr().out == ""
    assert main(["audit", "--since", tomorrow, "--until", _today()]) == 2
    assert "is before --since" in capsys.readouterr().err


def test_a_failed_audit_write_is_logged_and_the_answer_still_given(
    home: Path,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(*args: object) -> None:
        raise OperationalError("INSERT INTO audit", {}, Exception("disk I/O error"))

    monkeypatch.setattr("copilot.audit._insert", broken)
    with caplog.at_level(logging.WARNING, logger="copilot.audit"):
        assert main(["ask", "--backend", "scripted", QUESTION]) == 0
        assert "31,218 customers" in capsys.readouterr().out
        # The web chat records in the background: nothing reaches the page either.
        from copilot.ui.runtime import Runtime

        runtime = Runtime(settings)
        runtime.record_turn("ana", QUESTION, [], None)
        runtime.audit.flush()
    warnings = [r.getMessage() for r in caplog.records if r.name == "copilot.audit"]
    assert len(warnings) == 2 and all("audit record not written" in w for w in warnings)
    assert "ana.li@example.com" not in caplog.text  # the question is not logged
    assert _rows(settings) == []


def _answer(grounding: Grounding, traces: list[ToolTrace] | None = None) -> AgentAnswer:
    return AgentAnswer("text", "en", traces or [], grounding, [])


def test_verdicts_name_how_each_answer_was_grounded() -> None:
    ok = Grounding(True, [], 1, False, "findings", 3)
    assert verdict(_answer(ok)) == "ok"
    assert verdict(_answer(Grounding(True, [], 2, True, "findings"))) == "fallback"
    assert verdict(_answer(Grounding(False, ["1,234"], 2, True))) == "ungrounded"
    assert verdict(_answer(Grounding(True, [], 0, False, "fixed"))) == "refused"  # declined
    unknown = ToolTrace("profile_customer", {"customer_id": "X"}, False, "", final=True)
    assert verdict(_answer(ok, [unknown])) == "refused"


def test_a_stopped_web_turn_is_recorded_with_what_ran_and_what_was_shown() -> None:
    events: list[Event] = [
        ToolCalled(name="find_customers", arguments={"limit": 5}),
        ToolResult(name="find_customers"),
        Token(text="Five customers "),
        Token(text="match"),
    ]
    stopped = from_events("who churns?", events, None, "ana", "web")
    assert (stopped.verdict, stopped.answer, stopped.user) == (
        "stopped",
        "Five customers match",
        "ana",
    )
    assert stopped.tools == [{"name": "find_customers", "arguments": {"limit": 5}, "ok": True}]
    failed = from_events("who churns?", events[:1], RuntimeError("model gone"), "ana", "web")
    assert (failed.verdict, failed.detail) == ("error", "model gone")


def test_the_web_chat_reports_every_turn_it_starts_stopped_or_answered(settings: Settings) -> None:
    from copilot.agent import Agent
    from copilot.audit import AuditEntry
    from copilot.llm.demo_script import demo_model
    from copilot.ui.session import ChatSession, run_turn
    from tools import ToolContext

    agent = Agent(
        demo_model(), ToolContext(ShopData.open(settings.effective_database_url), settings)
    )
    entries: list[AuditEntry] = []

    def record(question: str, events: list[Event], error: BaseException | None) -> None:
        entries.append(from_events(question, events, error, "ana", "web"))

    session = ChatSession()
    list(run_turn(agent, session, QUESTION, record))
    turn = run_turn(agent, session, QUESTION, record)
    for current in turn:
        if any(isinstance(e, Token) for e in current.events):
            session.stop()  # the Stop button, between two events
    assert [e.verdict for e in entries] == ["ok", "stopped"]
    assert entries[1].tools[0]["name"] == "ab_test_sample_size" and entries[1].answer
