"""The ``copilot`` command line: the operator's entry point.

User-facing errors (``CopilotError``) print as one line with exit status 2; ``--debug`` shows
the traceback instead. Anything else is a bug and propagates with its traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from copilot.batch_commands import COMMANDS as BATCH_COMMANDS
from copilot.batch_commands import add_parsers as add_batch_parsers
from copilot.campaign_commands import COMMANDS as CAMPAIGN_COMMANDS
from copilot.campaign_commands import add_parsers as add_campaign_parsers
from copilot.core.errors import CopilotError, InputError, ModelUnavailable
from copilot.core.resources import data_dir
from copilot.core.settings import BACKENDS, Settings, load_settings
from copilot.core.vocabulary import CHANNELS, DOC_TYPES
from copilot.data_commands import COMMANDS as DATA_COMMANDS
from copilot.data_commands import add_parsers as add_data_parsers
from copilot.evaluation.command import add_arguments as add_eval_arguments
from copilot.shop import ShopData
from copilot.users import os_user

if TYPE_CHECKING:
    from tools import ToolContext


def _cmd_config(args: argparse.Namespace, settings: Settings) -> int:
    width = max(len(k) for k in settings.masked())
    for key, value in settings.masked().items():
        print(f"{key:<{width}}  {value}")
    return 0


def _cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from copilot.demo import generate_demo
    from copilot.demo.store import store_demo

    shop = ShopData.open(settings.effective_database_url)
    if args.if_missing and not shop.is_empty():
        print(f"shop data present in {settings.home_dir}; demo not regenerated")
        return 0
    started = time.perf_counter()
    demo = generate_demo(
        seed=args.seed,
        n_customers=args.customers,
        n_products=args.products,
        lines_per_customer=args.lines_per_customer,
    )
    store_demo(shop, demo, settings, force=args.force)
    counts = ", ".join(f"{n:,} {k.replace('_', ' ')}" for k, n in shop.counts().items())
    print(
        f"demo shop (seed {args.seed}) written in {time.perf_counter() - started:.1f} s: {counts}"
    )
    print(f"planted truths: {settings.truths_path}")
    print(f"documents: {settings.demo_docs_dir} ({len(demo.documents)} files)")
    return 0


def _cmd_evaluate_recs(args: argparse.Namespace, settings: Settings) -> int:
    import json

    from tools.recommend.report import as_json, as_table, evaluate_all

    shop = ShopData.open(settings.effective_database_url)
    lines = shop.order_lines()
    if lines["customer_id"].notna().sum() == 0:
        raise InputError("no orders with customer ids to evaluate; run copilot ingest or demo")
    from knowledge.embedder import make_embedder

    rows, notes = evaluate_all(
        lines,
        shop.events(),
        shop.products(),
        test_days=args.test_days,
        encoder=make_embedder(settings),
    )
    for mode, note in notes.items():
        print(f"hybrid, {mode} items: {note}")
    for group in ("all", "cold", "warm"):
        print(f"\n{group} customers (test window: last {args.test_days} days)")
        print(as_table(rows, group))
    out = Path(args.json) if args.json else settings.home_dir / "reports" / "recs_eval.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(as_json(rows), indent=1), encoding="utf-8")
    print(f"\nwritten: {out}")
    return 0


def _cmd_index(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.sources import file_sources, shop_sources
    from knowledge.store import KnowledgeStore

    store = KnowledgeStore(settings)
    if args.rebuild:
        store.rebuild()
    paths = [Path(p) for p in args.paths] or [_default_docs(settings)]
    sources = []
    roots = set()
    for path in paths:
        if not path.exists():
            raise InputError(f"{path}: no such file or folder")
        roots.add(str(path.resolve()))
        sources += list(file_sources(path))
    if not args.no_shop:
        roots.add("shop")
        sources += list(shop_sources(ShopData.open(settings.effective_database_url)))
    started = time.perf_counter()
    summary = store.index(sources, roots, show_progress=not args.no_progress)
    head, *skipped = summary.lines()
    print(
        f"indexed in {time.perf_counter() - started:.1f} s: {head}; "
        f"{store.count():,} chunks in the knowledge base"
    )
    for line in skipped:
        print(f"  {line}")
    return 0


def _default_docs(settings: Settings) -> Path:
    if settings.demo_docs_dir.exists():
        return settings.demo_docs_dir
    return data_dir("knowledge", "demo")


def _cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.store import KnowledgeStore

    store = KnowledgeStore(settings)
    hits = store.search(args.query, type=args.type, limit=args.limit, mode=args.mode)
    if not hits:
        print("no results (is the knowledge base indexed? run `copilot index`)")
    for hit in hits:
        snippet = " ".join(hit.text.split())[:160]
        print(
            f"[{hit.citation}] {hit.title} ({hit.type}, {hit.language}, "
            f"{'+'.join(hit.found_by)}, {hit.score:.3f})\n    {snippet}"
        )
    return 0


def _cmd_eval_retrieval(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.evaluate import evaluate_retrieval, load_queries
    from knowledge.store import KnowledgeStore

    scores = evaluate_retrieval(KnowledgeStore(settings), load_queries(Path(args.set)))
    print("| mode | slice | queries | hit@1 | hit@3 | MRR |\n|---|---|---|---|---|---|")
    for s in scores:
        print(f"| {s.mode} | {s.slice} | {s.queries} | {s.hit1:.3f} | {s.hit3:.3f} | {s.mrr:.3f} |")
    return 0


def _cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from copilot.evaluation.command import DRAFTS, draft_command, run_command

    if args.suites[0] == DRAFTS:
        return draft_command(args, settings)
    tools: _Tools = args.tools
    return run_command(args, settings, lambda s: _agent(s, tools), tools.open)


@dataclass(frozen=True)
class _Tools:
    """Opens the shop's tools for a command; a given context shares its fitted models (the
    tests' demo shop, or a host that runs several commands in one process)."""

    given: ToolContext | None = None

    def open(self, settings: Settings) -> ToolContext:
        from tools import ToolContext

        if self.given is None:
            return ToolContext(ShopData.open(settings.effective_database_url), settings)
        return replace(self.given, settings=settings)  # the same model cache


