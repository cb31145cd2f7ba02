"""Approving a saved plan: its audience frozen and split into treatment and holdout by a seeded
hash of the customer id, and the list a marketer imports into an e-mail or SMS tool.

The split depends only on the plan id and the customer id, so re-running it gives the same
groups, and a customer's group in one plan says nothing about their group in another.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from copilot.core.errors import InputError
from copilot.shop.plans import Arm, PlanRecord, PlanStore
from tools._tool import ToolContext
from tools.plan_economics import audience_members
from tools.profiling.api import scored_customers


def hash_share(customer_id: str, salt: str) -> float:
    """A uniform number in [0, 1) fixed by the salt and the customer id."""
    digest = hashlib.blake2b(f"{salt}|{customer_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def split(customer_ids: list[str], plan_id: int, holdout_share: float) -> dict[str, Arm]:
    """Each customer's arm: holdout when the plan's hash of their id falls below the share."""
    salt = f"plan-{plan_id}"
    return {
        c: "holdout" if hash_share(c, salt) < holdout_share else "treatment" for c in customer_ids
    }


def offer_code(plan_id: int, depth_pct: float | None) -> str:
    """The code treatment customers redeem: the plan and the offer in a few characters."""
    offer = f"{round(depth_pct)}OFF" if depth_pct else "NOPRICE"
    return f"PLAN{plan_id}-{offer}"


@dataclass(frozen=True)
class Approval:
    """An approved plan and its frozen audience."""

    record: PlanRecord
    treatment: int
    holdout: int


def approve_plan(ctx: ToolContext, plan_id: int) -> Approval:
    """Freeze the audience of draft ``plan_id`` as it stands now and split it."""
    store = PlanStore(ctx.shop.engine)
    record = store.get(plan_id)
    plan = record.plan
    table = scored_customers(ctx)
    audience = plan["audience"]
    members = audience_members(
        table,
        ctx.shop.order_lines(),
        audience["segment"],
        audience.get("bought_skus") or (),
        audience.get("filters") or {},
    )
    arms = split(sorted(members.astype(str)), plan_id, float(plan["ab_test"]["holdout_share"]))
    approved = store.approve(plan_id, arms, offer_code(plan_id, plan["offer"]["depth_pct"]))
    held = sum(arm == "holdout" for arm in arms.values())
    return Approval(approved, treatment=len(arms) - held, holdout=held)


def audience_frame(ctx: ToolContext, plan_id: int, *, with_email: bool = False) -> pd.DataFrame:
    """The approved audience as a list import: customer id, group and the offer code (the
    holdout gets none: it must not be contacted); ``with_email`` adds each customer's stored
    e-mail address (blank where the shop has none)."""
    store = PlanStore(ctx.shop.engine)
    record = store.get(plan_id)
    if record.status == "draft":
        raise InputError(
            f"plan {plan_id} is a draft: approve it first (`copilot approve {plan_id}`), which "
            "freezes its audience and splits it into treatment and holdout"
        )
    frame = store.assignments(plan_id).rename(columns={"arm": "group"})
    frame["offer_code"] = np.where(frame["group"] == "treatment", record.offer_code or "", "")
    if with_email:
        contacts = ctx.shop.customer_contacts()
        if contacts.empty:
            raise InputError(
                "the shop stores no e-mail addresses: ingest the orders or customers again with "
                "--keep-email to keep them, then export with e-mail"
            )
        emails = contacts.set_index("customer_id")["email"]
        frame.insert(1, "email", frame["customer_id"].map(emails).fillna(""))
    return frame
