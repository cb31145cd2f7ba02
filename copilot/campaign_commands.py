"""The campaign loop from the command line: list saved plans, approve one (its audience frozen
and split), export that audience, simulate its campaign on the demo shop, and read it out."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from copilot.core.settings import Settings

Command = Callable[[argparse.Namespace, Settings], int]
_WITH_EMAIL = (
    "add an email column from the addresses the shop keeps (ingest --keep-email); blank for "
    "customers without one"
)


def add_parsers(sub: Any) -> None:
    """Add the campaign commands to ``sub`` (the CLI's subparsers); COMMANDS has handlers."""
    sub.add_parser("plans", help="the saved campaign plans and their status")
    approve = sub.add_parser(
        "approve", help="approve a saved plan: freeze its audience, split off the holdout"
    )
    approve.add_argument("plan_id", type=int)
    approve.add_argument("--out", help="also write the audience CSV here")
    approve.add_argument("--with-email", action="store_true", help=_WITH_EMAIL)
    export = sub.add_parser("export-audience", help="an approved plan's audience as CSV")
    export.add_argument("plan_id", type=int)
    export.add_argument("--out", required=True, help="the CSV file to write")
    export.add_argument("--with-email", action="store_true", help=_WITH_EMAIL)
    simulate = sub.add_parser(
        "simulate-campaign", help="demo shop only: the orders of an approved plan's campaign"
    )
    simulate.add_argument("plan_id", type=int)
    simulate.add_argument(
        "--uplift", type=float, help="planted rise in conversion (default: per segment)"
    )
    simulate.add_argument("--seed", type=int, default=11)
    readout = sub.add_parser("readout", help="how an approved plan's campaign did")
    readout.add_argument("plan_id", type=int)
    readout.add_argument("--language", choices=["en", "zh"], default="en")
    readout.add_argument("--json", action="store_true", help="the full result as JSON")


def _cmd_plans(args: argparse.Namespace, settings: Settings) -> int:
    from copilot.shop.plans import PlanStore

    ctx = args.tools.open(settings)
    records = PlanStore(ctx.shop.engine).plans()
    if not records:
        print("no saved plans; save one with `copilot plan GOAL --budget N --save`")
        return 0
    print(f"{'id':>4}  {'status':<9} {'created':<16} {'audience':<16} {'budget':>9}  goal")
    for r in records:
        p = r.plan
        print(
            f"{r.id:>4}  {r.status:<9} {r.created_at:%Y-%m-%d %H:%M} "
            f"{p['audience']['segment']:<16} {p['budget']['total']:>9,.0f}  {r.goal}"
        )
    return 0


def _write_audience(ctx: Any, plan_id: int, out: str, with_email: bool) -> None:
    from tools.campaigns.approval import audience_frame

    frame = audience_frame(ctx, plan_id, with_email=with_email)
    path = Path(out)
    frame.to_csv(path, index=False)
    reached = (
        f", {int((frame['email'] != '').sum()):,} with an e-mail address" if with_email else ""
    )
    print(
        f"written: {path} ({len(frame):,} customers{reached}; the holdout rows carry no offer code)"
    )


def _cmd_approve(args: argparse.Namespace, settings: Settings) -> int:
    from tools.campaigns.approval import approve_plan

    ctx = args.tools.open(settings)
    done = approve_plan(ctx, args.plan_id)
    print(
        f"plan {args.plan_id} approved: {done.treatment:,} customers to contact with offer code "
        f"{done.record.offer_code}, {done.holdout:,} held out (do not contact them)"
    )
    if args.out:
        _write_audience(ctx, args.plan_id, args.out, args.with_email)
    return 0


def _cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    _write_audience(args.tools.open(settings), args.plan_id, args.out, args.with_email)
    return 0


def _cmd_simulate(args: argparse.Namespace, settings: Settings) -> int:
    from copilot.demo.campaign_sim import simulate_campaign

    ctx = args.tools.open(settings)
    done = simulate_campaign(ctx.shop, args.plan_id, args.uplift, args.seed)
    print(
        f"plan {args.plan_id}: {done.orders:,} simulated orders ({done.lines:,} lines, planted "
        f"uplift {done.uplift:.0%} in conversion) written as ingest {done.ingest_id} "
        f"(undo with `copilot undo-ingest {done.ingest_id}`)"
    )
    return 0


def _cmd_readout(args: argparse.Namespace, settings: Settings) -> int:
    import json

    from tools import to_jsonable
    from tools.campaigns.lessons import remember_lesson
    from tools.campaigns.readout import campaign_readout
    from tools.findings import describe

    ctx = args.tools.open(settings)
    result = campaign_readout(ctx, plan_id=args.plan_id)
    if result.complete:
        key = remember_lesson(ctx, result)
        print(f"lesson written to the knowledge base: {key}", file=sys.stderr)
    if args.json:
        print(json.dumps(to_jsonable(result), indent=1, ensure_ascii=False))
    else:
        print(describe(result, args.language, settings.currency).text())
    if not result.complete:
        print("note: the campaign is still running; read it out again later", file=sys.stderr)
    return 0


COMMANDS: dict[str, Command] = {
    "plans": _cmd_plans,
    "approve": _cmd_approve,
    "export-audience": _cmd_export,
    "simulate-campaign": _cmd_simulate,
    "readout": _cmd_readout,
}