def _cmd_mcp(args: argparse.Namespace, settings: Settings) -> int:
    import anyio

    from copilot.integrations.calls import ToolHost
    from copilot.integrations.mcp_server import serve_http, serve_stdio

    host = ToolHost(args.tools.open(settings))
    if args.http:
        print(f"MCP over streamable HTTP at http://127.0.0.1:{args.port}/mcp", file=sys.stderr)
        serve_http(host, args.port)
    else:
        anyio.run(serve_stdio, host)
    return 0


def _agent(settings: Settings, tools: _Tools) -> Any:
    from copilot.agent.factory import build_agent

    return build_agent(settings, ctx=tools.open(settings))


def _cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    import json

    from copilot.agent.events import Answered, ToolCalled
    from copilot.agent.verdict import verdict_text
    from copilot.audit import AuditLog, answered, unanswered

    if args.backend:
        settings = settings.model_copy(update={"llm": args.backend})
    agent = _agent(settings, args.tools)
    audit = AuditLog(agent.ctx.shop.engine)
    answer = None
    try:
        for event in agent.run(args.question):
            if isinstance(event, ToolCalled) and not args.json:
                arguments = json.dumps(event.arguments, ensure_ascii=False)
                print(f"-> {event.name}({arguments})", file=sys.stderr)
            elif isinstance(event, Answered):
                answer = event.answer
    except BaseException as exc:  # recorded whatever ended it, then handled as before
        stopped = isinstance(exc, KeyboardInterrupt)
        audit.write(unanswered(args.question, None if stopped else exc, os_user(), "cli"))
        raise
    if answer is None:  # pragma: no cover - the loop always ends with an answer
        return 1
    if args.json:
        print(
            json.dumps(
                {
                    "answer": answer.text,
                    "language": answer.language,
                    "citations": answer.citations,
                    "grounding": vars(answer.grounding),
                    "verdict": verdict_text(answer.grounding, answer.language),
                    "next_steps": [vars(s) for s in answer.next_steps],
                    "tools": [
                        {"name": t.name, "arguments": t.arguments, "ok": t.ok} for t in answer.tools
                    ],
                },
                ensure_ascii=False,
                indent=1,
            )
        )
    else:
        print(answer.text)
        _print_next_steps(answer)
        print(f"[{verdict_text(answer.grounding, answer.language)}]", file=sys.stderr)
    # After the answer is out: the record never holds it back.
    audit.write(answered(args.question, answer, os_user(), "cli"))
    return 0


