"""Commands that look after the shop's data and who may use it: status, ingest, undo-ingest,
users and audit."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from copilot.core.errors import InputError
from copilot.core.settings import Settings
from copilot.shop import FORMATS, Plausible, ShopData, ingest_files
from copilot.shop.batch import serving_words
from copilot.shop.fields import KINDS
from copilot.shop.platforms import PLATFORMS
from copilot.users import UserStore, read_password

Command = Callable[[argparse.Namespace, Settings], int]


def _cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    shop = ShopData.open(settings.effective_database_url)
    summaries = ingest_files(
        shop,
        [Path(p) for p in args.paths],
        kind=args.kind,
        fmt=args.format,
        mapping=args.map,
        show_progress=not args.no_progress,
        dry_run=args.dry_run,
        dayfirst=args.dayfirst,
        encoding=args.encoding,
        plausible=Plausible.of(settings),
        keep_email=args.keep_email,
    )
    for summary in summaries:
        print("\n".join(summary.lines()))
    return 0


def _cmd_undo_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from copilot.shop.writes import list_ingests, undo_ingest

    shop = ShopData.open(settings.effective_database_url)
    if args.id is None:
        rows = list_ingests(shop)
        print("\n".join(rows) if rows else "no ingests recorded")
        return 0
    with shop.transaction() as conn:
        summary = undo_ingest(conn, args.id)
    print("\n".join(summary.lines()))
    return 0


def _cmd_users(args: argparse.Namespace, settings: Settings) -> int:
    users = UserStore(settings.users_path)
    if args.action == "list":
        listed = users.users()
        for user in listed:
            print(f"{user.name}  (added {user.created})")
        if not listed:
            print("no users: the web UI serves loopback only, without a login")
    elif args.action == "add":
        new = users.add(args.name, read_password(args.password_stdin))
        print(f"{'added' if new else 'changed the password of'} {args.name} ({users.path})")
    elif not users.remove(args.name):
        raise InputError(f"no user {args.name!r}; `copilot users list` shows who there is")
    else:
        print(f"removed {args.name}; their open sessions end now")
    return 0


def _cmd_audit(args: argparse.Namespace, settings: Settings) -> int:
    from copilot.audit import read_audit, write_export

    shop = ShopData.open(settings.effective_database_url)
    rows = read_audit(shop.engine, args.since, args.until, include_pii=args.include_pii)
    if args.out:
        with open(args.out, "w", encoding="utf-8", newline="") as out:
            write_export(rows, args.format, out)
        print(f"{len(rows)} records written to {args.out}", file=sys.stderr)
    else:
        write_export(rows, args.format, sys.stdout)
    return 0


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from None


def _cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    shop = ShopData.open(settings.effective_database_url)
    print(f"shop database: {settings.masked()['database_url']} (data version {shop.version()})")
    for name, n in shop.counts().items():
        print(f"  {name:<17} {n:>10,}")
    print(f"batch scoring: {serving_words(shop.engine, shop.version())}")
    return 0


def add_parsers(sub: Any) -> None:
    """Add the data commands to ``sub`` (the CLI's subparsers); COMMANDS has their handlers."""
    sub.add_parser("status", help="row counts of the shop database")

    ingest = sub.add_parser("ingest", help="load shop data from CSV or Parquet files")
    ingest.add_argument("paths", nargs="+", metavar="PATH")
    ingest.add_argument(
        "--kind",
        choices=list(KINDS),
        help="what the file holds (default: detect)",
    )
    ingest.add_argument(
        "--format",
        default="auto",
        choices=["auto", *FORMATS, *PLATFORMS],
        help="a known file layout or shop platform order export (default: detect columns)",
    )
    ingest.add_argument(
        "--keep-email",
        action="store_true",
        help="store customers' e-mail addresses (default: none is stored; a customer known "
        "only by e-mail is keyed by a hash of it)",
    )
    ingest.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="COLUMN=FIELD",
        help="map a file column to a field, e.g. --map InvoiceNo=order_id",
    )
    ingest.add_argument("--no-progress", action="store_true", help="no progress bar")
    ingest.add_argument(
        "--dry-run", action="store_true", help="report what would change; write nothing"
    )
    order = ingest.add_mutually_exclusive_group()
    order.add_argument(
        "--dayfirst", action="store_true", default=None, help="dates are day/month (31/12/2011)"
    )
    order.add_argument(
        "--monthfirst",
        dest="dayfirst",
        action="store_false",
        default=None,
        help="dates are month/day (12/31/2011)",
    )
    ingest.add_argument(
        "--encoding", help="text encoding of CSV files (default: detect UTF-8, GB18030, cp1252)"
    )
    undo = sub.add_parser(
        "undo-ingest", help="remove the rows one ingest wrote (no id: list the ingests)"
    )
    undo.add_argument("id", type=int, nargs="?", help="the ingest's id, as ingest printed it")

    users = sub.add_parser("users", help="who may log in to the web UI").add_subparsers(
        dest="action", required=True
    )
    add = users.add_parser("add", help="add a user or change a password (asked for twice)")
    add.add_argument("name")
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin (scripts)"
    )
    users.add_parser("list", help="the users")
    users.add_parser("remove", help="remove a user").add_argument("name")

    audit = sub.add_parser("audit", help="export the record of questions and answers")
    audit.add_argument("--since", type=_day, required=True, help="first day, YYYY-MM-DD (UTC)")
    audit.add_argument("--until", type=_day, help="last day, YYYY-MM-DD (default: up to now)")
    audit.add_argument("--format", choices=["csv", "jsonl"], default="csv")
    audit.add_argument(
        "--include-pii", action="store_true", help="keep e-mails and phone numbers as asked"
    )
    audit.add_argument("--out", help="write to this file instead of stdout")


COMMANDS: dict[str, Command] = {
    "status": _cmd_status,
    "ingest": _cmd_ingest,
    "undo-ingest": _cmd_undo_ingest,
    "users": _cmd_users,
    "audit": _cmd_audit,
}
