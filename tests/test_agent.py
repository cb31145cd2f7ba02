"""The agent loop with the scripted model: tools, errors, retries, limits, grounding, PII."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from copilot.agent import Agent, Message
from copilot.agent.events import Answered, Token, ToolCalled
from copilot.agent.grounding import evidence_numbers, parse_numbers, unsupported_numbers
from copilot.agent.guards import whole_sentences
from copilot.core.privacy import redact
from copilot.core.settings import Settings
from copilot.shop import ShopData
from copilot.testing import ScriptedModel, assistant_message, function_call, respond
from tools import ToolContext


def agent(ctx: ToolContext, model: ScriptedModel, **settings: object) -> Agent:
    local = ToolContext(ctx.shop, Settings(home=ctx.settings.home, **settings))  # type: ignore[arg-type]
    local._models = ctx._models  # share fitted models
    return Agent(model, local)


def test_multi_step_tool_use_and_grounded_answer(demo_ctx: ToolContext) -> None:
    model = ScriptedModel(
        [
            function_call("find_customers", segment="at_risk", churn_risk_above=0.5, limit=3),
            function_call("recommend_for_segment", segment="at_risk", n=3),
            assistant_message("placeholder"),
        ]
    )
    # Fill the final answer from the real tool output so the numbers are grounded.
    found = (
        agent(
            demo_ctx,
            ScriptedModel(
                [
                    function_call(
                        "find_customers", segment="at_risk", churn_risk_above=0.5, limit=3
                    ),
                    assistant_message("x"),
                ]
            ),
        )
        .ask("who is at risk?")
        .tools[0]
        .result
    )
    model.steps[-1] = assistant_message(
        f"{found.count} at-risk customers have churn risk above 50%, worth "
        f"{found.total_clv_12m:,.0f} in 12-month CLV."
    )
    events = list(
        agent(demo_ctx, model, answer_style="narrative").run(
            "Which at-risk customers should I win back?"
        )
    )
    assert sum(isinstance(e, ToolCalled) for e in events) == 2
    assert isinstance(events[-1], Answered)
    answer = events[-1].answer
    assert answer.grounding.ok and not answer.grounding.fallback
    assert [t.name for t in answer.tools] == ["find_customers", "recommend_for_segment"]
    model.assert_complete()
    # The second model call saw the first tool's result.
    assert any(m.content.startswith("Tool result (find_customers)") for m in model.calls[1])


def test_an_id_written_another_way_is_found_and_an_unknown_one_ends_the_turn(
    demo_ctx: ToolContext,
) -> None:
    model = ScriptedModel([function_call("profile_customer", customer_id="c-10001"), respond()])
    answer = agent(demo_ctx, model).ask("Tell me about customer c-10001")
    assert [t.ok for t in answer.tools] == [True] and "Customer C10001" in answer.text
    typo = ScriptedModel([function_call("profile_customer", customer_id="C1000")])
    answer = agent(demo_ctx, typo).ask("Tell me about customer C1000")
    # Only the user knows which customer they meant: the turn ends with the closest ids.
    assert [t.ok for t in answer.tools] == [False]
    assert "There is no customer C1000" in answer.text and "Closest ids:" in answer.text
    assert "Fix the arguments" in answer.tools[0].result_json  # the model's advice, not ours
    typo.assert_complete()


def test_invalid_arguments_are_validated_and_retried(demo_ctx: ToolContext) -> None:
    model = ScriptedModel(
        [
            function_call("find_customers", limit=500),
            function_call("find_customers", limit=5),
            assistant_message("Done."),
        ]
    )
    answer = agent(demo_ctx, model).ask("list 500 customers")
    assert not answer.tools[0].ok and "less than or equal to 100" in answer.tools[0].result_json
    assert answer.tools[1].ok


def test_unknown_tool_and_step_limit_fall_back_to_the_findings(demo_ctx: ToolContext) -> None:
    model = ScriptedModel(
        [
            function_call("segment_overview"),
            function_call("segment_overview", kind="cluster"),
            function_call("find_customers", limit=3),
        ]
    )
    answer = agent(demo_ctx, model, max_steps=3, answer_style="narrative").ask(
        "show me 3 customers, segments and clusters"
    )
    assert answer.grounding.fallback and "RFM segments" in answer.text
    assert "data-driven clusters" in answer.text and "segment_overview" not in answer.text
    model.assert_complete()
    unknown = ScriptedModel([function_call("delete_everything"), assistant_message("Sorry.")])
    result = agent(demo_ctx, unknown).ask("do something")
    assert "no tool named 'delete_everything'" in result.tools[0].result_json


def test_a_repeated_identical_call_means_answer_now(demo_ctx: ToolContext) -> None:
    model = ScriptedModel(
        [
            function_call("segment_overview"),
            function_call("segment_overview"),
            assistant_message("Champions lead revenue."),
        ]
    )
    answer = agent(demo_ctx, model, answer_style="narrative").ask("segments?")
    assert [t.name for t in answer.tools] == ["segment_overview"]
    assert answer.text == "Champions lead revenue."
    model.assert_complete()


def test_ungrounded_answer_is_regenerated_then_falls_back(demo_ctx: ToolContext) -> None:
    fixed = ScriptedModel(
        [
            function_call("segment_overview"),
            assistant_message("You have 1234567 champions."),
            assistant_message("Champions are your largest revenue segment."),
        ]
    )
    answer = agent(demo_ctx, fixed, answer_style="narrative").ask("Who are my best customers?")
    assert answer.grounding.ok and answer.grounding.attempts == 2
    assert "1234567" in fixed.calls[-1][-1].content  # the retry names the number
    stubborn = ScriptedModel(
        [
            function_call("segment_overview"),
            assistant_message("You have 1234567 champions."),
            assistant_message("Really, 7654321 champions."),
        ]
    )
    answer = agent(demo_ctx, stubborn, answer_style="narrative").ask("Who are my best customers?")
    # The fallback is the findings (checked), never a dump of raw fields.
    assert (
        answer.grounding.fallback and answer.grounding.ok and answer.grounding.source == "findings"
    )
    assert "7654321" not in answer.text and "RFM segments" in answer.text
    assert "segment_overview" not in answer.text and "avg_churn_risk" not in answer.text


def test_the_question_reaches_the_model_without_scaffolding(demo_ctx: ToolContext) -> None:
    model = ScriptedModel([assistant_message("你好！我可以帮你分析客户。")])
    answer = agent(demo_ctx, model).ask("你好")
    # No language request glued to the question: it would reach search queries and arguments.
    assert answer.language == "zh" and model.calls[0][-1].content == "你好"


def test_context_is_trimmed_oldest_tool_output_first(demo_ctx: ToolContext) -> None:
    history = [
        Message("user", "old question " * 50),
        Message("user", "Tool result (x):\n" + "9" * 6000, name="x"),
    ]
    model = ScriptedModel([assistant_message("ok")])
    agent(demo_ctx, model, n_ctx=2048, max_tokens=200).ask("new question", history)
    sent = model.calls[0]
    assert sent[-1].content.startswith("new question") and sent[0].role == "system"
    assert all("9" * 100 not in m.content for m in sent)


def test_pii_is_redacted_toward_a_remote_backend(demo_ctx: ToolContext) -> None:
    remote = ScriptedModel([assistant_message("ok")], remote=True)
    agent(demo_ctx, remote).ask("Email jane.doe@example.com or call +86 138 0013 8000")
    sent = remote.calls[0][-1].content
    assert "jane.doe" not in sent and "138 0013" not in sent and "[email]" in sent
    allowed = ScriptedModel([assistant_message("ok")], remote=True)
    agent(demo_ctx, allowed, allow_pii_remote=True).ask("Email jane.doe@example.com")
    assert "jane.doe@example.com" in allowed.calls[0][-1].content
    local = ScriptedModel([assistant_message("ok")])
    agent(demo_ctx, local).ask("Email jane.doe@example.com")
    assert "jane.doe@example.com" in local.calls[0][-1].content


def test_grounding_number_normalisation() -> None:
    evidence = evidence_numbers(['{"revenue": 1456.56, "rate": 0.1234, "n": 12000}'])
    assert (
        unsupported_numbers("Revenue 1,456.56 (about 1,457), 12.3% of 1.2万 customers", evidence)
        == []
    )
    assert unsupported_numbers("Revenue 2,000 and 45%", evidence) == ["2,000", "45%"]
    assert parse_numbers("see [postmortem-cmp-2512-xmas] and CT-0001, top 5") == [("5", 5.0)]
    assert redact("a@b.co +1 415 555 0100 and 1,234.5") == "[email] [phone] and 1,234.5"


def test_ask_command_with_the_offline_backend(
    demo_ctx: ToolContext, monkeypatch: object, capsys: object
) -> None:
    import json

    from copilot.cli import main

    mp: pytest.MonkeyPatch = monkeypatch  # type: ignore[assignment]
    out: pytest.CaptureFixture[str] = capsys  # type: ignore[assignment]
    mp.setenv("COPILOT_HOME", str(demo_ctx.settings.home))
    assert (
        main(
            ["ask", "--backend", "scripted", "--json", "Recommend products for customer C10001"],
            context=demo_ctx,
        )
        == 0
    )
    data = json.loads(out.readouterr().out)
    assert data["tools"] == [
        {"name": "recommend_products", "arguments": {"customer_id": "C10001"}, "ok": True}
    ]
    assert data["grounding"]["ok"] and "customer C10001" in data["answer"]
    assert "recommend_products" not in data["answer"]


def test_an_answer_cut_by_the_token_cap_ends_at_its_last_whole_sentence() -> None:
    cut = "SN-0011 has an elasticity of -2.85. A 10% rise costs 24% of units. Raising the pr"
    assert (
        whole_sentences(cut) == "SN-0011 has an elasticity of -2.85. A 10% rise costs 24% of units."
    )
    assert whole_sentences("推荐这三款商品。它们都和客户买过的") == "推荐这三款商品。"
    # List numbers are not sentence ends, and a lone fragment is kept rather than emptied.
    assert whole_sentences("Top picks:\n1. Eco Dark Chocolate\n2. Premium Butter") == (
        "Top picks:\n1. Eco Dark Chocolate\n2. Premium Butter"
    )
    assert whole_sentences("Done. The rest of a long answer that was cut by") == (
        "Done. The rest of a long answer that was cut by"
    )


def test_warm_up_fits_the_tools_models_and_reads_the_system_prompt_once(
    demo_ctx: ToolContext,
) -> None:
    model = ScriptedModel([assistant_message("Hello.")])
    agent = Agent(model, demo_ctx)
    agent.warm_up()
    assert len(model.prompts_read) == 1
    assert [m.role for m in model.prompts_read[0]] == ["system", "user"]
    assert model.prompts_read[0][0].content == agent.system_prompt("en")
    assert {"profiles", "recommender", "demand", "knowledge"} <= set(demo_ctx._models)
    # The scripted step is still there for the first question: warm-up asked nothing.
    assert agent.ask("hi").text == "Hello."


def test_a_refused_request_is_explained_with_the_tool_s_own_numbers(demo_ctx: ToolContext) -> None:
    import re

    import pytest

    from copilot.core.errors import ToolError
    from tools.planning import plan_campaign

    with pytest.raises(ToolError, match="budget") as refused:
        plan_campaign(demo_ctx, goal="win back at-risk customers", budget=10)
    cost = re.search(r"about ([\d,]+)", str(refused.value))
    assert cost is not None
    model = ScriptedModel(
        [
            function_call("plan_campaign", goal="win back at-risk customers", budget=10),
            assistant_message(f"Reaching them costs about {cost[1]}, so 10 is too small."),
        ]
    )
    answer = agent(demo_ctx, model, answer_style="narrative").ask(
        "Plan a win-back campaign with a budget of 10"
    )
    assert [t.ok for t in answer.tools] == [False]
    assert "does not cover" in answer.tools[0].result_json
    assert "refused" in model.calls[-1][-1].content  # the explain_error instruction
    assert answer.grounding.ok and not answer.grounding.fallback
    model.assert_complete()
    # In facts style the refusal is stated in the tool's own words, without the model.
    facts = ScriptedModel(
        [function_call("plan_campaign", goal="win back at-risk customers", budget=10)]
    )
    answer = agent(demo_ctx, facts).ask("Plan a win-back campaign with a budget of 10")
    assert "does not cover reaching" in answer.text and answer.grounding.source == "findings"
    facts.assert_complete()


def test_an_answer_drawn_from_a_passage_without_its_id_gets_the_source_named(
    indexed_demo_ctx: ToolContext,
) -> None:
    from tools.knowledge_search import search_knowledge

    found = search_knowledge(indexed_demo_ctx, query="Christmas gift guide email results")
    xmas = next(p for p in found.passages if p.citation == "campaign:CMP-2512-XMAS")
    revenue = xmas.quote.split("revenue ")[1].split(",")[0]
    model = ScriptedModel(
        [
            function_call("search_knowledge", query="Christmas gift guide email results"),
            assistant_message(f"The Christmas e-mail brought {revenue} in revenue."),
        ]
    )
    events = list(
        agent(indexed_demo_ctx, model, answer_style="narrative").run(
            "What did the Christmas e-mail achieve?"
        )
    )
    assert isinstance(events[-1], Answered)
    answer = events[-1].answer
    named = answer.text.split("Sources: ")[1]
    assert "[campaign:CMP-2512-XMAS]" in named
    # Every named passage states the revenue (the holiday brief quotes last year's result).
    quotes = {p.citation: p.quote for p in found.passages}
    value = float(revenue.replace(",", ""))
    assert answer.citations
    assert all(value in {v for _, v in parse_numbers(quotes[c])} for c in answer.citations)
    streamed = "".join(e.text for e in events if isinstance(e, Token))
    assert streamed.rstrip().endswith(named.rstrip())


def test_routing_examples_are_not_evaluation_questions() -> None:
    """Worked examples teach the format; a held-out question among them would flatter the
    routing and suite scores (and small models copy example values)."""
    from pathlib import Path

    from copilot.agent.prompts import routing
    from copilot.evaluation.cases import load_suite
    from copilot.evaluation.routing import load_cases

    repo = Path(__file__).resolve().parents[1]
    asked = [
        c["q"] for name in ("core", "dev") for c in load_cases(repo / f"evals/routing/{name}.yaml")
    ]
    for suite in ("core", "plans"):
        asked += [
            turn
            for case in load_suite(repo / f"evals/suites/{suite}.yaml").cases
            for turn in case.turns
        ]
    asked_lower = {q.strip().lower() for q in asked}
    for example in routing()["examples"]:
        assert example["q"].strip().lower() not in asked_lower, example["q"]
        for value in example["a"].get("arguments", {}).values():
            if isinstance(value, str) and any(ch.isdigit() for ch in value):  # ids and SKUs
                assert not any(value in q for q in asked), (value, example["q"])


def test_a_failed_extra_call_after_a_result_still_gets_an_answer_from_the_result(
    demo_ctx: ToolContext,
) -> None:
    model = ScriptedModel(
        [
            function_call("price_elasticity", sku="CT-0001"),
            function_call("profile_customer", customer_id="CT-0001"),
            assistant_message("CT-0001 is price sensitive."),
        ]
    )
    answer = agent(demo_ctx, model, answer_style="narrative").ask("How price sensitive is CT-0001?")
    assert [t.ok for t in answer.tools] == [True, False]
    assert "results above" in model.calls[-1][-1].content  # write_answer, not explain_error
    model.assert_complete()


def test_an_ungrounded_explanation_of_a_refusal_falls_back_to_the_tool_s_message(
    demo_ctx: ToolContext,
) -> None:
    model = ScriptedModel(
        [
            function_call("plan_campaign", goal="win back at-risk customers", budget=10),
            assistant_message("You need at least 116 to reach 3.46% of them."),
            assistant_message("Still 116 customers at 3.46 each."),
        ]
    )
    answer = agent(demo_ctx, model, answer_style="narrative").ask(
        "Plan a win-back campaign with a budget of 10"
    )
    assert answer.grounding.fallback
    assert answer.text.startswith("I could not answer this from the shop's data:")
    assert "The budget of 10 does not cover" in answer.text and "plan_campaign" not in answer.text
    assert "Fix the arguments" not in answer.text  # the advice was for the model, not the user
    model.assert_complete()


def test_a_horizon_named_in_a_field_counts_as_evidence() -> None:
    evidence = evidence_numbers(['{"clv_12m": 402.4, "views_90d": 3}'])
    assert not unsupported_numbers(
        "Over the next 12 months CLV is 402.4; 90 days of views.", evidence
    )
    assert unsupported_numbers("Over the next 24 months CLV is 402.4.", evidence) == ["24"]


def test_a_follow_up_may_compare_with_numbers_from_earlier_turns(demo_ctx: ToolContext) -> None:
    history = [
        Message("user", "What discount for at-risk customers with a budget of 2000?"),
        Message("assistant", "No depth pays off: at 20% the incremental profit is -602.3."),
    ]
    compared = ScriptedModel(
        [
            function_call("segment_overview"),
            assistant_message("Still a loss, as the -602.3 before; budget 5000 changes nothing."),
        ]
    )
    answer = agent(demo_ctx, compared, answer_style="narrative").ask(
        "What about a budget of 5000?", history
    )
    assert answer.grounding.ok and answer.grounding.attempts == 1, answer.grounding
    # A number said nowhere in the conversation or the tools still fails.
    invented = ScriptedModel(
        [
            function_call("segment_overview"),
            assistant_message("At 5000 the loss is -777.7."),
            assistant_message("At 5000 the loss is -777.7."),
        ]
    )
    answer = agent(demo_ctx, invented, answer_style="narrative").ask(
        "What about a budget of 5000?", history
    )
    assert answer.grounding.fallback and "-777.7" not in answer.text


def test_a_question_that_starts_with_a_bracket_is_text_not_json(demo_ctx: ToolContext) -> None:
    model = ScriptedModel([function_call("segment_overview"), assistant_message("Done.")])
    answer = agent(demo_ctx, model).ask("[urgent] 2 questions: what segments do I have?")
    assert answer.grounding.ok
    assert 2.0 in evidence_numbers(["[urgent] 2 questions"])


def test_a_value_nobody_gave_is_asked_for_and_a_repeated_refusal_ends_the_turn(
    demo_ctx: ToolContext,
) -> None:
    model = ScriptedModel(
        [
            function_call("recommend_discount", segment="at_risk", budget=2000),
            function_call("recommend_discount", segment="at_risk"),
        ]
    )
    answer = agent(demo_ctx, model).ask("What discount should I give at-risk customers?")
    # The invented budget is dropped; the copilot asks for it instead of answering around it.
    assert [t.ok for t in answer.tools] == [False]
    assert "To answer this I need the budget" in answer.text
    model.assert_complete()


def test_a_refusal_is_in_the_question_s_language(demo_ctx: ToolContext) -> None:
    model = ScriptedModel([function_call("recommend_products", customer_id="C99999")])
    answer = agent(demo_ctx, model).ask("给客户 C99999 推荐商品")
    assert "找不到编号为 C99999 的客户" in answer.text
    # An id that does not exist ends the turn (only the user can fix it); the hint for the
    # model stays out of the answer.
    assert "find_customers" in answer.tools[0].result_json and "find_customers" not in answer.text
    model.assert_complete()


def test_a_bug_in_a_tool_is_reported_and_the_turn_survives(
    demo_ctx: ToolContext, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 17: a tool that raises something other than ToolError ended the chat turn with a
    traceback. Now the user reads that it is a bug, the traceback goes to the log."""
    from tools import TOOLS

    def broken(ctx: ToolContext, **kwargs: object) -> object:
        raise TypeError("unsupported operand type(s) for *: 'NoneType' and 'float'")

    tools = [replace(t, fn=broken) if t.name == "recommend_discount" else t for t in TOOLS]
    references = []
    for question, said in (
        ("What discount for lost customers, budget 500?", "internal error (reference "),
        ("给已流失客户什么折扣？预算 500", "计算因内部错误失败（编号 "),
    ):
        model = ScriptedModel([function_call("recommend_discount", segment="lost", budget=500)])
        caplog.clear()
        with caplog.at_level("ERROR"):
            answer = Agent(model, demo_ctx, tools=tools).ask(question)
        assert [t.ok for t in answer.tools] == [False]
        # Issue 17: the user reads a short reference that finds the traceback in the log.
        [record] = [r for r in caplog.records if "recommend_discount" in r.getMessage()]
        reference = record.reference  # type: ignore[attr-defined]
        assert re.fullmatch(r"[0-9a-f]{8}", reference) and record.exc_info
        assert reference in record.getMessage()
        assert f"{said}{reference}" in answer.text and "NoneType" not in answer.text
        references.append(reference)
        model.assert_complete()
    assert references[0] != references[1]


