"""Suite files: the shipped suites load and cover what issue 9 asks; malformed cases name the
file and the line."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from copilot.core.errors import InputError
from copilot.evaluation.cases import SUITES_DIR, load_suite, load_suites, suite_paths
from tools import TOOLS


def test_shipped_suites_load_by_name() -> None:
    suites = {s.name: s for s in load_suites(["core", "plans", "retrieval"])}
    assert set(suites) == {"core", "plans", "retrieval"}
    assert suites["retrieval"].kind == "retrieval" and suites["retrieval"].queries is not None
    # Every brief is checked as a plan; the read-out and lesson cases ask about a played one.
    briefs = [
        c for c in suites["plans"].cases if not {"guardrail", "readout", "lesson"} & set(c.tags)
    ]
    assert briefs and all(c.expect.plan is not None for c in briefs)


def test_core_suite_covers_the_brief() -> None:
    core = load_suite(SUITES_DIR / "core.yaml")
    languages = Counter(c.language for c in core.cases)
    assert len(core.cases) >= 80
    assert abs(languages["zh"] - languages["en"]) <= len(core.cases) * 0.1
    expected_tools = {t for c in core.cases for t in (c.expect.tools or ())}
    assert expected_tools == {t.name for t in TOOLS}
    tags = Counter(t for c in core.cases for t in c.tags)
    for tag in ("no_tool", "follow_up", "unknown_id", "out_of_scope", "injection", "guardrail"):
        assert tags[tag] >= 3, tag
    assert all(len(c.turns) >= 2 for c in core.cases if "follow_up" in c.tags)
    assert any(c.expect.tools == () for c in core.cases)
    assert core.documents and all(p.exists() for p in core.documents)
    assert core.required_ids() and core.required_ids() <= {c.id for c in core.cases}


def test_defaults_merge_and_language_follows_the_case(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        "suite: s\n"
        "defaults: {expect: {grounded: allow_fallback, max_latency_s: 9}}\n"
        "cases:\n"
        "  - {id: a, language: zh, input: 你好, expect: {tools: []}}\n"
        "  - {id: b, input: [hi, again], expect: {grounded: false, language: any}}\n",
        encoding="utf-8",
    )
    a, b = load_suite(path).cases
    assert a.expect.grounded == "allow_fallback" and a.expect.max_latency_s == 9
    assert a.expect.language == "zh" and a.expect.tools == () and a.line == 4
    assert b.expect.grounded is False and b.expect.language == "any" and b.turns == ("hi", "again")


GOOD = """suite: broken
cases:
  - id: fine
    input: What customer segments do I have?
    expect: {tools: [segment_overview]}
  - id: second
    input: Recommend 5 products for customer C10001
    expect:
      tools: [recommend_products]
"""


@pytest.mark.parametrize(
    ("replace", "by", "line", "message"),
    [
        ("      tools: [recommend_products]", "      tools: [recomend_products]", 9, "not a tool"),
        ("      tools: [recommend_products]", "      tool: [recommend_products]", 9, "tool"),
        ("    input: Recommend 5 products for customer C10001", "    input: 42", 7, "input: 42"),
        ("    input: Recommend", "    input: 5\n    x: Recommend", 8, "x: Additional properties"),
        ("  - id: second", "  - id: fine", 6, "duplicate case id 'fine'"),
        (
            "      tools: [recommend_products]",
            "      regex: ['(unclosed']",
            9,
            "invalid regular expression",
        ),
        (
            "      tools: [recommend_products]",
            "      arguments: {recommend_products: {customer: C1}}",
            9,
            "has no argument 'customer'",
        ),
        (
            "      tools: [recommend_products]",
            "      tools: [a\n",
            11,
            "not valid YAML: expected ',' or ']', but got '<stream end>' (while parsing a flow "
            "sequence on line 9)",
        ),
        (
            "    expect:\n      tools: [recommend_products]",
            "    expect: {tools: []}\n    expect: {tools: []}",
            9,
            "duplicate key 'expect'",
        ),
    ],
)
def test_malformed_case_names_file_and_line(
    tmp_path: Path, replace: str, by: str, line: int, message: str
) -> None:
    path = tmp_path / "broken.yaml"
    assert replace in GOOD
    path.write_text(GOOD.replace(replace, by), encoding="utf-8")
    with pytest.raises(InputError, match=re.escape(message)) as err:
        load_suite(path)
    text = str(err.value)
    print(text)
    assert text.startswith(f"{path}:{line}: "), text
    assert message in text


def test_error_names_the_case_and_the_field(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(GOOD.replace("{tools: [segment_overview]}", "{grounded: maybe}"), "utf-8")
    with pytest.raises(InputError, match=r"s\.yaml:5: case 'fine': expect\.grounded: 'maybe'"):
        load_suite(path)


def test_unknown_suite_lists_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such suite file.*core, plans, retrieval"):
        suite_paths(["nope"])
    assert suite_paths(["core"]) == [SUITES_DIR / "core.yaml"]
    missing_docs = tmp_path / "d.yaml"
    missing_docs.write_text(f"suite: d\ndocuments: [nowhere]\n{GOOD[14:]}", "utf-8")
    with pytest.raises(InputError, match=r"d\.yaml:2: documents\[0\]: nowhere: no such file"):
        load_suite(missing_docs)
