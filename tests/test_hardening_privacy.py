"""Issue 17, PII that stays home: one redaction for every remote call, and CSV exports that a
spreadsheet cannot run.

The old redaction in the agent loop turned every ISO date into ``[phone]`` and let
``(555) 123-4567`` through; remote embeddings and the plan summary were not redacted at all.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest
from pydantic import SecretStr

from copilot.agent import Agent, Message
from copilot.core.privacy import redact, spreadsheet_safe
from copilot.core.settings import Settings
from copilot.shop import ShopData
from copilot.testing import ScriptedModel, assistant_message
from tools import ToolContext

PHONES = [
    "(555) 123-4567",  # US
    "555-123-4567",
    "555.123.4567",
    "+1 555 123 4567",
    "+1 (555) 123-4567",
    "1-800-555-0199",
    "+44 20 7946 0958",  # UK
    "+44 (0)20 7946 0958",
    "0044 20 7946 0958",
    "020 7946 0958",
    "07700 900123",
    "+86 138 0013 8000",  # China
    "+8613800138000",
    "13800138000",
    "138-0013-8000",
    "010-12345678",
    "(010) 1234 5678",
    "+49 30 123456",  # Germany
    "030 123456",
    "+33 1 23 45 67 89",  # France
    "01 23 45 67 89",
    "06.12.34.56.78",
    "+81 3-1234-5678",  # Japan
    "03-1234-5678",
    "+91 98765 43210",  # India
    "+61 2 9876 5432",  # Australia
    "+7 495 123-45-67",  # Russia
    "+55 11 91234-5678",  # Brazil
]

NOT_PHONES = [
    "2026-10-01",  # dates and times
    "2026/10/01",
    "2026.10.01",
    "01.10.2026",
    "01/10/2026",
    "01-10-2026",
    "2026-10-01 12:30:00",
    "2026-10-01T12:30:00Z",
    "01.10.2026 12:30",
    "2024-01-01 to 2024-03-31",
    "2026-10-01 - 2026-10-31",
    "2026年10月1日",
    "9:00-17:30",  # time ranges
    "10:00–12:00",
    "07:30 08:15 09:00",
    "CT-0001",  # SKUs, order and customer ids
    "85123A",
    "536365",
    "C536379",
    "C10001",
    "536365 536366 536367",
    "12346 12347 12348",
    "EAN 4006381333931",
    "1,234.56",  # amounts and percentages
    "502268.96",
    "+502268.96",
    "-1234.56",
    "1,234,567",
    "1234567",
    "123456789",
    "12.5%",
    "+12.5%",
    "-12.5%",
    "5-30%",
    "2,345 (12.5%)",
    "0.1234",
    "2026",  # years and ranges
    "2024-2026",
    "Q4 2025",
    "0-30",
    "1.5-2.0",
    "[returns-policy#return-window]",
]


@pytest.mark.parametrize("phone", PHONES)
def test_phone_numbers_of_many_countries_are_redacted(phone: str) -> None:
    redacted = redact(f"Call {phone} today, or write to anna.lee@example.co.uk.")
    assert redacted == "Call [phone] today, or write to [email]."


@pytest.mark.parametrize("text", NOT_PHONES)
def test_dates_ids_amounts_and_times_are_left_alone(text: str) -> None:
    assert redact(f"On {text} we sold more.") == f"On {text} we sold more."


def test_emails_and_mixed_text() -> None:
    text = "Revenue 502268.96 on 2026-10-01 from jane.doe+vip@shop.example.com, tel 13800138000"
    assert redact(text) == "Revenue 502268.96 on 2026-10-01 from [email], tel [phone]"
    assert redact("电话：13800138000，邮箱 li.wei@example.cn") == "电话：[phone]，邮箱 [email]"


def _agent(model: ScriptedModel, shop: ShopData, settings: Settings, **overrides: Any) -> Agent:
    return Agent(model, ToolContext(shop, settings.model_copy(update=overrides)))


def test_chat_messages_to_a_remote_model_keep_dates_and_lose_contacts(
    shop: ShopData, settings: Settings
) -> None:
    question = "Who ordered on 2026-10-01 and called (555) 123-4567 or +44 20 7946 0958?"
    remote = ScriptedModel([assistant_message("ok")], remote=True)
    _agent(remote, shop, settings).ask(question)
    sent = remote.calls[0][-1].content
    assert sent == "Who ordered on 2026-10-01 and called [phone] or [phone]?"

    allowed = ScriptedModel([assistant_message("ok")], remote=True)
    _agent(allowed, shop, settings, allow_pii_remote=True).ask(question)
    assert allowed.calls[0][-1].content == question


class RecordingEmbeddings:
    """Stands in for ``OpenAI().embeddings``: records the inputs, returns unit vectors."""

    def __init__(self) -> None:
        self.inputs: list[list[str]] = []

    def create(self, model: str, input: list[str]) -> Any:  # noqa: A002 - the OpenAI API
        self.inputs.append(list(input))
        return SimpleNamespace(data=[SimpleNamespace(embedding=[1.0, 0.0]) for _ in input])


def _embedder(settings: Settings, **overrides: Any) -> tuple[Any, RecordingEmbeddings]:
    from knowledge.embedder import OpenAIEmbedder

    update = {"embedder": "openai", "openai_api_key": SecretStr("sk-test")} | overrides
    embedder = OpenAIEmbedder(settings.model_copy(update=update))
    recorder = RecordingEmbeddings()
    embedder._client = SimpleNamespace(embeddings=recorder)  # type: ignore[assignment]
    return embedder, recorder


def test_remote_embeddings_are_redacted_unless_allowed(settings: Settings) -> None:
    texts = ["Contact jane@example.com or +86 138 0013 8000 before 2026-10-01.", "CT-0001"]
    embedder, recorder = _embedder(settings)
    vectors = embedder.encode(texts)
    assert vectors.shape == (2, 2)
    assert recorder.inputs == [["Contact [email] or [phone] before 2026-10-01.", "CT-0001"]]

    embedder, recorder = _embedder(settings, allow_pii_remote=True)
    embedder.encode(texts, query=True)
    assert recorder.inputs == [texts]


@dataclass(frozen=True)
class StandInPlan:
    """Only what the narrative reads of a plan: its brief and its numbers."""

    goal: str
    budget: float


def test_the_plan_summary_is_redacted_toward_a_remote_model() -> None:
    from copilot.agent.narrative import write_narrative

    plan = StandInPlan("Win back anna@example.com, (555) 123-4567, by 2026-10-01", 5000.0)
    # An ungrounded first draft: the rewrite request goes out redacted too.
    remote = ScriptedModel(
        [assistant_message("Spend 9,999."), assistant_message("Win them back.")], remote=True
    )
    written = write_narrative(remote, plan, "en")  # type: ignore[arg-type]
    assert written.text == "Win them back."
    for call in remote.calls:
        sent = "\n".join(m.content for m in call)
        assert "anna@example.com" not in sent and "123-4567" not in sent
        assert "[email], [phone], by 2026-10-01" in sent

    allowed = ScriptedModel([assistant_message("Win them back.")], remote=True)
    write_narrative(allowed, plan, "en", allow_pii=True)  # type: ignore[arg-type]
    assert "anna@example.com, (555) 123-4567" in allowed.calls[0][-1].content
    local = ScriptedModel([assistant_message("Win them back.")])
    write_narrative(local, plan, "en")  # type: ignore[arg-type]
    assert "anna@example.com, (555) 123-4567" in local.calls[0][-1].content


def test_the_openai_backend_redacts_whoever_calls_it() -> None:
    """Defence in depth: callers that do not go through the agent (the eval grader)."""
    from copilot.llm.openai_chat import _lc_messages

    messages = [Message("system", "Grade it."), Message("user", "Mail a@b.co <|im_start|>")]
    sent = _lc_messages(messages, allow_pii=False)
    assert [m.content for m in sent] == ["Grade it.", "Mail [email] ‹|im_start|›"]
    assert _lc_messages(messages, allow_pii=True)[1].content == "Mail a@b.co ‹|im_start|›"


def test_customer_csv_exports_cannot_run_formulas(tmp_path: Path) -> None:
    from tools.profiling.results import CustomerList

    table = pd.DataFrame(
        {
            "country": ['=HYPERLINK("http://evil.example","x")', "+44 20", "United Kingdom"],
            "note": ["@SUM(A1:A2)", "-2+3", "\tcmd"],
            "monetary": [-12.5, 100.0, 0.0],
            "frequency": [-1, 2, 3],
        },
        index=pd.Index(["=cmd|' /C calc'!A0", "C10002", "\tC10003"], name="customer_id"),
    )
    exported = CustomerList(
        filters={},
        count=3,
        total_revenue=87.5,
        total_clv_12m=0.0,
        sorted_by="clv",
        top=[],
        _table=table,
    ).export_csv(tmp_path / "c.csv")
    rows = list(csv.reader(exported.open(encoding="utf-8", newline="")))
    assert rows[0] == ["customer_id", "country", "note", "monetary", "frequency"]
    assert rows[1] == [
        "'=cmd|' /C calc'!A0",
        '\'=HYPERLINK("http://evil.example","x")',
        "'@SUM(A1:A2)",
        "-12.5",
        "-1",
    ]
    assert rows[2] == ["C10002", "'+44 20", "'-2+3", "100.0", "2"]
    assert rows[3] == ["'\tC10003", "United Kingdom", "'\tcmd", "0.0", "3"]
    # Numbers stay numbers when read back.
    back = pd.read_csv(exported)
    assert back["monetary"].tolist() == [-12.5, 100.0, 0.0]
    assert back["frequency"].tolist() == [-1, 2, 3]


def test_spreadsheet_safe_leaves_the_frame_it_was_given_alone() -> None:
    frame = pd.DataFrame({"a": ["=1+1", "\rcmd", "ok", None], "b": [-1.0, 2.0, 3.0, 4.0]})
    safe = spreadsheet_safe(frame)
    assert safe["a"].tolist()[:3] == ["'=1+1", "'\rcmd", "ok"] and pd.isna(safe["a"].iloc[3])
    assert safe["b"].tolist() == [-1.0, 2.0, 3.0, 4.0]
    assert frame["a"].tolist()[:3] == ["=1+1", "\rcmd", "ok"]
