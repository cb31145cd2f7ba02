"""Render the demo shop's knowledge documents (Markdown, English and Chinese) from its data."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from copilot.demo.campaigns import ZH_TERMS

POLICY: dict[str, Any] = {
    "shop": "Lumen & Leaf",
    "shop_zh": "拾光良品",
    "subject_max": 50,
    "max_emails_per_week": 2,
    "example_offer": "15% off Coffee & Tea until Sunday",
    "example_offer_zh": "咖啡与茶品类 85 折，周日截止",
    "return_days": 30,
    "apparel_return_days": 14,
    "refund_days": 5,
    "points_per_unit": 1,
    "points_per_reward": 500,
    "reward_value": 10,
    "silver": 500,
    "gold": 1500,
    "holdout_share": "10%",
}
"""Facts stated in the documents; written to the planted truths so tests can check retrieval."""

_STATIC = (
    ("brand-voice.en", "brand-voice.md"),
    ("brand-voice.zh", "brand-voice.zh.md"),
    ("returns-policy.en", "returns-policy.md"),
    ("returns-policy.zh", "returns-policy.zh.md"),
    ("loyalty-program.en", "loyalty-program.md"),
    ("loyalty-program.zh", "loyalty-program.zh.md"),
    ("playbook-email.en", "playbook-email.md"),
    ("playbook-social-push.zh", "playbook-social-push.zh.md"),
)
_POSTMORTEMS = (
    ("CMP-2506-618", "zh"),
    ("CMP-2511-DOUBLE11", "zh"),
    ("CMP-2512-XMAS", "en"),
    ("CMP-2507-WINBACK", "en"),
)


def _env() -> jinja2.Environment:
    loader = jinja2.FunctionLoader(
        lambda name: resources.files("copilot.demo").joinpath("templates", name).read_text("utf-8")
    )
    return jinja2.Environment(
        loader=loader,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )


def render_documents(campaigns: pd.DataFrame, end: pd.Timestamp) -> dict[str, str]:
    """File name -> Markdown text of every demo document."""
    env = _env()
    records: dict[str, dict[str, Any]] = {
        str(row["campaign_id"]): {str(k): v for k, v in row.items()}
        for row in campaigns.to_dict("records")
    }
    cards = {cid: _card(row) for cid, row in records.items()}
    docs = {
        out: env.get_template(f"{tpl}.md.j2").render(**POLICY, **_channel_stats(campaigns))
        for tpl, out in _STATIC
    }
    for cid, lang in _POSTMORTEMS:
        name = f"postmortem-{cid.lower()}.md" if lang == "en" else f"postmortem-{cid.lower()}.zh.md"
        card = cards[cid] if lang == "en" else _card(records[cid], ZH_TERMS)
        docs[name] = env.get_template(f"postmortem.{lang}.md.j2").render(c=card)
    docs["brief-holiday.md"] = env.get_template("brief-holiday.en.md.j2").render(
        **POLICY,
        year=end.year,
        last=cards["CMP-2512-XMAS"],
        budget="5,000",
        brief_date=end.date().isoformat(),
    )
    return docs


def write_documents(docs: dict[str, str], folder: Path) -> None:
    """Write the documents, replacing earlier demo documents in that folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.md"):
        if old.name not in docs:
            old.unlink()
    for name, text in docs.items():
        (folder / name).write_text(text, encoding="utf-8")


def _card(row: dict[str, Any], terms: dict[str, str] | None = None) -> dict[str, Any]:
    def say(text: str) -> str:
        return (terms or {}).get(text, text)

    opens = row["opens"]
    has_opens = opens is not None and not pd.isna(opens)
    return {
        "campaign_id": row["campaign_id"],
        "name": say(row["name"]),
        "channel": say(row["channel"]),
        "start": row["start_date"].date().isoformat(),
        "end": row["end_date"].date().isoformat(),
        "audience": say(row["audience"]),
        "offer": say(row["offer"]),
        "sends": f"{row['sends']:,}",
        "clicks": f"{row['clicks']:,}",
        "opens": f"{int(opens):,}" if has_opens else None,
        "open_rate": f"{opens / row['sends']:.1%}" if has_opens else None,
        "click_rate": f"{row['clicks'] / row['sends']:.1%}",
        "conversions": f"{row['conversions']:,}",
        "revenue": f"{row['revenue']:,.2f}",
        "spend": f"{row['spend']:,.2f}",
        "roas": f"{row['revenue'] / row['spend']:.2f}",
    }


def _channel_stats(campaigns: pd.DataFrame) -> dict[str, Any]:
    def rate(channel: str, num: str) -> str:
        part = campaigns[campaigns["channel"] == channel]
        return f"{part[num].astype(float).sum() / part['sends'].sum():.1%}"

    count = campaigns["channel"].value_counts()
    return {
        "n_email": int(count.get("email", 0)),
        "n_social": int(count.get("social", 0)),
        "n_push": int(count.get("push", 0)),
        "email_open_rate": rate("email", "opens"),
        "email_click_rate": rate("email", "clicks"),
        "social_click_rate": rate("social", "clicks"),
        "push_open_rate": rate("push", "opens"),
    }
