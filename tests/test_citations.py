"""Answers that use a retrieved passage without citing it get the passage named after them."""

from __future__ import annotations

import json
from dataclasses import dataclass

from copilot.agent.citations import cited_ids, sources_line, without_sources_line
from copilot.agent.types import ToolTrace
from tools.knowledge_search import Passage


@dataclass(frozen=True)
class _Found:
    passages: list[Passage]


XMAS = Passage(
    citation="campaign:CMP-2512-XMAS",
    title="Christmas gift guide",
    type="campaign",
    language="en",
    quote="Results: sends 3,909, opens 949, clicks 184, conversions 19, revenue 1456.56.",
)
RETURNS = Passage(
    citation="returns-policy#apparel",
    title="Returns",
    type="policy",
    language="en",
    quote="Apparel can be returned unworn within 30 days; the customer pays return shipping.",
)
TONE = Passage(
    citation="brand-voice#tone",
    title="品牌语气",
    type="guide",
    language="zh",
    quote="我们的语气温暖、简洁、真诚，不夸张。",
)


def _trace(*passages: Passage, ok: bool = True) -> ToolTrace:
    text = json.dumps({"passages": [{"citation": p.citation} for p in passages]})
    return ToolTrace("search_knowledge", {"query": "q"}, ok, text, _Found(list(passages)))


def test_the_passage_whose_numbers_the_answer_states_is_named() -> None:
    traces = [_trace(RETURNS, XMAS)]
    answer = "Last Christmas' email brought 1456.56 in revenue from 184 clicks."
    assert sources_line(answer, traces, "en") == "\n\nSources: [campaign:CMP-2512-XMAS]"


def test_without_shared_numbers_the_passage_sharing_most_words_is_named() -> None:
    traces = [_trace(XMAS, RETURNS)]
    answer = "Unworn apparel can be returned within a month; customers pay the return shipping."
    assert sources_line(answer, traces, "en") == "\n\nSources: [returns-policy#apparel]"
    assert sources_line("我们的品牌语气是温暖和简洁。", [_trace(TONE)], "zh") == (
        "\n\n来源: [brand-voice#tone]"
    )


def test_nothing_is_added_to_cited_unrelated_or_documentless_answers() -> None:
    traces = [_trace(XMAS, RETURNS)]
    assert sources_line("It made 1456.56 [campaign:CMP-2512-XMAS].", traces, "en") == ""
    assert sources_line("Hello, how can I help?", traces, "en") == ""
    assert sources_line("It made 1456.56.", [_trace(XMAS, ok=False)], "en") == ""
    assert sources_line("It made 1456.56.", [], "en") == ""


def test_only_ids_a_tool_returned_count_as_citations_in_the_order_cited() -> None:
    traces = [_trace(XMAS, RETURNS)]
    text = "See [returns-policy#apparel], [made-up#id] and [campaign:CMP-2512-XMAS] [returns-policy#apparel]."
    assert cited_ids(text, traces) == ["returns-policy#apparel", "campaign:CMP-2512-XMAS"]


def test_the_sources_line_can_be_taken_off_again() -> None:
    answer = "It brought 1456.56 in revenue."
    line = sources_line(answer, [_trace(XMAS)], "en")
    assert without_sources_line(answer + line) == answer
    assert without_sources_line("No sources here.") == "No sources here."
    assert without_sources_line("营收 1456.56。\n\n来源: [x#y]") == "营收 1456.56。"
