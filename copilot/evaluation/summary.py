"""The Markdown summary a person reads first: gate, pass rates, routing, latency, failures."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

from copilot.evaluation.baseline import Diff
from copilot.evaluation.results import CaseResult, RunResult, pass_rate, tool_routing

SLOWEST = 5


def _cell(text: str, limit: int = 160) -> str:
    flat = " ".join(str(text).split()).replace("|", "\\|")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _num(metrics: dict[str, float], key: str, fmt: str) -> str:
    return format(metrics[key], fmt) if key in metrics else "-"


def _rate_table(
    title: str, cases: Iterable[tuple[str, CaseResult]], keys: Callable[[CaseResult], list[str]]
) -> list[str]:
    groups: dict[str, list[CaseResult]] = defaultdict(list)
    for suite, case in cases:
        for key in keys(case):
            groups[f"{suite} / {key}"].append(case)
    if not groups:
        return []
    lines = [f"## Pass rate by {title}", "", f"| suite / {title} | cases | passed | pass rate |"]
    lines.append("|---|---|---|---|")
    for key, items in sorted(groups.items()):
        passed = sum(c.passed for c in items)
        lines.append(f"| {key} | {len(items)} | {passed} | {pass_rate(items):.0%} |")
    return [*lines, ""]


def _failure(case: CaseResult) -> str:
    for attempt in case.attempts:
        bad = [f"{v.scorer}: {v.reason}" for v in attempt.verdicts if not v.passed]
        if bad:
            return "; ".join(bad)
    return ""


def markdown(run: RunResult, problems: list[str], diff: Diff | None = None) -> str:
    """The summary as Markdown."""
    lines = [
        "# Copilot eval report",
        "",
        f"{run.started} · backend `{run.backend}` · model `{run.model}` · repeat {run.repeat}"
        f" · commit `{run.commit or '?'}` · {run.seconds:.0f} s",
        "",
        f"**Gate: {'PASS' if not problems else 'FAIL'}**",
        "",
    ]
    lines += [f"- {p}" for p in problems] + ([""] if problems else [])
    lines += [
        "| suite | cases | passed | pass rate | flaky | tool exact | tool F1 | p50 s | p95 s "
        "| thresholds |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in run.suites:
        m = s.metrics
        gate = "; ".join(f"{'✓' if v.passed else '✗'} {v.reason}" for v in s.thresholds)

        lines.append(
            f"| {s.suite.name} | {m['cases']:.0f} | {m['passed']:.0f} | {m['pass_rate']:.1%} "
            f"| {m['flaky']:.0f} | {_num(m, 'tool_exact', '.0%')} "
            f"| {_num(m, 'tool_f1', '.2f')} | {_num(m, 'latency_p50_s', '.1f')} "
            f"| {_num(m, 'latency_p95_s', '.1f')} | {_cell(gate, 300)} |"
        )
    lines.append("")
    everything = [(s.suite.name, c) for s in run.suites for c in s.cases]
    agent_cases = [
        (s.suite.name, c) for s in run.suites if s.suite.kind == "agent" for c in s.cases
    ]
    lines += _rate_table("tag", everything, lambda c: list(c.case.tags) or ["(untagged)"])
    lines += _rate_table("language", everything, lambda c: [c.case.language])
    scorer_rates = sorted(
        {k for s in run.suites for k in s.metrics if k.endswith("_pass_rate") and k != "pass_rate"}
    )
    if scorer_rates:
        lines += ["## Scorers", "", "| suite | " + " | ".join(scorer_rates) + " |"]
        lines.append("|---" * (len(scorer_rates) + 1) + "|")
        for s in run.suites:
            cells = [f"{s.metrics[k]:.0%}" if k in s.metrics else "-" for k in scorer_rates]
            lines.append(f"| {s.suite.name} | " + " | ".join(cells) + " |")
        lines.append("")
    routing = tool_routing(c for _, c in agent_cases)
    if routing:
        lines += [
            "## Tool routing",
            "",
            "Attempts whose case expects the tool, how many called it, and calls nobody asked for.",
            "",
            "| tool | expected | routed | accuracy | unexpected calls |",
            "|---|---|---|---|---|",
        ]
        for tool, counts in routing.items():
            expected = counts.get("expected", 0)
            routed = counts.get("routed", 0)
            accuracy = f"{routed / expected:.0%}" if expected else "-"
            lines.append(
                f"| {tool} | {expected} | {routed} | {accuracy} | {counts.get('unexpected', 0)} |"
            )
        lines.append("")
    timed = sorted(
        ((max(a.latency_s for a in c.attempts), n, c) for n, c in agent_cases if c.attempts),
        key=lambda x: -x[0],
    )
    if timed:
        lines += ["## Slowest cases", "", "| case | latency s | tools |", "|---|---|---|"]
        for seconds, suite, c in timed[:SLOWEST]:
            tools = ", ".join(c.attempts[-1].tools_called) or "(none)"
            lines.append(f"| {suite}/{c.case.id} | {seconds:.1f} | {tools} |")
        lines.append("")
    failing = [(n, c) for n, c in everything if not c.passed]
    lines += [f"## Failing cases ({len(failing)})", ""]
    if failing:
        lines += ["| case | required | flaky | why | answer |", "|---|---|---|---|---|"]
        for suite, c in failing:
            last = c.attempts[-1].turns[-1].answer if c.attempts and c.attempts[-1].turns else ""
            lines.append(
                f"| {suite}/{c.case.id} | {'yes' if c.required else ''} | "
                f"{'yes' if c.flaky else ''} | {_cell(_failure(c), 240)} | {_cell(last, 120)} |"
            )
    else:
        lines.append("None.")
    lines.append("")
    if diff is not None:
        lines += _diff_lines(diff)
    return "\n".join(lines) + "\n"


def _diff_lines(diff: Diff) -> list[str]:
    lines = [f"## Against the baseline `{diff.baseline}`", ""]
    lines += [f"- note: {n}" for n in diff.notes]
    for title, items in (
        ("Newly failing", diff.newly_failing),
        ("Newly passing", diff.newly_passing),
    ):
        lines.append(f"**{title} ({len(items)})**" + (":" if items else ""))
        lines += [
            f"- {c.suite}/{c.case}{' (required)' if c.required else ''}"
            + (f": {_cell(c.reason, 200)}" if c.reason else "")
            for c in items
        ]
        lines.append("")
    if diff.known_failing:
        lines.append(f"Still failing as in the baseline: {len(diff.known_failing)}.")
    if diff.added or diff.removed:
        lines.append(f"New cases: {len(diff.added)}; cases gone: {len(diff.removed)}.")
    lines.append("")
    rows = [
        f"| {suite} | {metric} | {before:.3f} | {now:.3f} | {now - before:+.3f} |"
        for suite, metrics in diff.metrics.items()
        for metric, (before, now) in metrics.items()
    ]
    if rows:
        lines += ["| suite | metric | baseline | now | delta |", "|---|---|---|---|---|", *rows, ""]
    return lines


def write_markdown(text: str, path: Path) -> Path:
    """Write the summary."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
