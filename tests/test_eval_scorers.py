"""Every scorer on hand-made passing and failing answers (AgentAnswer/ToolTrace built here)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from copilot.agent.types import AgentAnswer, Grounding, ToolTrace
from copilot.evaluation.cases import Expect, PlanExpect
from copilot.evaluation.meaning import (
    score_arguments_exact,
    score_clean,
    score_not_covered,
    score_states,
)
from copilot.evaluation.scorers import (
    Observation,
    argument_matches,
    score_arguments,
    score_citations,
    score_grounding,
    score_language,
    score_latency,
    score_plan,
    score_regex,
    score_text,
    score_tools,
    tool_f1,
)
from copilot.evaluation.scoring import model_grader, score
from copilot.testing import ScriptedModel, assistant_message
from tools import ToolContext, to_llm_json
from tools.planning import plan_campaign

OK = Grounding(True, [], 1, False)


def trace(name: str, ok: bool = True, result: Any = None, **arguments: Any) -> ToolTrace:
    payload = {} if result is None else result
    return ToolTrace(name, arguments, ok, json.dumps(payload), None)


def obs(
    text: str,
    *traces: ToolTrace,
    grounding: Grounding = OK,
    question: str = "q",
    latency: float = 1.0,
) -> Observation:
    answer = AgentAnswer(text, "en", list(traces), grounding, [])
    return Observation(question, answer, latency)


def test_tool_choice_exact_subset_order_forbidden_and_f1() -> None:
    two = obs("x", trace("find_customers"), trace("recommend_for_segment"))
    expect = Expect(tools=("find_customers",))
    verdict = score_tools(expect, two)
    assert verdict is not None and verdict.passed
    assert verdict.metrics == {"f1": pytest.approx(2 / 3), "exact": 0.0}
    exact = score_tools(dataclasses.replace(expect, tools_exact=True), two)
    assert exact is not None and not exact.passed and "other tools" in exact.reason
    ordered = Expect(tools=("recommend_for_segment", "find_customers"), tools_in_order=True)
    verdict = score_tools(ordered, two)
    assert verdict is not None and not verdict.passed and "order" in verdict.reason
    verdict = score_tools(dataclasses.replace(ordered, tools_in_order=False), two)
    assert verdict is not None and verdict.passed and verdict.metrics["exact"] == 1.0
    missing = score_tools(Expect(tools=("profile_customer",)), two)
    assert (
        missing is not None and not missing.passed and "missing profile_customer" in missing.reason
    )
    assert missing.metrics["f1"] == 0.0
    forbidden = score_tools(Expect(tools_forbidden=("find_customers",)), two)
    assert forbidden is not None and not forbidden.passed and forbidden.metrics == {}
    assert score_tools(Expect(), two) is None


def test_no_tool_expected() -> None:
    none = score_tools(Expect(tools=()), obs("Hello!"))
    assert none is not None and none.passed and none.metrics == {"f1": 1.0, "exact": 1.0}
    some = score_tools(Expect(tools=()), obs("x", trace("segment_overview")))
    assert some is not None and not some.passed and "expected no tool" in some.reason
    assert tool_f1([], ["segment_overview"]) == 0.0 and tool_f1(["a", "b"], ["a"]) == pytest.approx(
        2 / 3
    )


def test_arguments_subset_tolerance_ranges_and_defaults() -> None:
    answer = obs("x", trace("recommend_products", customer_id="c10001"))
    # n was left to the tool's default (5), which is what the user asked for.
    wanted = Expect(arguments={"recommend_products": {"customer_id": "C10001", "n": 5}})
    verdict = score_arguments(wanted, answer)
    assert verdict is not None and verdict.passed
    wrong = Expect(arguments={"recommend_products": {"n": 3}})
    verdict = score_arguments(wrong, answer)
    assert verdict is not None and not verdict.passed and "n=5 (want 3)" in verdict.reason
    money = obs("x", trace("recommend_discount", segment="at_risk", budget=2010.0))
    close = Expect(arguments={"recommend_discount": {"budget": 2000}}, argument_tolerance=0.01)
    assert (v := score_arguments(close, money)) is not None and v.passed
    strict = dataclasses.replace(close, argument_tolerance=0.001)
    assert (v := score_arguments(strict, money)) is not None and not v.passed
    absent = score_arguments(Expect(arguments={"profile_customer": {"customer_id": "C1"}}), money)
    assert (
        absent is not None and not absent.passed and "profile_customer not called" in absent.reason
    )
    # The best of several calls counts (the model retried after a tool error).
    retried = obs(
        "x",
        trace("profile_customer", ok=False, customer_id="c-10001"),
        trace("profile_customer", customer_id="C10001"),
    )
    assert (
        v := score_arguments(
            Expect(arguments={"profile_customer": {"customer_id": "C10001"}}), retried
        )
    )
    assert v.passed


@pytest.mark.parametrize(
    ("expected", "got", "ok"),
    [
        ({"min": 0}, 10.0, True),
        ({"min": 0}, -1, False),
        ({"min": 1, "max": 2}, "1.5", True),
        ({"max": 2}, None, False),
        (["at_risk", "cannot_lose"], "Cannot_Lose", True),
        (["at_risk", "cannot_lose"], "loyal", False),
        (True, True, True),
        (True, 1, False),
        (None, None, True),
        (0.05, 0.0505, True),
        (0.05, 0.06, False),
        (5, True, False),
        ("Germany", " germany ", True),
        ("Germany", "德国", False),
    ],
)
def test_argument_matching_rules(expected: Any, got: Any, ok: bool) -> None:
    assert argument_matches(expected, got, 0.01) is ok


def test_contains_and_regex() -> None:
    answer = obs("The optimal price for CT-0001 is 5.83, up from 6.99.")
    good = Expect(
        contains=("ct-0001", "5.83"), contains_any=("nope", "OPTIMAL"), not_contains=("free",)
    )
    assert (v := score_text(good, answer)) is not None and v.passed
    bad = Expect(contains=("5.99",), contains_any=("cheap",), not_contains=("6.99",))
    v = score_text(bad, answer)
    assert v is not None and not v.passed
    assert v.reason == "missing '5.99'; none of ['cheap']; contains '6.99'"
    assert score_text(Expect(), answer) is None
    assert (
        v := score_regex(Expect(regex=(r"\b5\.8\d\b",), not_regex=(r"@",)), answer)
    ) and v.passed
    v = score_regex(Expect(regex=(r"(?i)^no",), not_regex=(r"\d+\.\d+",)), answer)
    assert v is not None
    assert not v.passed and "matched '5.83'" in v.reason


def test_grounding_rechecks_numbers_and_judges_fallbacks() -> None:
    result = {"count": 1438, "share": 0.2255}
    grounded = obs("1,438 customers, 22.6% of all.", trace("find_customers", result=result))
    assert (v := score_grounding(Expect(), grounded)) is not None and v.passed
    # The agent said "ok" (e.g. grounding switched off), but 9,999 comes from nowhere.
    invented = obs("9,999 customers.", trace("find_customers", result=result))
    v = score_grounding(Expect(), invented)
    assert v is not None
    assert not v.passed and "9,999" in v.reason
    # Numbers in the question are evidence too.
    echoed = obs("A budget of 2,000 is enough.", question="budget 2000?")
    assert (v := score_grounding(Expect(), echoed)) is not None and v.passed
    # And so are the earlier turns of a follow-up (what the user and the copilot said).
    earlier = ("discount for budget 2000?", "At 20% the incremental profit is -602.3.")
    compared = dataclasses.replace(obs("Worse than the -602.3 before."), earlier=earlier)
    assert (v := score_grounding(Expect(), compared)) is not None and v.passed
    alone = obs("Worse than the -602.3 before.")
    assert (v := score_grounding(Expect(), alone)) is not None and not v.passed
    fell_back = obs(
        "1438", trace("find_customers", result=result), grounding=Grounding(True, [], 2, True)
    )
    strict = score_grounding(Expect(grounded=True), fell_back)
    assert strict is not None and not strict.passed and "fell back" in strict.reason
    lenient = score_grounding(Expect(grounded="allow_fallback"), fell_back)
    assert lenient is not None and lenient.passed
    failed = obs("text", grounding=Grounding(False, ["77"], 2, True))
    assert (v := score_grounding(Expect(grounded="allow_fallback"), failed)) and not v.passed
    assert score_grounding(Expect(grounded=False), invented) is None


def test_citations_exist_in_retrieved_passages_and_expected_ones_are_cited() -> None:
    passages = {"passages": [{"citation": "returns-policy#return-window", "quote": "..."}]}
    search = trace("search_knowledge", result=passages, query="returns")
    good = obs("Apparel: 14 days [returns-policy#return-window].", search)
    v = score_citations(Expect(citations=("returns-policy",)), good)
    assert v is not None and v.passed
    made_up = obs("See [returns-policy#return-window] and [shipping-policy#fees].", search)
    v = score_citations(Expect(), made_up)
    assert v is not None
    assert not v.passed and "cites unknown shipping-policy#fees" in v.reason
    uncited = obs("Apparel: 14 days.", search)
    v = score_citations(Expect(citations=("returns-policy",)), uncited)
    assert v is not None
    assert not v.passed and "does not cite returns-policy" in v.reason
    # Redaction placeholders and list markers are not citations; nothing to check here.
    assert score_citations(Expect(), obs("Call [phone] [1]", search)) is None


def test_language() -> None:
    zh = obs("冠军客户有 653 人，占收入的 41.7%。")
    assert (v := score_language(Expect(language="zh"), zh)) is not None and v.passed
    v = score_language(Expect(language="en"), zh)
    assert v is not None
    assert not v.passed and v.reason == "answer in zh, expected en"
    assert score_language(Expect(language="any"), zh) is None


def test_latency() -> None:
    assert (v := score_latency(Expect(max_latency_s=10), obs("x", latency=9.5))) and v.passed
    v = score_latency(Expect(max_latency_s=10), obs("x", latency=12.0))
    assert v is not None
    assert not v.passed and v.reason == "12.0 s (limit 10 s)"
    assert score_latency(Expect(), obs("x")) is None


@pytest.fixture(scope="module")
def plan_trace(demo_ctx: ToolContext) -> ToolTrace:
    plan = plan_campaign(demo_ctx, goal="win back lapsed customers", budget=5000, channel="email")
    return ToolTrace(
        "plan_campaign", {"goal": "win back", "budget": 5000}, True, to_llm_json(plan), plan
    )


def test_plan_schema_audience_channel_and_budget(plan_trace: ToolTrace) -> None:
    expect = Expect(plan=PlanExpect(audience="at_risk", channel="email", max_budget=5000))
    v = score_plan(expect, obs("plan", plan_trace))
    assert v is not None
    assert v.passed, v.reason
    other = Expect(plan=PlanExpect(audience="champions", channel="sms", max_budget=4000))
    v = score_plan(other, obs("plan", plan_trace))
    assert v is not None and not v.passed
    assert "audience at_risk, expected champions" in v.reason and "channel email" in v.reason
    assert "above 4,000.00" in v.reason
    plan = plan_trace.result
    overspent = dataclasses.replace(
        plan, budget=dataclasses.replace(plan.budget, offer_cost=6000.0)
    )
    v = score_plan(
        Expect(plan=PlanExpect()), obs("p", dataclasses.replace(plan_trace, result=overspent))
    )
    assert v is not None
    assert not v.passed and "spends" in v.reason
    broken = dataclasses.replace(
        plan, kpis=[], channel=dataclasses.replace(plan.channel, name="fax")
    )
    v = score_plan(
        Expect(plan=PlanExpect()), obs("p", dataclasses.replace(plan_trace, result=broken))
    )
    assert v is not None and not v.passed
    assert "schema: channel/name" in v.reason and "schema: kpis" in v.reason
    # Without the live object (a trace read back from JSON) the JSON text is validated.
    from_json = dataclasses.replace(plan_trace, result=None)
    assert (v := score_plan(Expect(plan=PlanExpect()), obs("p", from_json))) and v.passed
    v = score_plan(Expect(plan=PlanExpect()), obs("no plan", trace("plan_campaign", ok=False)))
    assert v is not None
    assert not v.passed and v.reason == "no campaign plan was produced"


def test_rubric_grader_is_model_graded_and_optional() -> None:
    expect = Expect(rubric="The answer declines politely.", language="any", grounded=False)
    answer = obs("Sorry, I only help with marketing.")
    # The rubric is off unless a grader is given; the text checks always run.
    assert [v.scorer for v in score(expect, answer)] == ["clean"]
    model = ScriptedModel([assistant_message("PASS: it declines.")])
    (_, verdict) = score(expect, answer, model_grader(model))
    assert verdict.scorer == "rubric" and verdict.passed and not verdict.deterministic
    assert "Criterion:\nThe answer declines politely." in model.calls[0][-1].content
    fail = model_grader(ScriptedModel([assistant_message("FAIL - it is rude")]))
    assert not fail("q", "a", "polite").passed
    garbage = model_grader(ScriptedModel([assistant_message("Maybe?")]))("q", "a", "polite")
    assert not garbage.passed and "unreadable grade" in garbage.reason


def test_score_runs_every_applicable_scorer() -> None:
    expect = Expect(
        tools=("segment_overview",), contains=("Champions",), language="en", max_latency_s=5
    )
    verdicts = score(
        expect, obs("Champions are 653 customers.", trace("segment_overview", result={"n": 653}))
    )
    assert [v.scorer for v in verdicts] == [
        "tools",
        "contains",
        "grounded",
        "clean",
        "language",
        "latency",
    ]
    assert all(v.passed for v in verdicts)


def test_states_reads_the_facts_from_the_tool_result() -> None:
    found = trace("find_customers", result={"count": 1438, "top": [{"customer_id": "C12403"}]})
    expect = Expect(states=("find_customers.count", "find_customers.top.0.customer_id"))
    v = score_states(expect, obs("1,438 customers match; the first is C12403.", found))
    assert v is not None
    assert v.passed, v.reason
    v = score_states(expect, obs("About 1,500 customers match; the first is C12403.", found))
    assert v is not None
    assert not v.passed and "find_customers.count = 1438" in v.reason
    missing = score_states(Expect(states=("find_customers.nope",)), obs("x", found))
    assert missing is not None and "not in the result" in missing.reason
    none = score_states(expect, obs("1,438"))
    assert none is not None and not none.passed and "gave no result" in none.reason


def test_not_covered_must_be_said_exactly_when_expected() -> None:
    said = obs("The shop's documents do not cover this. The closest passages are [a#b].")
    quoted = obs('The policy "Returns" says [returns#window]: "30 days."')
    assert score_not_covered(Expect(not_covered=True), said).passed  # type: ignore[union-attr]
    assert not score_not_covered(Expect(not_covered=True), quoted).passed  # type: ignore[union-attr]
    assert not score_not_covered(Expect(not_covered=False), said).passed  # type: ignore[union-attr]
    assert score_not_covered(Expect(not_covered=True), obs("店铺的文档中没有涉及这个问题。")).passed  # type: ignore[union-attr]


def test_arguments_exact_rejects_filters_nobody_asked_for() -> None:
    extra = trace("find_customers", country="Germany", segment="loyal", limit=10)
    expect = Expect(arguments_exact={"find_customers": {"country": "Germany"}})
    v = score_arguments_exact(expect, obs("x", extra))
    # limit=10 is the default, so only the segment is an unasked filter.
    assert v is not None
    assert not v.passed and v.reason == "find_customers: unasked segment='loyal'"
    exact = score_arguments_exact(expect, obs("x", trace("find_customers", country="germany")))
    assert exact is not None and exact.passed


def test_clean_text_has_no_loop_no_raw_dump_and_no_tool_names() -> None:
    assert score_clean(Expect(), obs("Champions bring 42% of revenue.")).passed  # type: ignore[union-attr]
    loop = obs("See [postmortem#x]. See [postmortem#x]. See [postmortem#x].")
    assert "repeats itself" in score_clean(Expect(), loop).reason  # type: ignore[union-attr]
    dump = obs("Here is what the tools returned:\n- recommended_price: 5.83")
    assert "raw field dump" in score_clean(Expect(), dump).reason  # type: ignore[union-attr]
    leak = obs("40 champions. 如果这个结果已能回答问题，请选择 respond。")
    assert "scaffolding" in score_clean(Expect(), leak).reason  # type: ignore[union-attr]
    named = obs("Use find_customers to list them.")
    assert not score_clean(Expect(), named).passed  # type: ignore[union-attr]
