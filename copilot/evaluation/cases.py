"""Suites of regression cases as YAML data: load, validate against the schema, keep line numbers.

A malformed file raises ``InputError`` naming the file and the line, e.g.
``evals/suites/core.yaml:41: case 'recs-zh': expect.tools[0]: 'recomend' is not a tool``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

import jsonschema
import yaml

from copilot.core.errors import InputError
from copilot.core.resources import data_dir

EVALS_DIR = data_dir("evals")
"""The data folder of suites, schemas and baselines (no code)."""
SUITES_DIR = EVALS_DIR / "suites"
SCHEMA_PATH = EVALS_DIR / "case.schema.json"
JsonPath = tuple[str | int, ...]
Grounded = Literal[True, False, "allow_fallback"]


@dataclass(frozen=True)
class PlanExpect:
    """What a campaign plan produced by ``plan_campaign`` must satisfy."""

    schema: bool = True
    audience: str | None = None
    channel: str | None = None
    max_budget: float | None = None
    verdict: str | None = None
    """run, run_smaller or dont_run."""
    products_category: str | None = None
    """Every featured product belongs to this catalogue category."""
    underpowered: bool | None = None


@dataclass(frozen=True)
class Expect:
    """Expectations on the last turn of a case; unset fields are not scored."""

    tools: tuple[str, ...] | None = None
    """Tools the turn must call; ``()`` means: call no tool."""
    tools_in_order: bool = False
    tools_exact: bool = False
    tools_forbidden: tuple[str, ...] = ()
    arguments: dict[str, dict[str, Any]] = field(default_factory=dict)
    arguments_exact: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Per tool: some call's non-default arguments are exactly these (nothing unasked-for)."""
    argument_tolerance: float = 0.01
    states: tuple[str, ...] = ()
    """Facts the answer must state, as paths into a tool's result (``find_customers.count``)."""
    not_covered: bool | None = None
    """True: the answer must say the documents do not cover it; False: it must not."""
    contains: tuple[str, ...] = ()
    contains_any: tuple[str, ...] = ()
    not_contains: tuple[str, ...] = ()
    regex: tuple[str, ...] = ()
    not_regex: tuple[str, ...] = ()
    grounded: Grounded = True
    citations: tuple[str, ...] = ()
    language: str = "any"
    """"en", "zh" or "any" (resolved from the case language when the YAML leaves it out)."""
    plan: PlanExpect | None = None
    max_latency_s: float | None = None
    rubric: str | None = None


@dataclass(frozen=True)
class Case:
    """One question or conversation with its expectations."""

    id: str
    turns: tuple[str, ...]
    """Questions asked in order, each with the earlier turns as history."""
    expect: Expect
    tags: tuple[str, ...] = ()
    language: str = "en"
    persona: str = "marketer"
    required: bool = False
    note: str = ""
    line: int = 0
    setup: str | None = None
    """``played_campaign``: asked in a private copy of the shop where one campaign went the
    whole loop (copilot.evaluation.played)."""


@dataclass(frozen=True)
class Thresholds:
    """When a suite as a whole passes."""

    min_pass_rate: float = 0.0
    required: tuple[str, ...] = ()
    max_p95_latency_s: float | None = None
    min_hit1: float | None = None
    min_hit3: float | None = None
    min_mrr: float | None = None


@dataclass(frozen=True)
class Suite:
    """A loaded suite file."""

    name: str
    path: Path
    kind: Literal["agent", "retrieval"]
    cases: tuple[Case, ...]
    thresholds: Thresholds = Thresholds()
    description: str = ""
    documents: tuple[Path, ...] = ()
    queries: Path | None = None
    mode: Literal["hybrid", "dense", "keyword"] = "hybrid"
    k: int = 3

    def required_ids(self) -> set[str]:
        """Cases marked required in the case or in the thresholds."""
        return {c.id for c in self.cases if c.required} | set(self.thresholds.required)


def suite_paths(names: Iterable[str]) -> list[Path]:
    """Suite names (``core``: evals/suites/core.yaml) or paths, as existing files."""
    out = []
    for name in names:
        path = Path(name)
        if not path.suffix and not path.exists():
            path = SUITES_DIR / f"{name}.yaml"
        if not path.is_file():
            known = ", ".join(sorted(p.stem for p in SUITES_DIR.glob("*.yaml")))
            raise InputError(f"{name}: no such suite file (suites in {SUITES_DIR}: {known})")
        out.append(path)
    return out


