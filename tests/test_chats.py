"""Chats that last: the store (owners, rename, delete, replace, feedback), a session saved and
restored as the model's history, and thumbs-down turns as draft eval cases (no browser)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from copilot.agent import Agent
from copilot.chats import ChatStore, StoredTurn, title_of
from copilot.cli import main
from copilot.core.errors import InputError
from copilot.core.settings import Settings
from copilot.evaluation.cases import load_suite
from copilot.llm.demo_script import demo_model
from copilot.shop import ShopData
from copilot.testing import ScriptedModel, assistant_message
from copilot.ui.history import opened, rating_of, save
from copilot.ui.runtime import LockedModel
from copilot.ui.session import ChatSession, run_turn
from tools import ToolContext


def _turn(n: int, question: str, answer: str | None = "An answer.") -> StoredTurn:
    messages: list[dict[str, Any]] = [
        {"role": "user", "content": question},
        {"role": "assistant", "content": answer},
    ]
    return StoredTurn(n, question, "en", messages, answer)


def test_a_chat_is_its_owners_alone(shop: ShopData) -> None:
    store = ChatStore(shop.engine)
    mine = store.create("browser:a", "Prices")
    store.save_turns("browser:a", mine, [_turn(0, "What price for CT-0002?")])
    other = store.create("browser:b", "Segments")
    assert [c.id for c in store.chats("browser:a")] == [mine]
    assert store.chats("browser:a")[0].turns == 1
    assert store.turns("browser:b", mine) == []  # another browser reads nothing
    with pytest.raises(InputError, match="no chat"):
        store.rename("browser:b", mine, "stolen")
    with pytest.raises(InputError, match="no chat"):
        store.delete("browser:b", mine)
    with pytest.raises(InputError, match="no chat"):
        store.rate("browser:b", mine, 0, -1)
    store.rename("browser:a", mine, "  Prices   of  coffee ")
    assert store.chats("browser:a")[0].title == "Prices of coffee"
    with pytest.raises(InputError, match="empty"):
        store.rename("browser:a", mine, "   ")
    store.delete("browser:a", mine)
    assert store.chats("browser:a") == [] and store.turns("browser:a", mine) == []
    assert [c.id for c in store.chats("browser:b")] == [other]


def test_saving_from_a_turn_replaces_that_turn_and_the_ones_after(shop: ShopData) -> None:
    store = ChatStore(shop.engine)
    chat = store.create("o", "t")
    store.save_turns("o", chat, [_turn(0, "q0"), _turn(1, "q1"), _turn(2, "q2")])
    store.save_turns("o", chat, [_turn(1, "q1 edited", "New answer.")])
    assert [(t.n, t.question) for t in store.turns("o", chat)] == [(0, "q0"), (1, "q1 edited")]
    store.forget_from("o", chat, 1)
    assert [t.question for t in store.turns("o", chat)] == ["q0"]


def test_feedback_is_stored_on_its_turn_and_drafted_with_the_earlier_questions(
    shop: ShopData,
) -> None:
    store = ChatStore(shop.engine)
    chat = store.create("o", "t")
    store.save_turns("o", chat, [_turn(0, "Segments?"), _turn(1, "And the champions?")])
    store.rate("o", chat, 1, -1)
    store.rate("o", chat, 1, -1, "It said 12% but the table says 21%")
    store.rate("o", chat, 0, 1)
    with pytest.raises(InputError, match="no turn 5"):
        store.rate("o", chat, 5, -1)
    with pytest.raises(InputError, match="rating"):
        store.rate("o", chat, 0, 3)
    down = store.rated(-1)
    assert len(down) == 1
    assert down[0].turn.comment == "It said 12% but the table says 21%"
    assert down[0].earlier == ["Segments?"]
    store.rate("o", chat, 1, None)  # taken back: the comment stays, the rating goes
    assert store.rated(-1) == []


def test_titles_are_the_first_question_cut_at_a_word() -> None:
    assert title_of("  What price\nfor CT-0002? ") == "What price for CT-0002?"
    long = "Which of my high value customers in Germany are about to churn and what should I offer"
    cut = title_of(long)
    assert cut.endswith("…") and len(cut) <= 61 and long.startswith(cut[:-1])
    assert rating_of(True) == 1 and rating_of(False) == -1 and rating_of(None) is None


def test_a_saved_session_comes_back_with_its_history_for_the_model(
    demo_ctx: ToolContext, shop: ShopData
) -> None:
    store = ChatStore(shop.engine)
    model = ScriptedModel(
        [assistant_message("Hello there."), assistant_message("Again."), assistant_message("3")]
    )
    agent = Agent(LockedModel(model), demo_ctx)
    session = ChatSession(owner="browser:x")
    list(run_turn(agent, session, "hi"))
    save(store, session)
    list(run_turn(agent, session, "and again"))
    save(store, session)
    assert session.chat_id is not None and session.saved == 2
    assert store.chats("browser:x")[0].title == "hi"

    back = opened(store, "browser:x", session.chat_id)  # a reload
    assert back.messages() == session.messages()
    assert [(m.role, m.content) for m in back.history] == [
        ("user", "hi"),
        ("assistant", "Hello there."),
        ("user", "and again"),
        ("assistant", "Again."),
    ]
    list(run_turn(agent, back, "third"))
    assert [m.content for m in model.calls[2][1:5]] == ["hi", "Hello there.", "and again", "Again."]
    assert opened(store, "browser:someone-else", session.chat_id).turns == []


def test_turn_of_maps_chat_messages_to_turns_and_forgetting_drops_the_history(
    demo_ctx: ToolContext,
) -> None:
    agent = Agent(LockedModel(demo_model()), demo_ctx)
    session = ChatSession()
    list(run_turn(agent, session, "What price should I set for CT-0002?"))
    list(run_turn(agent, session, "What customer segments do I have?"))
    first = len(session.turns[0].messages)
    assert session.turn_of(0) == 0 and session.turn_of(first - 1) == 0
    assert session.turn_of(first) == 1 and session.turn_of(len(session.messages())) is None
    session.forget_from(1)
    assert [m.content for m in session.history if m.role == "user"] == [
        "What price should I set for CT-0002?"
    ]


def test_draft_from_feedback_writes_a_suite_that_loads(
    settings: Settings,
    shop: ShopData,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COPILOT_HOME", str(settings.home_dir))
    store = ChatStore(shop.engine)
    chat = store.create("o", "t")
    asked = StoredTurn(
        1,
        "哪些高价值客户快要流失了？",
        "zh",
        [{"role": "user", "content": "哪些高价值客户快要流失了？"}],
        "共有 12 位客户。",
        [{"name": "find_customers", "arguments": {"segment": "at_risk"}, "ok": True}],
    )
    store.save_turns("o", chat, [_turn(0, "Segments?"), asked])
    out = tmp_path / "drafts.yaml"
    assert main(["eval", "draft-from-feedback", "--out", str(out)]) == 0
    assert "nothing to draft" in capsys.readouterr().out and not out.exists()

    store.rate("o", chat, 1, -1, "数字不对")
    assert main(["eval", "draft-from-feedback", "--out", str(out)]) == 0
    assert "1 draft case(s) written" in capsys.readouterr().out
    suite = load_suite(out)
    (case,) = suite.cases
    assert case.turns == ("Segments?", "哪些高价值客户快要流失了？")
    assert case.language == "zh" and case.expect.language == "zh"
    assert case.expect.tools == ("find_customers",) and "draft" in case.tags
    assert "数字不对" in case.note and "共有 12 位客户" in case.note
    assert "copilot eval" in out.read_text(encoding="utf-8").splitlines()[0]
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["suite"] == "feedback-drafts"