def _print_next_steps(answer: Any) -> None:
    label = "下一步" if answer.language == "zh" else "Next"
    for n, step in enumerate(answer.next_steps, 1):
        print(f"  {label} {n}: {step.question}")


def _cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    from copilot.agent import Message
    from copilot.audit import AuditLog, answered, unanswered
    from copilot.llm.types import ToolCall

    agent = _agent(settings, args.tools)
    audit = AuditLog(agent.ctx.shop.engine)
    history: list[Message] = []
    answer: Any = None
    print("Marketing copilot chat. Empty line or Ctrl-D to quit.")
    while True:
        try:
            question = input("> ").strip()
        except EOFError:
            break
        if not question:
            break
        # A next step is taken by its number or by its question; it runs its tool directly.
        offered = list(answer.next_steps) if answer is not None else []
        step = next((s for s in offered if s.question == question), None)
        if question.isdigit() and 0 < int(question) <= len(offered):
            step = offered[int(question) - 1]
            question = step.question
        planned = ToolCall(step.tool, dict(step.arguments)) if step else None
        try:
            answer = agent.ask(question, history, planned)
        except BaseException as exc:  # recorded whatever ended it, then handled as before
            stopped = isinstance(exc, KeyboardInterrupt)
            audit.write(unanswered(question, None if stopped else exc, os_user(), "cli"))
            raise
        print(answer.text)
        _print_next_steps(answer)
        audit.write(answered(question, answer, os_user(), "cli"))
        history += [Message("user", question), Message("assistant", answer.text)]
    return 0