def test_a_result_that_cannot_be_stated_is_a_tool_bug_too(
    shop: ShopData, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """Describing the result ran outside the guard, so a bug there still ended the turn."""
    from tools import TOOLS

    def no_findings(ctx: ToolContext, **kwargs: object) -> object:
        return object()  # no findings writer for this type: describe raises TypeError

    tools = [replace(t, fn=no_findings) if t.name == "segment_overview" else t for t in TOOLS]
    model = ScriptedModel([function_call("segment_overview")])
    with caplog.at_level("ERROR"):
        answer = Agent(model, ToolContext(shop, settings), tools=tools).ask("What segments?")
    [record] = caplog.records
    assert "no findings for object" in str(record.exc_info[1])  # type: ignore[index]
    assert f"(reference {record.reference})" in answer.text  # type: ignore[attr-defined]
    model.assert_complete()


def test_a_number_in_scientific_notation_is_read_whole() -> None:
    """Issue 17: 3.552e-06 was read as 3.552, so a tiny p-value passed for a large claim."""
    assert parse_numbers("p = 3.552e-06, lift 1.5E+3 units") == [
        ("3.552e-06", 3.552e-06),
        ("1.5E+3", 1500.0),
    ]
    assert unsupported_numbers("p = 3.552e-06", evidence_numbers([{"p": 3.552}])) == ["3.552e-06"]


def test_a_closed_pipe_ends_the_command_quietly(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 17: `copilot ... | head` printed broken-pipe tracebacks."""
    from copilot import cli

    def closed(args: object, settings: object) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setitem(cli._COMMANDS, "status", closed)
    assert cli.main(["status"]) == 141