@cache
def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator: jsonschema.protocols.Validator = cls(schema)
    return validator


class _Located:
    """Line numbers of every value in a YAML document, by JSON path."""

    def __init__(self, path: Path, node: yaml.Node) -> None:
        self.path = path
        self.lines: dict[JsonPath, int] = {}
        self._walk(node, ())

    def _walk(self, node: yaml.Node, at: JsonPath) -> None:
        self.lines.setdefault(at, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in node.value:
                name = str(key.value)
                if name in seen:
                    # PyYAML would silently keep the last one: a typo'd case loses data.
                    raise InputError(
                        f"{self.path}:{key.start_mark.line + 1}: duplicate key {name!r}"
                    )
                seen.add(name)
                self.lines[(*at, name)] = key.start_mark.line + 1
                self._walk(value, (*at, name))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                self._walk(item, (*at, i))

    def line(self, at: Sequence[str | int]) -> int:
        """The line of ``at`` or of its nearest located parent."""
        parts = tuple(at)
        while parts not in self.lines and parts:
            parts = parts[:-1]
        return self.lines.get(parts, 1)

    def error(self, at: Sequence[str | int], data: Any, message: str) -> InputError:
        """An error naming the file, the line, the case and the field."""
        where = ""
        parts = list(at)
        if len(parts) >= 2 and parts[0] == "cases" and isinstance(parts[1], int):
            case = data["cases"][parts[1]] if isinstance(data, dict) else None
            case_id = case.get("id") if isinstance(case, dict) else None
            where = f"case {case_id!r}: " if case_id else f"case {parts[1] + 1}: "
            parts = parts[2:]
        field_path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)
        field_path = field_path.lstrip(".")
        return InputError(
            f"{self.path}:{self.line(at)}: {where}{field_path + ': ' if field_path else ''}"
            f"{message}"
        )