def _cmd_plan(args: argparse.Namespace, settings: Settings) -> int:
    import json

    from copilot.core.text import language_of
    from tools.planning import plan_campaign

    if args.backend:
        settings = settings.model_copy(update={"llm": args.backend})
    ctx = args.tools.open(settings)
    inputs = {
        "goal": args.goal,
        "budget": args.budget,
        "audience": args.audience,
        "channel": args.channel,
        "start": args.start,
        "weeks": args.weeks,
        "holdout_share": args.holdout,
    }
    plan = plan_campaign(ctx, **inputs)
    language = args.language or language_of(args.goal)
    narrative = None
    if args.narrative:
        from copilot.agent.narrative import write_narrative
        from copilot.llm import make_model

        try:
            written = write_narrative(
                make_model(settings), plan, language, settings.allow_pii_remote
            )
        except ModelUnavailable as exc:
            # The plan is computed without the model: print it, without the summary.
            print(f"note: no summary ({exc})", file=sys.stderr)
            written = None
        narrative = written.text if written else None
        if written and written.grounding.fallback:
            print(
                "note: the model's summary cited numbers not in the plan "
                f"({', '.join(written.grounding.unsupported)}); left out",
                file=sys.stderr,
            )
    text = plan.to_markdown(language, narrative)
    if args.out:
        out = Path(args.out)
        out.write_text(text, encoding="utf-8")
        out.with_suffix(".json").write_text(
            json.dumps(plan.to_json_dict(), indent=1, ensure_ascii=False), encoding="utf-8"
        )
        print(f"written: {out} and {out.with_suffix('.json')}")
    else:
        print(text)
    if args.save:
        from copilot.shop.plans import PlanStore
        from copilot.users import os_user

        plan_id = PlanStore(ctx.shop.engine).save(
            inputs, plan.to_json_dict(), ctx.shop.version(), os_user()
        )
        print(f"saved as plan {plan_id} (draft); approve it with `copilot approve {plan_id}`")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(prog="copilot", description=__doc__.splitlines()[0])
    parser.add_argument("--debug", action="store_true", help="show tracebacks of errors")
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("config", help="print the effective settings (secrets masked)")
    add_data_parsers(sub)
    add_campaign_parsers(sub)
    add_batch_parsers(sub)

    recs = sub.add_parser("evaluate-recs", help="offline evaluation of the recommenders")
    recs.add_argument("--test-days", type=int, default=60, help="length of the test window")
    recs.add_argument("--json", metavar="PATH", help="where to write the JSON report")

    ask = sub.add_parser("ask", help="ask the copilot one question")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="machine-readable output")
    ask.add_argument(
        "--backend",
        choices=BACKENDS,
        help="override COPILOT_LLM for this call",
    )
    sub.add_parser("chat", help="chat with the copilot in the terminal")

    plan = sub.add_parser("plan", help="a campaign plan (Markdown + JSON) for a goal and budget")
    plan.add_argument("goal")
    plan.add_argument("--budget", type=float, required=True)
    plan.add_argument("--audience", help="RFM segment key, e.g. at_risk (default: from the goal)")
    plan.add_argument("--channel", choices=CHANNELS)
    plan.add_argument("--start", help="first day, YYYY-MM-DD")
    plan.add_argument("--weeks", type=int, default=4)
    plan.add_argument(
        "--holdout", type=float, default=0.1, help="share of the audience held out (0.05-0.5)"
    )
    plan.add_argument("--save", action="store_true", help="save it as a draft to approve later")
    plan.add_argument("--out", help="write Markdown here and JSON beside it")
    plan.add_argument("--language", choices=["en", "zh"], help="default: the goal's language")
    plan.add_argument(
        "--narrative",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="let the model write a summary around the plan (grounding-checked)",
    )
    plan.add_argument("--backend", choices=BACKENDS)

    index = sub.add_parser("index", help="index documents and the catalogue for search")
    index.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="files or folders (.md, .txt, .pdf); default: the demo documents",
    )
    index.add_argument("--rebuild", action="store_true", help="drop the index first")
    index.add_argument(
        "--no-shop", action="store_true", help="skip products and campaigns from the shop database"
    )
    index.add_argument("--no-progress", action="store_true")

    search = sub.add_parser("search", help="search the knowledge base")
    search.add_argument("query")
    search.add_argument("--type", choices=DOC_TYPES)
    search.add_argument("--limit", type=int, default=5)
    search.add_argument("--mode", choices=["hybrid", "dense", "keyword"], default="hybrid")

    evalr = sub.add_parser("eval-retrieval", help="hit@1/hit@3/MRR on a labelled query set")
    evalr.add_argument(
        "--set",
        default=str(data_dir("evals", "retrieval", "demo.yaml")),
    )

    add_eval_arguments(
        sub.add_parser("eval", help="run prompt regression suites; reports and baseline gate")
    )

    mcp = sub.add_parser(
        "mcp", help="serve the tools, documents and plan brief over MCP (stdio by default)"
    )
    mcp.add_argument("--http", action="store_true", help="streamable HTTP on 127.0.0.1")
    mcp.add_argument("--port", type=int, default=8765, help="HTTP port (default 8765)")
    demo = sub.add_parser("demo", help="create the seeded synthetic demo shop")
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--customers", type=int, default=5000)
    demo.add_argument("--products", type=int, default=300)
    demo.add_argument("--lines-per-customer", type=float, default=40.0)
    demo.add_argument("--force", action="store_true", help="replace existing shop data")
    demo.add_argument(
        "--if-missing", action="store_true", help="do nothing when the shop already has data"
    )
    return parser


_COMMANDS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
    "config": _cmd_config,
    "demo": _cmd_demo,
    "evaluate-recs": _cmd_evaluate_recs,
    "index": _cmd_index,
    "ask": _cmd_ask,
    "plan": _cmd_plan,
    "chat": _cmd_chat,
    "search": _cmd_search,
    "eval-retrieval": _cmd_eval_retrieval,
    "eval": _cmd_eval,
    "mcp": _cmd_mcp,
    **DATA_COMMANDS,
    **CAMPAIGN_COMMANDS,
    **BATCH_COMMANDS,
}


def main(argv: Sequence[str] | None = None, *, context: ToolContext | None = None) -> int:
    """Run the CLI; returns the exit status.

    Args:
        argv: the arguments (default: the command line).
        context: the shop's tools to use instead of opening them from the settings, so that
            several commands in one process share fitted models.
    """
    args = build_parser().parse_args(argv)
    args.tools = _Tools(context)
    try:
        settings = load_settings()
        return _COMMANDS[args.command](args, settings)
    except CopilotError as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; nothing half-written is kept", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`copilot status | head`): stop quietly, as Unix tools do.
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):  # stdout is not a file (captured): nothing to flush
            pass
        return 141
    except Exception as exc:
        if args.debug:
            raise
        # A bug, not the user's doing: one line and a way to see more, never a wall of text.
        detail = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}" if str(exc) else ""
        print(
            f"error: internal error ({detail or type(exc).__name__}); "
            "rerun with --debug for the traceback",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
