"""Saved campaign plans and the frozen audiences of approved ones (``campaign_plans`` and
``plan_assignments``).

A plan is saved as a draft with the inputs it was computed from, its full JSON and the data
version it read. Approving it freezes its audience, split into treatment and holdout, in one
transaction; a plan then moves on to running (its start has come) and measured (read out).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import pandas as pd
from sqlalchemy import Engine, func, select, update

from copilot.core.errors import InputError
from copilot.shop import schema
from copilot.shop.store import utc_now

Status = Literal["draft", "approved", "running", "measured"]
STATUSES: tuple[Status, ...] = ("draft", "approved", "running", "measured")
Arm = Literal["treatment", "holdout"]


@dataclass(frozen=True)
class PlanRecord:
    """One saved plan."""

    id: int
    created_at: datetime
    created_by: str
    goal: str
    inputs: dict[str, Any]
    """The ``plan_campaign`` arguments it was computed from."""
    plan: dict[str, Any]
    """``CampaignPlan.to_json_dict()``."""
    data_version: int
    status: Status
    approved_at: datetime | None = None
    offer_code: str | None = None
    measured_at: datetime | None = None
    lesson_en: str | None = None
    lesson_zh: str | None = None
    measured: dict[str, Any] | None = None
    """What the read-out measured per treated customer (tools.campaigns.lessons)."""


def _record(row: Any) -> PlanRecord:
    return PlanRecord(
        id=row.id,
        created_at=row.created_at,
        created_by=row.created_by,
        goal=row.goal,
        inputs=json.loads(row.inputs),
        plan=json.loads(row.plan),
        data_version=row.data_version,
        status=row.status,
        approved_at=row.approved_at,
        offer_code=row.offer_code,
        measured_at=row.measured_at,
        lesson_en=row.lesson_en,
        lesson_zh=row.lesson_zh,
        measured=json.loads(row.measured) if row.measured else None,
    )


class PlanStore:
    """The saved plans of one shop database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def save(
        self, inputs: dict[str, Any], plan: dict[str, Any], data_version: int, created_by: str
    ) -> int:
        """Store a plan as a draft; returns its id."""
        row = {
            "created_at": utc_now(),
            "created_by": created_by,
            "goal": str(plan.get("goal", inputs.get("goal", ""))),
            "inputs": json.dumps(inputs, ensure_ascii=False, sort_keys=True),
            "plan": json.dumps(plan, ensure_ascii=False),
            "data_version": data_version,
            "status": "draft",
        }
        with self.engine.begin() as conn:
            done = conn.execute(schema.campaign_plans.insert().values(**row))
            return int(done.inserted_primary_key[0])  # type: ignore[index]

    def get(self, plan_id: int) -> PlanRecord:
        """Plan ``plan_id``, or an InputError that says how to find the ids."""
        p = schema.campaign_plans
        with self.engine.connect() as conn:
            row = conn.execute(select(p).where(p.c.id == plan_id)).first()
        if row is None:
            raise InputError(
                f"no saved plan {plan_id}; `copilot plans` lists the saved plans and their ids"
            )
        return _record(row)

    def plans(self) -> list[PlanRecord]:
        """Every saved plan, the newest first."""
        p = schema.campaign_plans
        with self.engine.connect() as conn:
            return [_record(r) for r in conn.execute(select(p).order_by(p.c.id.desc()))]

    def approve(self, plan_id: int, arms: dict[str, Arm], offer_code: str) -> PlanRecord:
        """Freeze the audience (customer id -> arm) of a draft and mark it approved."""
        record = self.get(plan_id)
        if record.status != "draft":
            raise InputError(f"plan {plan_id} is already {record.status}; its audience is frozen")
        if not arms:
            raise InputError(f"plan {plan_id} has no customers to approve")
        p, a = schema.campaign_plans, schema.plan_assignments
        rows = [{"plan_id": plan_id, "customer_id": c, "arm": arm} for c, arm in arms.items()]
        with self.engine.begin() as conn:
            conn.execute(a.insert(), rows)
            conn.execute(
                update(p)
                .where(p.c.id == plan_id)
                .values(status="approved", approved_at=utc_now(), offer_code=offer_code)
            )
        return self.get(plan_id)

    def set_status(self, plan_id: int, status: Status) -> None:
        """Move an approved plan on (running, measured)."""
        if status not in STATUSES:
            raise InputError(f"unknown plan status {status!r}; expected one of {STATUSES}")
        self.get(plan_id)
        self._set(plan_id, status=status)

    def record_lesson(
        self, plan_id: int, english: str, chinese: str, measured: dict[str, Any]
    ) -> None:
        """Mark an approved plan measured, with its post-mortem in both languages and the
        measured numbers (a later read-out replaces them)."""
        if self.get(plan_id).status == "draft":
            raise InputError(f"plan {plan_id} is a draft: there is nothing measured to learn from")
        self._set(
            plan_id,
            status="measured",
            measured_at=utc_now(),
            lesson_en=english,
            lesson_zh=chinese,
            measured=json.dumps(measured, sort_keys=True),
        )

    def _set(self, plan_id: int, **values: Any) -> None:
        p = schema.campaign_plans
        with self.engine.begin() as conn:
            conn.execute(update(p).where(p.c.id == plan_id).values(**values))

    def assignments(self, plan_id: int) -> pd.DataFrame:
        """The frozen audience: customer_id and arm, ordered by customer id."""
        a = schema.plan_assignments
        query = (
            select(a.c.customer_id, a.c.arm).where(a.c.plan_id == plan_id).order_by(a.c.customer_id)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return pd.DataFrame(rows, columns=["customer_id", "arm"])

    def count(self) -> int:
        """How many plans are saved."""
        with self.engine.connect() as conn:
            return int(
                conn.execute(select(func.count()).select_from(schema.campaign_plans)).scalar_one()
            )