def _parse(path: Path) -> tuple[Any, _Located]:
    try:
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        context = (
            f" ({exc.context} on line {exc.context_mark.line + 1})"
            if exc.context and exc.context_mark
            else ""
        )
        raise InputError(f"{path}:{line}: not valid YAML: {exc.problem or exc}{context}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from exc
    if node is None:
        raise InputError(f"{path}:1: the file is empty")
    return data, _Located(path, node)


def _tool_names() -> dict[str, set[str]]:
    from tools import TOOLS

    return {t.name: set(t.json_schema().get("properties", {})) for t in TOOLS}


def _semantic_errors(data: dict[str, Any]) -> Iterator[tuple[JsonPath, str]]:  # noqa: C901 - one flat check per field of a case
    """Problems the schema cannot see: unknown tools and arguments, bad regexes, duplicates."""
    tools = _tool_names()
    seen: set[str] = set()
    for i, case in enumerate(data.get("cases") or []):
        at: JsonPath = ("cases", i)
        if case["id"] in seen:
            yield (*at, "id"), f"duplicate case id {case['id']!r}"
        seen.add(case["id"])
        expect = case.get("expect") or {}
        for key in ("tools", "tools_forbidden"):
            for j, name in enumerate(expect.get(key) or []):
                if name not in tools:
                    yield (*at, "expect", key, j), f"{name!r} is not a tool ({', '.join(tools)})"
        for key in ("arguments", "arguments_exact"):
            for name, args in (expect.get(key) or {}).items():
                if name not in tools:
                    yield (*at, "expect", key, name), f"{name!r} is not a tool"
                    continue
                for arg in args:
                    if arg not in tools[name]:
                        known = ", ".join(sorted(tools[name])) or "none"
                        yield (
                            (*at, "expect", key, name, arg),
                            f"{name} has no argument {arg!r} (it takes: {known})",
                        )
        for j, path in enumerate(expect.get("states") or []):
            if path.split(".")[0] not in tools:
                yield (*at, "expect", "states", j), f"{path!r} does not start with a tool name"
        for key in ("regex", "not_regex"):
            for j, pattern in enumerate(expect.get(key) or []):
                try:
                    re.compile(pattern)
                except re.error as exc:
                    yield (*at, "expect", key, j), f"invalid regular expression: {exc}"
    for j, case_id in enumerate((data.get("thresholds") or {}).get("required") or []):
        if case_id not in seen:
            yield ("thresholds", "required", j), f"no case with id {case_id!r}"


def _expect(raw: dict[str, Any], language: str) -> Expect:
    plan = raw.get("plan")
    tools = raw.get("tools")
    return Expect(
        tools=tuple(tools) if tools is not None else None,
        tools_in_order=bool(raw.get("tools_in_order", False)),
        tools_exact=bool(raw.get("tools_exact", False)),
        tools_forbidden=tuple(raw.get("tools_forbidden") or ()),
        arguments={k: dict(v) for k, v in (raw.get("arguments") or {}).items()},
        arguments_exact={k: dict(v) for k, v in (raw.get("arguments_exact") or {}).items()},
        argument_tolerance=float(raw.get("argument_tolerance", 0.01)),
        states=tuple(raw.get("states") or ()),
        not_covered=raw.get("not_covered"),
        contains=tuple(raw.get("contains") or ()),
        contains_any=tuple(raw.get("contains_any") or ()),
        not_contains=tuple(raw.get("not_contains") or ()),
        regex=tuple(raw.get("regex") or ()),
        not_regex=tuple(raw.get("not_regex") or ()),
        grounded=raw.get("grounded", True),
        citations=tuple(raw.get("citations") or ()),
        language=str(raw.get("language", language)),
        plan=PlanExpect(**plan) if plan is not None else None,
        max_latency_s=raw.get("max_latency_s"),
        rubric=raw.get("rubric"),
    )


def load_suite(path: Path) -> Suite:
    """Load and validate one suite file; errors name the file and line."""
    data, located = _parse(path)
    errors = sorted(_validator().iter_errors(data), key=lambda e: located.line(e.absolute_path))
    if errors:
        best = jsonschema.exceptions.best_match(errors)
        where: list[str | int] = list(best.absolute_path)
        if best.validator == "additionalProperties" and isinstance(best.instance, dict):
            # Point at the unexpected key (a typo), not at the mapping that holds it.
            allowed = best.schema.get("properties", {}) if isinstance(best.schema, dict) else {}
            where += [k for k in best.instance if k not in allowed][:1]
        raise located.error(where, data, best.message)
    for at, message in _semantic_errors(data):
        raise located.error(at, data, message)
    base = path.resolve().parent
    for i, doc in enumerate(data.get("documents") or []):
        if not (base / doc).exists():
            raise located.error(("documents", i), data, f"{doc}: no such file or folder")
    queries = base / data["queries"] if "queries" in data else None
    if queries is not None and not queries.is_file():
        raise located.error(("queries",), data, f"{data['queries']}: no such file")
    defaults = (data.get("defaults") or {}).get("expect") or {}
    cases = []
    for i, raw in enumerate(data.get("cases") or []):
        language = raw.get("language", "en")
        turns = raw["input"] if isinstance(raw["input"], list) else [raw["input"]]
        cases.append(
            Case(
                id=raw["id"],
                turns=tuple(turns),
                expect=_expect({**defaults, **raw["expect"]}, language),
                tags=tuple(raw.get("tags") or ()),
                language=language,
                persona=raw.get("persona", "marketer"),
                required=bool(raw.get("required", False)),
                note=raw.get("note", ""),
                setup=raw.get("setup"),
                line=located.line(("cases", i)),
            )
        )
    thresholds = data.get("thresholds") or {}
    return Suite(
        name=data["suite"],
        path=path,
        kind=data.get("kind", "agent"),
        cases=tuple(cases),
        thresholds=Thresholds(
            **{**thresholds, "required": tuple(thresholds.get("required") or ())}
        ),
        description=data.get("description", ""),
        documents=tuple(base / d for d in data.get("documents") or ()),
        queries=queries,
        mode=data.get("mode", "hybrid"),
        k=int(data.get("k", 3)),
    )


def load_suites(names: Iterable[str]) -> list[Suite]:
    """Every named suite, validated before anything runs."""
    suites = [load_suite(p) for p in suite_paths(names)]
    names_seen = [s.name for s in suites]
    duplicated = {n for n in names_seen if names_seen.count(n) > 1}
    if duplicated:
        raise InputError(f"suite {sorted(duplicated)[0]!r} given twice")
    return suites
